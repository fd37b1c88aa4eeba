#pragma once
// What the policy-layer integration tests (command_run_test, probe_check_test) need
// around a real io_context: the daemon's side of ChildWatch, and loops bounded in time.
// Included only by test .cpp files that drive Asio themselves.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "supervisord/policy/child_watch.h"
#include "supervisord/process/reaper.h"

// The daemon's side of ChildWatch: reaps on SIGCHLD and hands each watched pid its
// status. Remembers every status it reaped, watched or not, in `reaped`.
class ReapingChildWatch : public policy::ChildWatch {
 public:
  explicit ReapingChildWatch(boost::asio::io_context& io)
      : watcher_(io, [this](std::vector<process::ReapedChild> children) {
          for (const auto& child : children) {
            reaped[child.pid] = child.status;
            auto found = watched_.find(child.pid);
            if (found == watched_.end()) continue;
            auto exited = std::move(found->second);
            watched_.erase(found);
            exited(child.status);
          }
        }) {}

  void watchChild(pid_t pid, std::function<void(int)> exited) override { watched_[pid] = std::move(exited); }

  std::map<pid_t, int> reaped;

 private:
  std::map<pid_t, std::function<void(int)>> watched_;
  process::ChildSignalWatcher watcher_;
};

// Runs the loop until `done()` or `limit` passed; whether `done()` became true.
inline bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  return done();
}

// Runs the loop for `duration`, e.g. to let a second, unwanted completion show up.
inline void runFor(boost::asio::io_context& io, std::chrono::milliseconds duration) {
  runUntil(io, [] { return false; }, duration);
}
