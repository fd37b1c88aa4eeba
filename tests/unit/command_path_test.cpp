#include "supervisord/process/command_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/support/temp_directory.h"

using process::resolveCommand;
using process::searchPath;

namespace {

// A "#!/bin/sh" script `name` in `dir` with permissions `mode`; its path.
std::string script(const TempDirectory& dir, const std::string& name, mode_t mode) {
  const std::string path = dir.write(name, "#!/bin/sh\n");
  ::chmod(path.c_str(), mode);
  return path;
}

std::string subdirectory(const TempDirectory& dir, const std::string& name) {
  std::filesystem::create_directories(dir.path() / name);
  return dir.file(name);
}

std::string errorOf(const common::Result<std::string>& result) { return result.ok() ? "<ok>" : result.error(); }

}  // namespace

TEST_CASE("command path: a program without '/' is searched in the child's PATH, in order", "[command_path]") {
  TempDirectory first("command-path"), second("command-path");
  script(second, "tool", 0755);
  subdirectory(first, "unrelated");
  config::Environment env{{"HOME", "/root"}, {"PATH", first.path().string() + ":" + second.path().string()}};
  auto found = resolveCommand("tool", env);
  REQUIRE(found.ok());
  CHECK(*found == (second.path() / "tool").string());

  script(first, "tool", 0755);
  CHECK(*resolveCommand("tool", env) == (first.path() / "tool").string());
}

TEST_CASE("command path: without PATH in the child's environment Supervisor's default is searched",
          "[command_path]") {
  CHECK(searchPath({}) == std::vector<std::string>{"/bin", "/usr/bin", "/usr/local/bin"});
  CHECK(searchPath({{"PATH", ""}}) == std::vector<std::string>{"/bin", "/usr/bin", "/usr/local/bin"});
  CHECK(searchPath({{"PATH", "/a::/b/"}}) == std::vector<std::string>{"/a", "", "/b/"});
  CHECK(*resolveCommand("sh", {}) == "/bin/sh");
}

TEST_CASE("command path: a program that is nowhere gives \"can't find command\"", "[command_path]") {
  TempDirectory dir("command-path");
  config::Environment env{{"PATH", dir.path().string()}};
  CHECK(errorOf(resolveCommand("nosuchprogram", env)) == "can't find command 'nosuchprogram'");
  CHECK(errorOf(resolveCommand("/no/such/file", env)) == "can't find command '/no/such/file'");
  // The daemon's own PATH does not count: only the child's.
  CHECK(errorOf(resolveCommand("sh", env)) == "can't find command 'sh'");
}

TEST_CASE("command path: a path with '/' is used as it is", "[command_path]") {
  TempDirectory dir("command-path");
  auto tool = script(dir, "tool", 0700);
  CHECK(*resolveCommand(tool, {{"PATH", "/nonexistent"}}) == tool);
}

TEST_CASE("command path: a directory or a file without execute bits is refused with Supervisor's words",
          "[command_path]") {
  TempDirectory dir("command-path");
  auto plain = script(dir, "plain", 0644);
  auto sub = subdirectory(dir, "sub");
  CHECK(errorOf(resolveCommand(plain, {})) == "command at '" + plain + "' is not executable");
  CHECK(errorOf(resolveCommand(sub, {})) == "command at '" + sub + "' is a directory");
  // Like Supervisor, the first PATH entry that exists wins, even if it is a directory.
  config::Environment env{{"PATH", dir.path().string()}};
  CHECK(errorOf(resolveCommand("sub", env)) == "command at '" + sub + "' is a directory");
}

