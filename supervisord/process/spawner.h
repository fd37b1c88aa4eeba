#pragma once
// Spawner: forks and execs one child the way Supervisor's Subprocess.spawn does
// (own process group, pipes on 0/1/2, user, directory, umask) and returns at once.
// It never waits for the child: the caller reaps it (reaper.h) and reads its pipes
// on the event loop. Synchronous: returns once the child has exec'd or failed to.

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "supervisord/config/config_model.h"

namespace process {

struct SpawnRequest {
  std::string name;               // process name, for messages ("… to spawn 'name'")
  std::vector<std::string> argv;  // already split (shlex); argv[0] is passed to the child as written
  config::Environment environment;  // the child's whole environment, in order (keys unique);
                                    // its PATH is where a program without '/' is searched
  std::optional<std::string> directory;  // chdir before exec, after dropping privileges
  std::optional<mode_t> umask;
  std::optional<uid_t> uid;  // run as this user: its gid and groups are looked up here, in
                             // the parent; same uid as ours = nothing to do; else we must be root

  // One bool per stream: a pipe to us, or /dev/null. Supervisor always uses pipes.
  bool stdinPipe = true;
  bool stdoutPipe = true;
  bool stderrPipe = true;
  bool redirectStderr = false;  // the child's stderr goes into its stdout (no stderr pipe)

  // Our fds to hand to the child at a given number, applied after 0/1/2 are set up
  // (so {socket, 0} replaces stdin, as [fcgi-program] does). REQUIRES: our fds >= 3
  // and open until spawn() returns; we keep ownership.
  std::vector<std::pair<int, int>> passedFds;  // {our fd, child's fd}
};

struct SpawnedChild {
  pid_t pid = -1;
  // Our ends, non-blocking and close-on-exec; empty where the request asked for no pipe.
  common::UniqueFd stdinFd;   // write end of the child's stdin
  common::UniqueFd stdoutFd;  // read end of the child's stdout (and stderr if redirected)
  common::UniqueFd stderrFd;  // read end of the child's stderr
};

// Spawn errors are Supervisor's messages, for the caller's "spawnerr: …" log line:
//   "command is empty", "can't find command 'x'", "command at '/x' is not executable",
//   "command at '/x' is a directory", "no permission to run command '/x'",
//   "too many open files to spawn 'name'", "Too many processes in process table to
//   spawn 'name'", "couldn't setuid to 1000: Can't drop privilege as nonroot user",
//   "couldn't chdir to /x: ENOENT", "couldn't exec x: ENOEXEC".
// The last three happen in the child in Supervisor (a spawned pid that exits 127);
// here they are spawn errors, and the failed child is already reaped when spawn() returns.
class Spawner {
 public:
  common::Result<SpawnedChild> spawn(const SpawnRequest& request);
};

}  // namespace process
