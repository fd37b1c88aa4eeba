#include "supervisord/logs/child_log_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/support/temp_directory.h"

namespace fs = std::filesystem;
using logs::ChildLogFile;
using Status = logs::ChildLogFile::AppendStatus;
using namespace std::string_literals;

namespace {

ChildLogFile openLog(const std::string& path, int64_t maxbytes, int backups) {
  auto file = ChildLogFile::open(path, maxbytes, backups);
  REQUIRE(file.ok());
  return std::move(file).value();
}

}  // namespace

TEST_CASE("child log: output is stored as raw bytes, appended to what the file held", "[logs][child_log]") {
  TempDirectory dir("child-log");
  const std::string path = dir.write("x.log", "old\n");
  ChildLogFile log = openLog(path, 0, 10);
  CHECK(log.size() == 4);
  CHECK(log.append("line one\nno newline\0\xff"s) == Status::Written);
  CHECK(log.append("") == Status::Written);
  CHECK(fileContents(path) == "old\nline one\nno newline\0\xff"s);
  CHECK(log.size() == 25);
}

TEST_CASE("child log: rotates after the write that reaches maxbytes (Supervisor's test_emit_does_rollover)",
          "[logs][child_log]") {
  TempDirectory dir("child-log");
  const std::string path = dir.file("x.log");
  ChildLogFile log = openLog(path, 10, 2);
  const std::string four(4, 'a');

  log.append(four);  // 4 bytes
  log.append(four);  // 8 bytes
  CHECK_FALSE(fs::exists(path + ".1"));
  log.append(four);  // 12 bytes: rollover
  CHECK(fs::exists(path + ".1"));
  CHECK_FALSE(fs::exists(path + ".2"));
  log.append(four);  // 4
  log.append(four);  // 8
  CHECK_FALSE(fs::exists(path + ".2"));
  log.append(four);  // 12: rollover
  CHECK(fs::exists(path + ".2"));
  log.append(four);

  CHECK(fileContents(path) == std::string(4, 'a'));
  CHECK(fileContents(path + ".1") == std::string(12, 'a'));
  CHECK(fileContents(path + ".2") == std::string(12, 'a'));
}

TEST_CASE("child log: backups shift x.log.1 -> x.log.2 and the oldest beyond backups is dropped",
          "[logs][child_log]") {
  TempDirectory dir("child-log");
  const std::string path = dir.file("x.log");
  ChildLogFile log = openLog(path, 5, 3);
  for (const char* chunk : {"first", "second", "third", "fourth", "fifth"}) {
    REQUIRE(log.append(chunk) == Status::Written);  // each chunk fills the file: one rotation per chunk
  }
  CHECK(fileContents(path).empty());
  CHECK(fileContents(path + ".1") == "fifth");
  CHECK(fileContents(path + ".2") == "fourth");
  CHECK(fileContents(path + ".3") == "third");
  CHECK_FALSE(fs::exists(path + ".4"));
  CHECK_FALSE(fs::exists(dir.file("x.1.log")));  // not spdlog's naming
}

TEST_CASE("child log: with backups=0 the file is truncated on rotation", "[logs][child_log]") {
  TempDirectory dir("child-log");
  const std::string path = dir.file("x.log");
  ChildLogFile log = openLog(path, 10, 0);
  log.append("0123456789AB");
  CHECK(fileContents(path).empty());
  CHECK(log.size() == 0);
  CHECK_FALSE(fs::exists(path + ".1"));
  log.append("abc");
  CHECK(fileContents(path) == "abc");
}

TEST_CASE("child log: maxbytes=0 never rotates", "[logs][child_log]") {
  TempDirectory dir("child-log");
  const std::string path = dir.file("x.log");
  ChildLogFile log = openLog(path, 0, 10);
  const std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 16; ++i) log.append(chunk);
  CHECK(fs::file_size(path) == 16 * chunk.size());
  CHECK_FALSE(fs::exists(path + ".1"));
}

TEST_CASE("child log: a log removed from under it is recreated at the next rotation", "[logs][child_log]") {
  // Supervisor's test_current_logfile_removed.
  TempDirectory dir("child-log");
  const std::string path = dir.file("x.log");
  ChildLogFile log = openLog(path, 6, 1);
  log.append("aaaa");
  fs::remove(path);
  CHECK(log.append("aaaa") == Status::Written);  // 8 bytes: rollover, the missing source is not an error
  CHECK(fs::exists(path));
  CHECK_FALSE(fs::exists(path + ".1"));
}

TEST_CASE("child log: an external truncation (copytruncate) is noticed before rotating", "[logs][child_log]") {
  TempDirectory dir("child-log");
  const std::string path = dir.file("x.log");
  ChildLogFile log = openLog(path, 10, 2);
  log.append("12345678");
  fs::resize_file(path, 0);
  log.append("abcd");  // the count says 12, the file holds 4
  CHECK_FALSE(fs::exists(path + ".1"));
  CHECK(log.size() == 4);
  CHECK(fileContents(path) == "abcd");
}

TEST_CASE("child log: reopen() after the file was moved away writes to a new file at the path",
          "[logs][child_log]") {
  TempDirectory dir("child-log");
  const std::string path = dir.file("x.log");
  ChildLogFile log = openLog(path, 0, 0);
  log.append("before\n");
  fs::rename(path, path + ".moved");
  log.append("still old\n");
  REQUIRE(log.reopen().ok());
  log.append("after\n");
  CHECK(fileContents(path + ".moved") == "before\nstill old\n");
  CHECK(fileContents(path) == "after\n");
}

TEST_CASE("child log: clear() empties the log and keeps its backups", "[logs][child_log]") {
  TempDirectory dir("child-log");
  const std::string path = dir.file("x.log");
  ChildLogFile log = openLog(path, 4, 2);
  log.append("rotated");
  log.append("abc");
  REQUIRE(log.clear().ok());
  CHECK(fileContents(path).empty());
  CHECK(log.size() == 0);
  CHECK(fileContents(path + ".1") == "rotated");
  log.append("new");
  CHECK(fileContents(path) == "new");
}

TEST_CASE("child log: /dev/stdout-like targets are written but never rotated or removed", "[logs][child_log]") {
  ChildLogFile log = openLog("/dev/null", 1, 3);
  CHECK_FALSE(log.rotatable());
  CHECK(log.append("more than one byte") == Status::Written);
  CHECK(log.append("again") == Status::Written);
  REQUIRE(log.clear().ok());
  CHECK(fs::is_character_file("/dev/null"));
  CHECK_FALSE(fs::exists("/dev/null.1"));
}

TEST_CASE("child log: a full disk is reported once, not once per write", "[logs][child_log]") {
  ChildLogFile log = openLog("/dev/full", 0, 0);
  CHECK(log.append("x") == Status::FirstFailure);
  CHECK(log.lastError() == "[Errno 28] No space left on device: '/dev/full'");
  CHECK(log.append("y") == Status::StillFailing);
  CHECK(log.append("z") == Status::StillFailing);
}

TEST_CASE("child log: logging resumes and says so once the file can be opened again", "[logs][child_log]") {
  TempDirectory dir("child-log");
  const fs::path logDir = dir.path() / "logs";
  fs::create_directory(logDir);
  const std::string path = (logDir / "x.log").string();
  ChildLogFile log = openLog(path, 4, 1);
  fs::remove_all(logDir);

  CHECK(log.append("abcd") == Status::FirstFailure);  // rotation cannot recreate the file
  CHECK(log.lastError() == "[Errno 2] No such file or directory: '" + path + "'");
  CHECK(log.append("lost") == Status::StillFailing);
  fs::create_directory(logDir);
  CHECK(log.append("b") == Status::Recovered);
  CHECK(log.append("!") == Status::Written);
  CHECK(fileContents(path) == "b!");
}

TEST_CASE("child log: open errors read like Python's OSError", "[logs][child_log]") {
  auto log = ChildLogFile::open("/nonexistent-dir/x.log", 0, 0);
  REQUIRE_FALSE(log.ok());
  CHECK(log.error() == "[Errno 2] No such file or directory: '/nonexistent-dir/x.log'");
}

TEST_CASE("child log: the descriptor is close-on-exec", "[logs][child_log]") {
  TempDirectory dir("child-log");
  const std::string path = dir.file("x.log");
  ChildLogFile log = openLog(path, 0, 0);
  int found = 0;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    if (fs::read_symlink(entry.path(), error) != path) continue;
    const int fd = std::stoi(entry.path().filename().string());
    CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    ++found;
  }
  CHECK(found == 1);
}
