/* stamp FIFO NAME PROGRAM [ARGS...]
 * Writes "NAME PID CLOCK_MONOTONIC_NS\n" to FIFO in one write (atomic: < PIPE_BUF), then execs
 * PROGRAM with the same pid. The bench reads the fifo with blocking reads, so it learns when a
 * child has exec'd without asking the daemon. A missing reader (ENXIO) or fifo is not an error:
 * the program still runs, it just goes unseen. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: stamp FIFO NAME PROGRAM [ARGS...]\n");
    return 2;
  }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  char line[256];
  int length = snprintf(line, sizeof line, "%s %d %lld\n", argv[2], (int)getpid(),
                        (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
  int fd = open(argv[1], O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0) {
    if (write(fd, line, (size_t)length) != length) { /* a full fifo: unseen, not fatal */ }
    close(fd);
  }
  execvp(argv[3], argv + 3);
  fprintf(stderr, "stamp: cannot exec %s: %s\n", argv[3], strerror(errno));
  return 127;
}
