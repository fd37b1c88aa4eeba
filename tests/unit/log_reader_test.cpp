#include "supervisord/logs/log_reader.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/temp_directory.h"

using logs::readLogRange;
using logs::tailLog;

namespace {

// A file x.log holding `text`, in a fresh directory under /tmp removed afterwards.
struct TempLog {
  TempDirectory directory{"log-reader"};
  std::string path;
  explicit TempLog(const std::string& text) : path(directory.write("x.log", text)) {}
};

const std::string kLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";  // Python's string.ascii_letters

std::string read(const std::string& path, int64_t offset, int64_t length) {
  auto data = readLogRange(path, offset, length);
  return data.ok() ? data.value() : "error: " + data.error();
}

}  // namespace

// Expected values are Supervisor 4.2.5's (test_rpcinterfaces.py test_readLog and
// options.readFile run on the same inputs).

TEST_CASE("readLog: offset and length select bytes; length 0 reads to the end; a negative offset reads the tail",
          "[logs][log_reader]") {
  TempLog log(std::string(2048, 'x') + std::string(2048, 'y'));
  CHECK(read(log.path, 0, 0) == std::string(2048, 'x') + std::string(2048, 'y'));
  CHECK(read(log.path, 2048, 0) == std::string(2048, 'y'));
  CHECK(read(log.path, 0, 2048) == std::string(2048, 'x'));
  CHECK(read(log.path, -4, 0) == "yyyy");
}

TEST_CASE("readLog: ranges past either end are cut, not errors", "[logs][log_reader]") {
  TempLog log(kLetters);
  CHECK(read(log.path, 50, 0) == "YZ");
  CHECK(read(log.path, 60, 0) == "");
  CHECK(read(log.path, 60, 5) == "");
  CHECK(read(log.path, 3, 4) == "defg");
  CHECK(read(log.path, 50, 100) == "YZ");
  CHECK(read(log.path, -5, 0) == "VWXYZ");
  CHECK(read(log.path, -100, 0) == kLetters);
}

TEST_CASE("readLog: a negative offset with a length, or a negative length, is BAD_ARGUMENTS", "[logs][log_reader]") {
  TempLog log(std::string(2048, 'x'));
  CHECK(read(log.path, -1, 1) == "error: BAD_ARGUMENTS");
  CHECK(read(log.path, -1, -1) == "error: BAD_ARGUMENTS");
  CHECK(read(log.path, 0, -1) == "error: BAD_ARGUMENTS");
}

TEST_CASE("readLog: a file that cannot be opened is FAILED, whatever the arguments", "[logs][log_reader]") {
  CHECK(read("/notthere", 0, 10) == "error: FAILED");
  CHECK(read("/notthere", -1, 1) == "error: FAILED");
  CHECK(read("/", 0, 0) == "error: FAILED");  // a directory opens but cannot be read
}

TEST_CASE("tailLog: returns [bytes, file size, overflow] as Supervisor's tailFile does", "[logs][log_reader]") {
  TempLog log(kLetters);
  struct Case {
    int64_t offset, length;
    std::string bytes;
    bool overflow;
  };
  // options.tailFile on ascii_letters (52 bytes).
  const Case cases[] = {
      {0, 52, kLetters, false},         // everything fits
      {52, 100, "", false},             // nothing new
      {57, 100, "", false},             // offset beyond the end
      {0, 5, "VWXYZ", true},            // grew beyond offset+length: the last length bytes
      {10, 5, "VWXYZ", true},           //
      {10, 0, "", true},                //
      {0, 0, "", true},                 //
      {50, 10, "QRSTUVWXYZ", false},    // fewer new bytes than length: the last length bytes
      {-5, 3, "XYZ", true},             //
      {-100, 10, "QRSTUVWXYZ", true},   //
      {5, -3, "", true},                //
      {0, -1, "", true},                //
  };
  for (const Case& c : cases) {
    INFO("offset " << c.offset << " length " << c.length);
    const auto tail = tailLog(log.path, c.offset, c.length);
    CHECK(tail.bytes == c.bytes);
    CHECK(tail.offset == 52);
    CHECK(tail.overflow == c.overflow);
  }
}

TEST_CASE("tailLog: a missing file gives no bytes and the offset back", "[logs][log_reader]") {
  const auto tail = tailLog("/nonexist", 7, 3);
  CHECK(tail.bytes == "");
  CHECK(tail.offset == 7);
  CHECK_FALSE(tail.overflow);
}

TEST_CASE("tailLog: a follower gets the last length bytes, not only what is new since its offset",
          "[logs][log_reader]") {
  TempLog log("first\n");
  auto tail = tailLog(log.path, 0, 1024);
  CHECK(tail.bytes == "first\n");
  CHECK(tail.offset == 6);
  std::ofstream(log.path, std::ios::binary | std::ios::app) << "second\n";
  // Supervisor's tailFile: offset + length beyond the end means "the last length bytes".
  tail = tailLog(log.path, 6, 1024);
  CHECK(tail.bytes == "first\nsecond\n");
  CHECK(tail.offset == 13);
  CHECK_FALSE(tail.overflow);
  tail = tailLog(log.path, 6, 7);
  CHECK(tail.bytes == "second\n");
  CHECK_FALSE(tail.overflow);
  tail = tailLog(log.path, 6, 3);
  CHECK(tail.bytes == "nd\n");
  CHECK(tail.overflow);
}
