#pragma once
// Reaping children: collecting wait statuses with waitpid(-1, WNOHANG) and
// decoding them in Supervisor's words (options.py decode_wait_status).
// The daemon reaps every child itself (ARCHITECTURE.md); nothing else may wait.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "supervisord/process/wait_status.h"

namespace boost::asio {
class io_context;
}

namespace process {

struct ReapedChild {
  pid_t pid = 0;
  int status = 0;  // raw wait status, for decodeWaitStatus()
};

// Reaps every child that has exited, without blocking: waitpid(-1, WNOHANG)
// until it reports none (0 or ECHILD). Also reaps pids we never spawned (the daemon
// may be PID 1 in a container); the caller decides what to log about those.
std::vector<ReapedChild> reapAll();




// ChildSignalWatcher: on each SIGCHLD delivered through `io`, reaps with reapAll()
// and calls `onReaped` with a non-empty list, on the loop's thread.
// Create it before the first spawn (a SIGCHLD that arrives earlier is queued by
// asio only once the signal_set exists); destroying it stops the watch, and must
// happen before `io` is destroyed. The callback may destroy the watcher. Asio stays
// in reaper.cpp (pimpl).
class ChildSignalWatcher {
 public:
  using Callback = std::function<void(std::vector<ReapedChild>)>;

  ChildSignalWatcher(boost::asio::io_context& io, Callback onReaped);
  ~ChildSignalWatcher();
  ChildSignalWatcher(const ChildSignalWatcher&) = delete;
  ChildSignalWatcher& operator=(const ChildSignalWatcher&) = delete;

 private:
  struct Watch;
  std::shared_ptr<Watch> watch_;
};

}  // namespace process
