#pragma once
// ChildWatch: how the policy layer learns that a child it started (a hook, an exec
// probe) has exited. The daemon reaps every child itself with waitpid(-1)
// (ARCHITECTURE.md), so nothing here may wait: it registers the pid and the daemon
// hands over the raw wait status, once, on the loop.

#include <sys/types.h>

#include <functional>

namespace policy {

class ChildWatch {
 public:
  virtual ~ChildWatch() = default;
  // REQUIRES: `pid` was just spawned and not reaped yet. `exited` runs once, on the loop.
  virtual void watchChild(pid_t pid, std::function<void(int waitStatus)> exited) = 0;
};

}  // namespace policy
