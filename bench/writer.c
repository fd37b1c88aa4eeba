/* writer TOTAL_BYTES CHUNK_BYTES [GO_FIFO]
 * Writes TOTAL_BYTES to stdout in write() calls of CHUNK_BYTES, the content being 100-byte lines
 * (99 characters and a newline), then exits 0. With GO_FIFO it first blocks opening that fifo for
 * reading, so the bench decides when the writing starts (after it has sampled the daemon's CPU). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: writer TOTAL_BYTES CHUNK_BYTES [GO_FIFO]\n");
    return 2;
  }
  long long total = atoll(argv[1]);
  long chunk = atol(argv[2]);
  if (total <= 0 || chunk <= 0 || total % chunk != 0) {
    fprintf(stderr, "writer: TOTAL_BYTES must be a positive multiple of CHUNK_BYTES\n");
    return 2;
  }
  if (argc > 3) {
    int go = open(argv[3], O_RDONLY);
    if (go < 0) { perror("writer: go fifo"); return 1; }
    close(go);
  }
  char *buffer = malloc((size_t)chunk);
  for (long i = 0; i < chunk; ++i) buffer[i] = (i % 100 == 99) ? '\n' : (char)('a' + (i % 100) % 26);
  for (long long written = 0; written < total;) {
    long offset = 0;
    while (offset < chunk) {
      ssize_t n = write(1, buffer + offset, (size_t)(chunk - offset));
      if (n < 0) { perror("writer: write"); return 1; }
      offset += n;
    }
    written += chunk;
  }
  return 0;
}
