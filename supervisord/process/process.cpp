#include "supervisord/process/process.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <deque>

#include "common/namespec.h"
#include "common/python_str.h"
#include "common/shell_words.h"
#include "supervisord/logs/child_log_file.h"
#include "supervisord/logs/strip_ansi.h"
#include "supervisord/process/command_path.h"
#include "supervisord/process/output_capture.h"
#include "supervisord/process/process_environment.h"
#include "supervisord/process/process_host.h"
#include "supervisord/process/spawner.h"

namespace process {

namespace asio = boost::asio;

namespace {

// One output pipe of one child, read on the loop until EOF. Outlives the child
// (a new child gets new pipes); `sink` is cleared when the Process goes away, so
// a completion that was already queued touches nothing. The sink gets every chunk
// read, then an empty view at end of output.
// Where every pipe is read into: the loop is single-threaded and a read's bytes are
// handed on before the next read, so one buffer serves every child (a buffer per
// pipe would cost 64 KiB for each of 1000 pipes).
std::array<char, 65536>& sharedReadBuffer() {
  static std::array<char, 65536> buffer;
  return buffer;
}

struct OutputReader : std::enable_shared_from_this<OutputReader> {
  OutputReader(asio::io_context& io, int fd, std::function<void(std::string_view)> sink)
      : pipe(io, fd), sink(std::move(sink)) {}

  // Waits until the pipe is readable, then reads what it holds (one 64 KiB read,
  // so that other children get their turn).
  void readAsync() {
    pipe.async_wait(asio::posix::stream_descriptor::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec || !self->sink) {
        self->close();
        return;
      }
      auto& buffer = sharedReadBuffer();
      ssize_t n = ::read(self->pipe.native_handle(), buffer.data(), buffer.size());
      if (n > 0) {
        self->sink(std::string_view(buffer.data(), static_cast<size_t>(n)));
        self->readAsync();
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        self->readAsync();
      } else {
        if (self->sink) self->sink(std::string_view{});  // end of output
        self->close();
      }
    });
  }

  // Reads what the pipe holds right now, without waiting: used before an exit is
  // reported, so that a child's last words are logged before "exited: …".
  void drainNow() {
    if (!pipe.is_open() || !sink) return;
    auto& buffer = sharedReadBuffer();
    while (true) {
      ssize_t n = ::read(pipe.native_handle(), buffer.data(), buffer.size());
      if (n <= 0) break;
      sink(std::string_view(buffer.data(), static_cast<size_t>(n)));
    }
  }

  void close() {
    boost::system::error_code ignored;
    pipe.close(ignored);
  }

  asio::posix::stream_descriptor pipe;
  std::function<void(std::string_view)> sink;
};

// The write end of a child's stdin, with a queue for what the pipe cannot take yet.
struct StdinWriter : std::enable_shared_from_this<StdinWriter> {
  StdinWriter(asio::io_context& io, int fd) : pipe(io, fd) {}

  void write(std::string bytes) {
    pending.push_back(std::move(bytes));
    if (pending.size() == 1) writeNext();
  }

  void writeNext() {
    asio::async_write(pipe, asio::buffer(pending.front()), [self = shared_from_this()](boost::system::error_code ec, size_t) {
      if (ec) {
        self->broken = true;
        self->pending.clear();
        return;
      }
      self->pending.pop_front();
      if (!self->pending.empty()) self->writeNext();
    });
  }

  asio::posix::stream_descriptor pipe;
  std::deque<std::string> pending;
  bool broken = false;
};

WallTime secondsFrom(WallTime now, WallTime at) { return at > now ? at - now : 0.0; }

}  // namespace

struct Process::Runtime {
  explicit Runtime(asio::io_context& io) : io(io), timer(io) {}
  ~Runtime() {
    *alive = nullptr;
    for (auto& reader : readers) {
      reader->sink = nullptr;
      reader->close();
    }
    if (stdinWriter) {
      boost::system::error_code ignored;
      stdinWriter->pipe.close(ignored);
    }
  }

  asio::io_context& io;
  asio::steady_timer timer;
  std::shared_ptr<Process*> alive = std::make_shared<Process*>(nullptr);
  std::optional<logs::ChildLogFile> stdoutLog;
  std::optional<logs::ChildLogFile> stderrLog;
  std::vector<std::shared_ptr<OutputReader>> readers;  // this child's pipes, and earlier children's until their EOF
  std::shared_ptr<StdinWriter> stdinWriter;
  bool spawnPending = false;  // a pre_start_command runs; the machine waits for Spawned/SpawnFailed
};

Process::Process(ProcessHost& host, config::ProcessConfig config)
    : host_(host), config_(std::move(config)), runtime_(std::make_unique<Runtime>(host.io())) {
  *runtime_->alive = this;
  auto openLog = [&](const config::ChannelConfig& channel, std::optional<logs::ChildLogFile>& log) {
    if (channel.target == config::ChannelConfig::Target::None || channel.logfile.empty()) return;
    auto opened = logs::ChildLogFile::open(channel.logfile, channel.logfileMaxbytes, channel.logfileBackups);
    if (opened)
      log.emplace(std::move(*opened));
    else
      host_.log(config::LogLevel::Error, "could not open log file for " + config_.name + ": " + opened.error());
  };
  openLog(config_.stdoutChannel, runtime_->stdoutLog);
  if (!config_.redirectStderr) openLog(config_.stderrChannel, runtime_->stderrLog);
  armTimer(nextDeadline(config_, record_, host_.supervisorRunning(), host_.restartAdvice(*this)));
}

Process::~Process() = default;

std::string Process::namespec() const {
  return common::makeNamespec(config_.groupName, config_.name);
}

Moment Process::moment() const { return Moment{host_.now(), host_.supervisorRunning(), host_.restartAdvice(*this)}; }

common::Result<void> Process::start() {
  Step step = handle(config_, record_, Start{}, moment());
  if (step.refusal) return common::makeError(*step.refusal);
  carryOut(step);
  return {};
}

common::Result<void> Process::stop() {
  if (runtime_->spawnPending) {
    // The pre_start_command has not finished: the start fails, then the stop applies (BACKOFF -> STOPPED).
    host_.cancelBeforeSpawn(*this);
    runtime_->spawnPending = false;
    feed(SpawnFailed{"pre_start_command interrupted by a stop request"});
  }
  Step step = handle(config_, record_, Stop{}, moment());
  if (step.refusal) return common::makeError(*step.refusal);
  carryOut(step);
  return {};
}

common::Result<void> Process::signal(int signalNumber) {
  Step step = handle(config_, record_, Signal{signalNumber}, moment());
  if (step.refusal) return common::makeError(*step.refusal);
  carryOut(step);
  return {};
}

void Process::giveUp(const std::string& reason) { feed(GiveUp{reason}); }

void Process::restart(const std::string& reason) { feed(Restart{reason}); }

void Process::ready(const std::string& detail) { feed(Ready{detail}); }

bool Process::spawnPending() const { return runtime_->spawnPending; }

void Process::tick() { feed(Tick{}); }

void Process::stopReport() { feed(StopReport{}); }

void Process::childExited(int waitStatus) {
  for (auto& reader : runtime_->readers) reader->drainNow();
  feed(Exited{waitStatus});
}

void Process::feed(const Event& event) {
  if (runtime_->spawnPending) return;  // the machine waits for the spawn's answer (see afterPreStart)
  Step step = handle(config_, record_, event, moment());
  if (step.refusal) {
    host_.log(config::LogLevel::Debug, *step.refusal);
    return;
  }
  carryOut(step);
}

void Process::carryOut(const Step& step) {
  record_ = step.record;
  std::optional<Event> answer;
  for (const Decision& decision : step.decisions) {
    if (std::holds_alternative<Spawn>(decision)) {
      if (host_.beforeSpawn(*this, [alive = runtime_->alive](std::optional<std::string> error) {
            if (*alive) (*alive)->afterPreStart(std::move(error));
          })) {
        runtime_->spawnPending = true;
        runtime_->timer.cancel();
        return;  // Spawn is the machine's last decision: nothing else to carry out
      }
      answer = spawnChild();
    } else if (std::holds_alternative<RestartCounted>(decision)) {
      host_.restartCounted(*this);
    } else if (const auto* g = std::get_if<GaveUp>(&decision)) {
      host_.gaveUp(*this, g->reason);
    } else if (std::holds_alternative<GroupRestartWanted>(decision)) {
      host_.groupRestartWanted(*this);
    } else if (const auto* s = std::get_if<SendSignal>(&decision)) {
      if (::kill(s->toGroup ? -s->pid : s->pid, s->signal) != 0) {
        int error = errno;
        answer = SignalFailed{s->purpose, error, "[Errno " + std::to_string(error) + "] " + std::strerror(error)};
      }
    } else if (const auto* l = std::get_if<Log>(&decision)) {
      host_.log(l->level, l->text);
    } else if (const auto* c = std::get_if<StateChanged>(&decision)) {
      host_.stateChanged(*this, *c);
    }
  }
  if (answer) {
    feed(*answer);  // the machine's REQUIRES: answer before any other event
    return;
  }
  armTimer(step.wakeAt);
}

void Process::afterPreStart(std::optional<std::string> error) {
  if (!runtime_->spawnPending) return;
  runtime_->spawnPending = false;
  if (error) {
    feed(SpawnFailed{*error});
    return;
  }
  std::optional<Event> answer = spawnChild();
  if (answer) feed(*answer);
}

common::Result<std::vector<std::string>> Process::commandLine() const {
  using common::ErrorKind;
  auto argv = common::shlexSplit(config_.command);
  if (!argv)
    return common::makeError(ErrorKind::NotExecutable,
                             "can't parse command " + common::pythonRepr(config_.command) + ": " + argv.error());
  if (argv->empty()) return common::makeError(ErrorKind::NotExecutable, "command is empty");
  return std::move(*argv);
}

common::Result<void> Process::checkCommand() const {
  auto argv = commandLine();
  if (!argv) return argv.takeError();
  auto found = resolveCommand(argv->front(), processEnvironment(host_.baseEnvironment(), host_.serverUrl(), config_));
  if (!found) return found.takeError();
  return {};
}

std::optional<Event> Process::spawnChild() {
  auto argv = commandLine();
  if (!argv) return SpawnFailed{argv.error()};

  SpawnRequest request;
  request.name = config_.name;
  request.argv = std::move(*argv);
  request.environment = processEnvironment(host_.baseEnvironment(), host_.serverUrl(), config_);
  request.directory = config_.directory;
  request.umask = config_.umask;
  request.uid = config_.uid;
  request.redirectStderr = config_.redirectStderr;

  auto spawned = host_.spawner().spawn(request);
  if (!spawned) return SpawnFailed{spawned.error()};

  SpawnedChild& child = *spawned;
  auto makeSink = [this, alive = runtime_->alive](bool isStderr) {
    const auto& channel = isStderr ? config_.stderrChannel : config_.stdoutChannel;
    auto capture = std::make_shared<OutputCapture>(channel.captureMaxbytes);
    return [alive, isStderr, capture](std::string_view bytes) {
      Process* self = *alive;
      if (!self) return;
      OutputCapture::Result result = bytes.empty() ? capture->finish() : capture->feed(bytes);
      for (auto& piece : result.pieces) self->recordOutput(isStderr, std::move(piece.data), piece.captured);
      for (const auto& message : result.communications) self->host_.childCommunication(*self, isStderr, message);
    };
  };
  // Readers of earlier children that reached EOF are done.
  std::erase_if(runtime_->readers, [](const auto& r) { return !r->pipe.is_open(); });
  if (child.stdoutFd) {
    auto reader = std::make_shared<OutputReader>(runtime_->io, child.stdoutFd.release(), makeSink(false));
    reader->readAsync();
    runtime_->readers.push_back(reader);
  }
  if (child.stderrFd) {
    auto reader = std::make_shared<OutputReader>(runtime_->io, child.stderrFd.release(), makeSink(true));
    reader->readAsync();
    runtime_->readers.push_back(reader);
  }
  if (runtime_->stdinWriter) {
    boost::system::error_code ignored;
    runtime_->stdinWriter->pipe.close(ignored);
    runtime_->stdinWriter.reset();
  }
  if (child.stdinFd) runtime_->stdinWriter = std::make_shared<StdinWriter>(runtime_->io, child.stdinFd.release());
  host_.childSpawned(*this, child.pid);
  return Spawned{child.pid};
}

void Process::armTimer(std::optional<WallTime> wakeAt) {
  runtime_->timer.cancel();
  if (!wakeAt) return;
  const WallTime seconds = secondsFrom(host_.now(), *wakeAt);
  runtime_->timer.expires_after(std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6)));
  runtime_->timer.async_wait([alive = runtime_->alive](boost::system::error_code ec) {
    if (ec || !*alive) return;
    (*alive)->tick();
  });
}

// Supervisor's POutputDispatcher._log: strip_ansi, then the child's log file (unless
// captured), then the host (events, main log).
void Process::recordOutput(bool isStderr, std::string data, bool captured) {
  if (host_.stripAnsi()) data = logs::stripAnsi(data);
  auto& log = isStderr ? runtime_->stderrLog : runtime_->stdoutLog;
  if (log && !captured && log->append(data) == logs::ChildLogFile::AppendStatus::FirstFailure)
    host_.log(config::LogLevel::Error,
              "could not write to log file " + log->path() + " of " + config_.name + ": " + log->lastError());
  host_.childOutput(*this, isStderr, data);
}

common::Result<void> Process::writeStdin(std::string_view bytes) {
  using common::ErrorKind;
  if (record_.pid == 0 || !isRunningState(record_.state)) return common::makeError(ErrorKind::NotRunning, "not running");
  if (!runtime_->stdinWriter || runtime_->stdinWriter->broken)
    return common::makeError(ErrorKind::NoFile, "its stdin is closed");
  runtime_->stdinWriter->write(std::string(bytes));
  return {};
}

std::string Process::stdoutLogPath() const { return runtime_->stdoutLog ? runtime_->stdoutLog->path() : ""; }
std::string Process::stderrLogPath() const { return runtime_->stderrLog ? runtime_->stderrLog->path() : ""; }

void Process::reopenLogs() {
  for (auto* log : {&runtime_->stdoutLog, &runtime_->stderrLog})
    if (*log) {
      auto r = (*log)->reopen();
      if (!r) host_.log(config::LogLevel::Error, "could not reopen log of " + config_.name + ": " + r.error());
    }
}

common::Result<void> Process::clearLogs() {
  for (auto* log : {&runtime_->stdoutLog, &runtime_->stderrLog})
    if (*log) {
      auto r = (*log)->clear();
      if (!r) return r;
    }
  return {};
}

}  // namespace process
