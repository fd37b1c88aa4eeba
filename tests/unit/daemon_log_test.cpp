#include "supervisord/logs/daemon_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include "tests/support/temp_directory.h"

namespace fs = std::filesystem;
using common::LogLevel;
using logs::DaemonLog;
using logs::DaemonLogOptions;

namespace {

// Runs with TZ=UTC, restoring the previous zone afterwards.
class UtcZone {
 public:
  UtcZone() {
    if (const char* zone = std::getenv("TZ")) previous_ = zone;
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
  ~UtcZone() {
    if (previous_) {
      ::setenv("TZ", previous_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::optional<std::string> previous_;
};

// 2024-01-02 03:04:05 UTC plus the given milliseconds and microseconds.
std::chrono::system_clock::time_point sampleTime(int milliseconds, int microseconds = 0) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1704164645)) +
         std::chrono::milliseconds(milliseconds) + std::chrono::microseconds(microseconds);
}

// "dddd-dd-dd dd:dd:dd,ddd " then the text after it ("INFO message").
bool isLogLine(const std::string& line, const std::string& text) {
  const std::string shape = "dddd-dd-dd dd:dd:dd,ddd ";
  if (line.size() != shape.size() + text.size() || line.compare(shape.size(), text.size(), text) != 0) return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    const bool digit = line[i] >= '0' && line[i] <= '9';
    if (shape[i] == 'd' ? !digit : line[i] != shape[i]) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("daemon log: a line is 'YYYY-mm-dd HH:MM:SS,mmm LEVEL message' in local time", "[logs][daemon_log]") {
  UtcZone utc;
  CHECK(logs::formatLogLine(sampleTime(678), LogLevel::Info, "supervisord started with pid 42") ==
        "2024-01-02 03:04:05,678 INFO supervisord started with pid 42\n");
  // Milliseconds are truncated, as Python's '%03d' % msecs does.
  CHECK(logs::formatLogLine(sampleTime(999, 999), LogLevel::Warn, "x") == "2024-01-02 03:04:05,999 WARN x\n");
  CHECK(logs::formatLogLine(sampleTime(7), LogLevel::Info, "a\nb") == "2024-01-02 03:04:05,007 INFO a\nb\n");
}

TEST_CASE("daemon log: Supervisor's seven level names", "[logs][daemon_log]") {
  UtcZone utc;
  const std::pair<LogLevel, const char*> levels[] = {
      {LogLevel::Critical, "CRIT"}, {LogLevel::Error, "ERRO"}, {LogLevel::Warn, "WARN"},   {LogLevel::Info, "INFO"},
      {LogLevel::Debug, "DEBG"},    {LogLevel::Trace, "TRAC"}, {LogLevel::Blather, "BLAT"},
  };
  for (const auto& [level, name] : levels) {
    CHECK(std::string(logs::levelName(level)) == name);
    CHECK(logs::formatLogLine(sampleTime(0), level, "m") == std::string("2024-01-02 03:04:05,000 ") + name + " m\n");
  }
}

TEST_CASE("daemon log: messages below the level are dropped; trace and blather keep their own names",
          "[logs][daemon_log]") {
  TempDirectory dir("daemon-log");
  const std::string path = dir.file("supervisord.log");
  DaemonLog log;
  REQUIRE(log.open({path, 0, 0, LogLevel::Trace, false}).ok());
  CHECK(log.logfile() == path);
  CHECK(log.enabled(LogLevel::Trace));
  CHECK_FALSE(log.enabled(LogLevel::Blather));
  log.blather("hidden");
  log.trace("a trace");
  log.debug("a debug");
  log.critical("a critical");

  std::istringstream lines(fileContents(path));
  std::string line;
  std::vector<std::string> tails;
  while (std::getline(lines, line)) {
    CHECK(isLogLine(line, line.substr(std::min<size_t>(24, line.size()))));
    tails.push_back(line.substr(24));
  }
  CHECK(tails == std::vector<std::string>{"TRAC a trace", "DEBG a debug", "CRIT a critical"});

  REQUIRE(log.open({path, 0, 0, LogLevel::Blather, false}).ok());
  log.blather("now shown");
  CHECK(fileContents(path).find(" BLAT now shown\n") != std::string::npos);
}

TEST_CASE("daemon log: rotates to supervisord.log.1 ... .N like Supervisor, not spdlog's supervisord.1.log",
          "[logs][daemon_log]") {
  TempDirectory dir("daemon-log");
  const std::string path = dir.file("supervisord.log");
  DaemonLog log;
  REQUIRE(log.open({path, 200, 2, LogLevel::Info, false}).ok());
  for (int i = 0; i < 40; ++i) log.info("message number " + std::to_string(i));
  CHECK(fs::exists(path));
  CHECK(fs::exists(path + ".1"));
  CHECK(fs::exists(path + ".2"));
  CHECK_FALSE(fs::exists(path + ".3"));
  CHECK_FALSE(fs::exists(dir.file("supervisord.1.log")));
  CHECK(fs::file_size(path + ".1") >= 200);
  CHECK((fileContents(path + ".1") + fileContents(path)).find("INFO message number 39\n") != std::string::npos);
}

TEST_CASE("daemon log: reopen() after an external rotation writes to a new file", "[logs][daemon_log]") {
  TempDirectory dir("daemon-log");
  const std::string path = dir.file("supervisord.log");
  DaemonLog log;
  REQUIRE(log.open({path, 0, 0, LogLevel::Info, false}).ok());
  log.info("before");
  fs::rename(path, path + ".old");
  REQUIRE(log.reopen().ok());
  log.info("after");
  const std::string old = fileContents(path + ".old");
  CHECK(old.find("INFO before\n") != std::string::npos);
  CHECK(old.find("INFO supervisord logreopen\n") != std::string::npos);  // said before reopening, as Supervisor does
  const std::string fresh = fileContents(path);
  CHECK(fresh.find("INFO after\n") != std::string::npos);
  CHECK(fresh.find("before") == std::string::npos);
}

TEST_CASE("daemon log: clear() leaves an empty log that logging continues into", "[logs][daemon_log]") {
  TempDirectory dir("daemon-log");
  const std::string path = dir.file("supervisord.log");
  DaemonLog log;
  REQUIRE(log.open({path, 0, 0, LogLevel::Info, false}).ok());
  log.info("old news");
  REQUIRE(log.clear().ok());
  CHECK(fileContents(path).empty());  // "reopening log file" went to the removed file, as in Supervisor
  log.info("fresh");
  CHECK(isLogLine(fileContents(path), "INFO fresh\n"));
}

TEST_CASE("daemon log: an unwritable logfile is an error naming it", "[logs][daemon_log]") {
  DaemonLog log;
  const auto opened = log.open({"/nonexistent-dir/supervisord.log", 0, 0, LogLevel::Info, false});
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error() == "[Errno 2] No such file or directory: '/nonexistent-dir/supervisord.log'");
  CHECK(log.logfile().empty());
}

TEST_CASE("daemon log: logfile=syslog has no file to clear", "[logs][daemon_log]") {
  DaemonLog log;
  REQUIRE(log.open({"syslog", 0, 0, LogLevel::Warn, false}).ok());
  CHECK(log.logfile() == "syslog");
  log.info("below the level: not sent");
  CHECK(log.reopen().ok());
  CHECK_FALSE(log.clear().ok());
}

TEST_CASE("daemon log: with nodaemon and not silent, lines also go to stdout", "[logs][daemon_log]") {
  TempDirectory dir("daemon-log");
  const std::string path = dir.file("supervisord.log");
  const std::string captured = dir.file("stdout");

  std::cout.flush();
  std::fflush(stdout);
  const int savedStdout = ::dup(STDOUT_FILENO);
  const int capture = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(capture >= 0);
  ::dup2(capture, STDOUT_FILENO);
  ::close(capture);
  {
    DaemonLog log;
    const bool opened = log.open({path, 0, 0, LogLevel::Info, true}).ok();
    log.info("to both");
    std::fflush(stdout);
    ::dup2(savedStdout, STDOUT_FILENO);
    ::close(savedStdout);
    REQUIRE(opened);
  }
  CHECK(isLogLine(fileContents(captured), "INFO to both\n"));
  CHECK(fileContents(captured) == fileContents(path));
}
