#pragma once
// DaemonLog: supervisord's own log, as Supervisor's options.make_logger sets it up.
// Lines read `2024-05-01 12:00:00,123 INFO message` (local time, milliseconds
// truncated, Supervisor's level names CRIT ERRO WARN INFO DEBG TRAC BLAT), written
// and flushed one by one to, in this order:
//  - stdout, when nodaemon and not silent;
//  - the logfile, rotated as Supervisor rotates it (supervisord.log.1 ... .N, see
//    ChildLogFile), or syslog when logfile is "syslog" (priority LOG_INFO for every
//    level and one syslog record per line of the message, as Supervisor does).
// Before open() and after close(), lines go to stderr. Messages below the level
// are dropped; ask enabled() before building an expensive one.
// Single-threaded: call it from the event loop only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/log_level.h"

namespace logs {

// Supervisor's LevelsByName: "CRIT", "ERRO", "WARN", "INFO", "DEBG", "TRAC", "BLAT".
const char* levelName(common::LogLevel level);

struct DaemonLogOptions {
  std::string logfile;  // absolute path, or "syslog"
  int64_t maxbytes = 50 * 1024 * 1024;  // 0 = never rotate
  int backups = 10;                     // 0 = truncate on rotation
  common::LogLevel level = common::LogLevel::Info;
  bool toStdout = false;  // nodaemon and not silent
};

class DaemonLog {
 public:
  DaemonLog();
  ~DaemonLog();
  DaemonLog(const DaemonLog&) = delete;
  DaemonLog& operator=(const DaemonLog&) = delete;

  // Replaces the current outputs (it may be called again, e.g. on SIGHUP).
  // Fails, leaving the log as it was, when the logfile cannot be opened:
  // "[Errno 13] Permission denied: '/var/log/supervisord.log'".
  common::Result<void> open(const DaemonLogOptions& options);
  // Back to stderr only.
  void close();

  bool enabled(common::LogLevel level) const;
  void log(common::LogLevel level, std::string_view message);
  void critical(std::string_view message) { log(common::LogLevel::Critical, message); }
  void error(std::string_view message) { log(common::LogLevel::Error, message); }
  void warn(std::string_view message) { log(common::LogLevel::Warn, message); }
  void info(std::string_view message) { log(common::LogLevel::Info, message); }
  void debug(std::string_view message) { log(common::LogLevel::Debug, message); }
  void trace(std::string_view message) { log(common::LogLevel::Trace, message); }
  void blather(std::string_view message) { log(common::LogLevel::Blather, message); }

  // SIGUSR2: logs "supervisord logreopen" (options.reopenlogs' line), then
  // reopens the logfile at its path.
  common::Result<void> reopen();

  // clearLog: logs "reopening log file" (which, as in Supervisor, lands in the
  // file being removed and on stdout), removes the logfile and reopens it empty.
  // The caller answers NO_FILE first when logfile() does not exist, as
  // Supervisor's rpcinterface does; an error here means FAILED.
  common::Result<void> clear();

  // The logfile as configured ("syslog" included; "" before open()), for
  // readLog, tailing and clearLog.
  const std::string& logfile() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One line exactly as the log writes it to a file, "\n" included.
std::string formatLogLine(std::chrono::system_clock::time_point time, common::LogLevel level,
                          std::string_view message);

}  // namespace logs
