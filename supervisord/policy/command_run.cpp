#include "supervisord/policy/command_run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>

#include "common/shell_words.h"
#include "common/value_types.h"
#include "supervisord/process/spawner.h"
#include "supervisord/process/wait_status.h"

namespace policy {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// How much output a result keeps (the end of it: where the error usually is).
constexpr std::size_t kOutputLimit = 64 * 1024;
// How long the output pipe may stay open after the command exited: a grandchild
// that inherited it (`sh -c 'daemon &'`) must not hold the result back.
constexpr auto kDrainAfterExit = std::chrono::milliseconds(200);

std::array<char, 64 * 1024>& readBuffer() {
  static std::array<char, 64 * 1024> buffer;
  return buffer;
}

}  // namespace

std::string secondsText(double seconds) { return common::secondsText(seconds) + " s"; }

struct CommandRun::State : std::enable_shared_from_this<State> {
  explicit State(asio::io_context& io) : io(io), pipe(io), timeoutTimer(io), drainTimer(io) {}

  asio::io_context& io;
  Completion done;
  CommandResult result;
  pid_t pid = -1;
  Clock::time_point started;
  asio::posix::stream_descriptor pipe;
  asio::steady_timer timeoutTimer;
  asio::steady_timer drainTimer;
  bool exited = false;        // the daemon reaped the child
  bool outputEnded = false;   // EOF seen, or the pipe was given up after the exit drain
  bool finished = false;      // completed or abandoned: nothing more happens

  void append(std::string_view data) {
    result.output.append(data);
    // Trim now and then, not on every read: appending stays linear.
    if (result.output.size() > 2 * kOutputLimit) result.output.erase(0, result.output.size() - kOutputLimit);
  }

  // Reads once (at most 64 KiB, so that other children get their turn); false at EOF
  // or on an error other than "nothing there yet".
  enum class Read { Data, Empty, End };
  Read readOnce() {
    auto& buffer = readBuffer();
    ssize_t n = ::read(pipe.native_handle(), buffer.data(), buffer.size());
    if (n > 0) {
      append(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
      return Read::Data;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return Read::Empty;
    return Read::End;
  }

  void endOutput() {
    boost::system::error_code ignored;
    pipe.close(ignored);
    outputEnded = true;
  }

  void readAsync() {
    pipe.async_wait(asio::posix::stream_descriptor::wait_read, [weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || self->finished || ec || !self->pipe.is_open()) return;
      if (self->readOnce() == Read::End) {
        self->endOutput();
        self->completeIfDone();
      } else {
        self->readAsync();
      }
    });
  }

  void armTimeout(double seconds) {
    if (seconds <= 0) return;
    timeoutTimer.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(seconds * 1e6)));
    timeoutTimer.async_wait([weak = weak_from_this(), seconds](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || self->finished || ec || self->exited) return;
      self->result.timedOut = true;
      self->result.description = "timed out after " + secondsText(seconds);
      ::kill(-self->pid, SIGKILL);  // the whole group: a shell's children too
    });
  }

  void childExited(int waitStatus) {
    exited = true;
    timeoutTimer.cancel();
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (WIFEXITED(waitStatus)) result.exitStatus = WEXITSTATUS(waitStatus);
    if (WIFSIGNALED(waitStatus)) result.signal = WTERMSIG(waitStatus);
    if (!result.timedOut) result.description = process::decodeWaitStatus(waitStatus).message;
    if (!outputEnded) {
      // What the command wrote last is usually in the pipe already.
      Read read;
      while ((read = readOnce()) == Read::Data) {
      }
      if (read == Read::End) endOutput();
    }
    if (!outputEnded) {
      drainTimer.expires_after(kDrainAfterExit);
      drainTimer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (!self || self->finished || ec || self->outputEnded) return;
        while (self->readOnce() == Read::Data) {
        }
        self->endOutput();
        self->completeIfDone();
      });
    }
    completeIfDone();
  }

  void completeIfDone() {
    if (finished || !exited || !outputEnded) return;
    drainTimer.cancel();
    complete();
  }

  // The completion may destroy the handle (and with it our last owner but the
  // caller's lock): nothing here touches `this` after calling it.
  void complete() {
    finished = true;
    if (result.output.size() > kOutputLimit) result.output.erase(0, result.output.size() - kOutputLimit);
    Completion completion = std::move(done);
    done = nullptr;
    CommandResult finalResult = std::move(result);
    if (completion) completion(finalResult);
  }

  // The handle went away: no completion; a child not yet reaped is killed.
  void abandon() {
    if (!finished && pid > 0 && !exited) ::kill(-pid, SIGKILL);
    finished = true;
    done = nullptr;
    boost::system::error_code ignored;
    pipe.close(ignored);
    timeoutTimer.cancel();
    drainTimer.cancel();
  }
};

CommandRun::CommandRun(asio::io_context& io, process::Spawner& spawner, ChildWatch& childWatch,
                       CommandRequest request, Completion done)
    : state_(std::make_shared<State>(io)) {
  state_->done = std::move(done);
  state_->started = Clock::now();

  auto failLater = [this](std::string message) {
    state_->result.description = "spawn error: " + message;
    asio::post(state_->io, [weak = std::weak_ptr<State>(state_)] {
      auto self = weak.lock();
      if (self && !self->finished) self->complete();
    });
  };

  auto argv = common::shlexSplit(request.commandLine);
  if (!argv) {
    failLater(argv.error());
    return;
  }
  process::SpawnRequest spawn;
  spawn.name = request.name;
  spawn.argv = std::move(*argv);
  spawn.environment = std::move(request.environment);
  spawn.directory = std::move(request.directory);
  spawn.stdinPipe = false;
  spawn.stdoutPipe = true;
  spawn.stderrPipe = false;
  spawn.redirectStderr = true;
  auto child = spawner.spawn(spawn);
  if (!child) {
    failLater(child.error());
    return;
  }

  state_->pid = child->pid;
  state_->result.ran = true;
  state_->pipe.assign(child->stdoutFd.release());
  childWatch.watchChild(child->pid, [weak = std::weak_ptr<State>(state_)](int waitStatus) {
    auto self = weak.lock();
    if (self && !self->finished) self->childExited(waitStatus);
  });
  state_->readAsync();
  state_->armTimeout(request.timeout);
}

CommandRun::~CommandRun() {
  if (state_) state_->abandon();
}

CommandRun::CommandRun(CommandRun&& other) noexcept = default;

CommandRun& CommandRun::operator=(CommandRun&& other) noexcept {
  if (this != &other) {
    if (state_) state_->abandon();
    state_ = std::move(other.state_);
  }
  return *this;
}

pid_t CommandRun::pid() const { return state_ ? state_->pid : -1; }

bool CommandRun::finished() const { return state_ && state_->finished; }

}  // namespace policy
