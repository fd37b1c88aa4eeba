#include "supervisord/logs/daemon_log.h"

#include <syslog.h>
#include <unistd.h>

#include <optional>
#include <utility>
#include <vector>

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "supervisord/logs/child_log_file.h"

namespace logs {

namespace {

using common::LogLevel;

// spdlog has six levels and Supervisor seven (blather and trace are both
// spdlog's trace), so the exact level travels with each message in
// source_loc.line, which nothing else here uses, and this flag prints it.
class LevelNameFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& out) override {
    const std::string_view name = levelName(static_cast<LogLevel>(message.source.line));
    out.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelNameFlag>(); }
};

// Supervisor's '%(asctime)s %(levelname)s %(message)s\n'.
std::unique_ptr<spdlog::formatter> makeFormatter(std::string eol = "\n") {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::local, std::move(eol));
  formatter->add_flag<LevelNameFlag>('*').set_pattern("%Y-%m-%d %H:%M:%S,%e %* %v");
  return formatter;
}

spdlog::level::level_enum spdlogLevel(LogLevel level) {
  switch (level) {
    case LogLevel::Blather:
    case LogLevel::Trace: return spdlog::level::trace;
    case LogLevel::Debug: return spdlog::level::debug;
    case LogLevel::Info: return spdlog::level::info;
    case LogLevel::Warn: return spdlog::level::warn;
    case LogLevel::Error: return spdlog::level::err;
    case LogLevel::Critical: return spdlog::level::critical;
  }
  return spdlog::level::info;
}

spdlog::details::log_msg makeMessage(spdlog::log_clock::time_point time, LogLevel level, std::string_view text) {
  return spdlog::details::log_msg(time, spdlog::source_loc{"", static_cast<int>(level), ""}, "supervisord",
                                  spdlogLevel(level), spdlog::string_view_t(text.data(), text.size()));
}

// The logfile: formatted lines appended to a ChildLogFile, which rotates exactly
// like Supervisor's RotatingFileHandler. A failing disk is reported once on
// stderr (the only place left to say it), and logging resumes when it recovers.
class LogFileSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  explicit LogFileSink(ChildLogFile file) : file_(std::move(file)) {}

  ChildLogFile& file() { return file_; }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t line;
    formatter_->format(message, line);
    if (file_.append(std::string_view(line.data(), line.size())) == ChildLogFile::AppendStatus::FirstFailure) {
      const std::string complaint = "supervisord: cannot write to the log file: " + file_.lastError() + "\n";
      [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, complaint.data(), complaint.size());
    }
  }
  void flush_() override {}  // every line is one write(2): nothing is buffered

 private:
  ChildLogFile file_;
};

// logfile=syslog: Supervisor's SyslogHandler sends each line of a message as its
// own record, formatted like a file line, at the default priority LOG_INFO.
class SyslogSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    std::string_view text(message.payload.data(), message.payload.size());
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    size_t start = 0;
    while (true) {
      const size_t end = text.find('\n', start);
      spdlog::details::log_msg lineMessage = message;
      const std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
      lineMessage.payload = spdlog::string_view_t(line.data(), line.size());
      spdlog::memory_buf_t formatted;
      formatter_->format(lineMessage, formatted);
      formatted.push_back('\0');
      ::syslog(LOG_INFO, "%s", formatted.data());
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }
  void flush_() override {}
};

std::shared_ptr<spdlog::logger> makeLogger(std::vector<spdlog::sink_ptr> sinks) {
  auto logger = std::make_shared<spdlog::logger>("supervisord", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::trace);  // DaemonLog filters with Supervisor's seven levels
  logger->flush_on(spdlog::level::trace);   // Supervisor flushes every line
  return logger;
}

std::shared_ptr<spdlog::logger> makeStderrLogger() {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
  sink->set_formatter(makeFormatter());
  return makeLogger({sink});
}

}  // namespace

const char* levelName(LogLevel level) {
  switch (level) {
    case LogLevel::Blather: return "BLAT";
    case LogLevel::Trace: return "TRAC";
    case LogLevel::Debug: return "DEBG";
    case LogLevel::Info: return "INFO";
    case LogLevel::Warn: return "WARN";
    case LogLevel::Error: return "ERRO";
    case LogLevel::Critical: return "CRIT";
  }
  return "INFO";
}

std::string formatLogLine(std::chrono::system_clock::time_point time, LogLevel level, std::string_view message) {
  spdlog::memory_buf_t line;
  makeFormatter()->format(makeMessage(time, level, message), line);
  return std::string(line.data(), line.size());
}

struct DaemonLog::Impl {
  std::shared_ptr<spdlog::logger> logger = makeStderrLogger();
  std::shared_ptr<LogFileSink> fileSink;  // null for syslog and before open()
  LogLevel level = LogLevel::Info;
  std::string logfile;
};

DaemonLog::DaemonLog() : impl_(std::make_unique<Impl>()) {}
DaemonLog::~DaemonLog() = default;

common::Result<void> DaemonLog::open(const DaemonLogOptions& options) {
  std::vector<spdlog::sink_ptr> sinks;
  if (options.toStdout) {
    auto sink = std::make_shared<spdlog::sinks::stdout_sink_st>();
    sink->set_formatter(makeFormatter());
    sinks.push_back(std::move(sink));
  }
  std::shared_ptr<LogFileSink> fileSink;
  if (options.logfile == "syslog") {
    auto sink = std::make_shared<SyslogSink>();
    sink->set_formatter(makeFormatter(""));
    sinks.push_back(std::move(sink));
  } else {
    auto file = ChildLogFile::open(options.logfile, options.maxbytes, options.backups);
    if (!file) return file.takeError();
    fileSink = std::make_shared<LogFileSink>(std::move(file).value());
    fileSink->set_formatter(makeFormatter());
    sinks.push_back(fileSink);
  }
  impl_->logger = makeLogger(std::move(sinks));
  impl_->fileSink = std::move(fileSink);
  impl_->level = options.level;
  impl_->logfile = options.logfile;
  return {};
}

void DaemonLog::close() {
  impl_->logger = makeStderrLogger();
  impl_->fileSink.reset();
  impl_->logfile.clear();
}

bool DaemonLog::enabled(LogLevel level) const { return static_cast<int>(level) >= static_cast<int>(impl_->level); }

void DaemonLog::log(LogLevel level, std::string_view message) {
  if (!enabled(level)) return;
  impl_->logger->log(spdlog::source_loc{"", static_cast<int>(level), ""}, spdlogLevel(level),
                     spdlog::string_view_t(message.data(), message.size()));
}

common::Result<void> DaemonLog::reopen() {
  info("supervisord logreopen");
  if (!impl_->fileSink) return {};
  return impl_->fileSink->file().reopen();
}

common::Result<void> DaemonLog::clear() {
  if (!impl_->fileSink) {
    return common::makeError(impl_->logfile.empty() ? "the main log is not open" : "the main log goes to syslog");
  }
  ChildLogFile& file = impl_->fileSink->file();
  if (auto removed = file.remove(); !removed) return removed;
  info("reopening log file");
  return file.reopen();
}

const std::string& DaemonLog::logfile() const { return impl_->logfile; }

}  // namespace logs
