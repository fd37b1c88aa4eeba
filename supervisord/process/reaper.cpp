#include "supervisord/process/reaper.h"

#include <sys/wait.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iterator>
#include <string>

namespace process {

std::vector<ReapedChild> reapAll() {
  std::vector<ReapedChild> reaped;
  while (true) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      reaped.push_back({pid, status});
      continue;
    }
    if (pid < 0 && errno == EINTR) continue;
    break;  // 0: children left but none exited; -1 ECHILD: no children at all
  }
  return reaped;
}



struct ChildSignalWatcher::Watch : std::enable_shared_from_this<Watch> {
  Watch(boost::asio::io_context& io, Callback callback) : signals(io, SIGCHLD), onReaped(std::move(callback)) {}

  void arm() {
    signals.async_wait([self = shared_from_this()](const boost::system::error_code& error, int) {
      if (error || self->stopped) return;
      auto reaped = reapAll();
      if (!reaped.empty()) self->onReaped(std::move(reaped));
      if (!self->stopped) self->arm();  // the callback may have destroyed the watcher
    });
  }

  boost::asio::signal_set signals;
  Callback onReaped;
  bool stopped = false;
};

ChildSignalWatcher::ChildSignalWatcher(boost::asio::io_context& io, Callback onReaped)
    : watch_(std::make_shared<Watch>(io, std::move(onReaped))) {
  watch_->arm();
}

ChildSignalWatcher::~ChildSignalWatcher() {
  watch_->stopped = true;
  boost::system::error_code ignored;
  watch_->signals.cancel(ignored);
  watch_->signals.clear(ignored);  // stop catching SIGCHLD now, not when the last handler runs
}

}  // namespace process
