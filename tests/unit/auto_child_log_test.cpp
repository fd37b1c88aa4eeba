#include "supervisord/logs/auto_child_log.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>

#include "tests/support/temp_directory.h"

namespace fs = std::filesystem;
using logs::autoChildLogName;
using logs::clearAutoChildLogDir;

namespace {

// <prefix><8 characters of [a-z0-9_]>.log
bool hasAutoShape(const std::string& path, const std::string& prefix) {
  if (path.size() != prefix.size() + 8 + 4 || path.rfind(prefix, 0) != 0) return false;
  if (path.compare(path.size() - 4, 4, ".log") != 0) return false;
  const std::string random = path.substr(prefix.size(), 8);
  return random.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
}

}  // namespace

TEST_CASE("AUTO log: <name>-<channel>---<identifier>-<8 random chars>.log, created empty and private",
          "[logs][auto_child_log]") {
  TempDirectory dir("auto-log");
  auto first = autoChildLogName(dir.path().string(), "cat", "supervisor", "stdout");
  auto second = autoChildLogName(dir.path().string() + "/", "cat", "supervisor", "stdout");
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first.value() != second.value());
  const std::string prefix = dir.path().string() + "/cat-stdout---supervisor-";
  CHECK(hasAutoShape(first.value(), prefix));
  CHECK(hasAutoShape(second.value(), prefix));
  struct stat status {};
  REQUIRE(::stat(first.value().c_str(), &status) == 0);
  CHECK(S_ISREG(status.st_mode));
  CHECK(status.st_size == 0);
  CHECK((status.st_mode & 0777) == 0600);
}

TEST_CASE("AUTO log: a missing childlogdir is an error naming the file", "[logs][auto_child_log]") {
  auto name = autoChildLogName("/nonexistent-dir", "cat", "supervisor", "stderr");
  REQUIRE_FALSE(name.ok());
  CHECK(name.error().rfind("[Errno 2] No such file or directory: '/nonexistent-dir/cat-stderr---supervisor-", 0) == 0);
}

TEST_CASE("AUTO log: cleanup at start removes this identifier's logs and their backups only",
          "[logs][auto_child_log]") {
  TempDirectory dir("auto-log");
  auto log = autoChildLogName(dir.path().string(), "foo", "supervisor", "stdout");
  REQUIRE(log.ok());
  const std::string name = fs::path(log.value()).filename().string();
  dir.write(name + ".1", "log");
  dir.write(name + ".2", "log");
  dir.write("cat-stdout---supervisor-ayWAp9.log", "log");      // Supervisor's own test name
  dir.write("cat-stdout---supervisor-ayWAp9.log.old", "log");  // re.match is anchored at the start only
  dir.write("cat-stdout---other-ayWAp9.log", "log");           // another identifier
  dir.write("supervisord.log", "log");
  dir.write("---supervisor-x.log", "log");                     // nothing before ---
  dir.write("cat-stdout---supervisor-.log", "log");            // nothing between - and .log

  CHECK(clearAutoChildLogDir(dir.path().string(), "supervisor").empty());

  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(dir.path())) left.push_back(entry.path().filename().string());
  std::sort(left.begin(), left.end());
  CHECK(left == std::vector<std::string>{"---supervisor-x.log", "cat-stdout---other-ayWAp9.log",
                                         "cat-stdout---supervisor-.log", "supervisord.log"});
}

TEST_CASE("AUTO log: cleanup problems come back as Supervisor's warnings", "[logs][auto_child_log]") {
  CHECK(clearAutoChildLogDir("/tmp/this/cant/possibly/existjjjj", "supervisor") ==
        std::vector<std::string>{"Could not clear childlog dir"});

  TempDirectory dir("auto-log");
  const fs::path stubborn = dir.path() / "cat-stdout---supervisor-ayWAp9.log";
  fs::create_directory(stubborn);  // unlink(2) refuses a directory
  CHECK(clearAutoChildLogDir(dir.path().string(), "supervisor") ==
        std::vector<std::string>{"Failed to clean up '" + stubborn.string() + "'"});
}
