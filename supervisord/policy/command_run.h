#pragma once
// CommandRun: runs one command line (a hook, an exec probe) as a child of the daemon,
// without blocking the loop, and reports how it ended, once, on the loop.
// The daemon reaps the child and hands its wait status over through ChildWatch;
// destroying the handle kills a command still running, and then nothing is reported.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "supervisord/config/config_model.h"
#include "supervisord/policy/child_watch.h"

namespace boost::asio {
class io_context;
}

namespace process {
class Spawner;
}

namespace policy {

struct CommandRequest {
  std::string name;         // who runs it, for spawn messages ("too many open files to spawn 'name'")
  std::string commandLine;  // split like Supervisor's command= (shlex); argv[0] searched in
                            // the environment's PATH as the Spawner does
  config::Environment environment;        // the command's whole environment
  std::optional<std::string> directory;   // chdir before exec
  double timeout = 30;                    // seconds; then SIGKILL to the command's process group
};

// What became of a command. stdin was /dev/null; stderr went into stdout.
struct CommandResult {
  bool ran = false;                  // false: it could not be started (description says why)
  std::optional<int> exitStatus;     // when it exited
  std::optional<int> signal;         // when a signal ended it (SIGKILL after a timeout too)
  bool timedOut = false;
  std::string output;                // stdout and stderr as written, at most the last 64 KiB
  // One line in Supervisor's words: "exit status 0", "terminated by SIGKILL",
  // "timed out after 5 s", "spawn error: can't find command 'x'".
  std::string description;
  double seconds = 0;                // from spawn to exit

  // Ran, exited by itself, with status 0.
  bool succeeded() const { return ran && !timedOut && exitStatus == 0; }
};

// "5 s", "0.5 s", "0.05 s": a timeout as the descriptions word it.
std::string secondsText(double seconds);

// The handle of one run. The completion runs exactly once, on the loop (never from
// inside the constructor), after the exit arrived and the output pipe reached EOF or
// was drained briefly after the exit (a grandchild may keep it open). It may destroy
// the handle. Destroying the handle before that sends SIGKILL to the command's process
// group (if not yet reaped) and the completion never runs. REQUIRES: `io`, `spawner`
// and `childWatch` outlive the handle.
class CommandRun {
 public:
  using Completion = std::function<void(const CommandResult&)>;

  CommandRun(boost::asio::io_context& io, process::Spawner& spawner, ChildWatch& childWatch,
             CommandRequest request, Completion done);
  ~CommandRun();
  CommandRun(CommandRun&&) noexcept;
  CommandRun& operator=(CommandRun&&) noexcept;
  CommandRun(const CommandRun&) = delete;
  CommandRun& operator=(const CommandRun&) = delete;

  // The child's pid (also its process group), or -1 when it could not be started.
  pid_t pid() const;
  // Whether the completion has run.
  bool finished() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace policy
