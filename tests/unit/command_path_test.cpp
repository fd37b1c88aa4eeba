#include "supervisord/process/command_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using process::resolveCommand;
using process::searchPath;

namespace {

// A fresh directory under /tmp, removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/command_path_test.XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }

  std::string file(const std::string& name, mode_t mode) const {
    auto p = path / name;
    std::ofstream(p) << "#!/bin/sh\n";
    ::chmod(p.c_str(), mode);
    return p.string();
  }
  std::string directory(const std::string& name) const {
    std::filesystem::create_directories(path / name);
    return (path / name).string();
  }
};

std::string errorOf(const common::Result<std::string>& result) { return result.ok() ? "<ok>" : result.error(); }

}  // namespace

TEST_CASE("command path: a program without '/' is searched in the child's PATH, in order", "[command_path]") {
  TempDir first, second;
  second.file("tool", 0755);
  first.directory("unrelated");
  config::Environment env{{"HOME", "/root"}, {"PATH", first.path.string() + ":" + second.path.string()}};
  auto found = resolveCommand("tool", env);
  REQUIRE(found.ok());
  CHECK(*found == (second.path / "tool").string());

  first.file("tool", 0755);
  CHECK(*resolveCommand("tool", env) == (first.path / "tool").string());
}

TEST_CASE("command path: without PATH in the child's environment Supervisor's default is searched",
          "[command_path]") {
  CHECK(searchPath({}) == std::vector<std::string>{"/bin", "/usr/bin", "/usr/local/bin"});
  CHECK(searchPath({{"PATH", ""}}) == std::vector<std::string>{"/bin", "/usr/bin", "/usr/local/bin"});
  CHECK(searchPath({{"PATH", "/a::/b/"}}) == std::vector<std::string>{"/a", "", "/b/"});
  CHECK(*resolveCommand("sh", {}) == "/bin/sh");
}

TEST_CASE("command path: a program that is nowhere gives \"can't find command\"", "[command_path]") {
  TempDir dir;
  config::Environment env{{"PATH", dir.path.string()}};
  CHECK(errorOf(resolveCommand("nosuchprogram", env)) == "can't find command 'nosuchprogram'");
  CHECK(errorOf(resolveCommand("/no/such/file", env)) == "can't find command '/no/such/file'");
  // The daemon's own PATH does not count: only the child's.
  CHECK(errorOf(resolveCommand("sh", env)) == "can't find command 'sh'");
}

TEST_CASE("command path: a path with '/' is used as it is", "[command_path]") {
  TempDir dir;
  auto tool = dir.file("tool", 0700);
  CHECK(*resolveCommand(tool, {{"PATH", "/nonexistent"}}) == tool);
}

TEST_CASE("command path: a directory or a file without execute bits is refused with Supervisor's words",
          "[command_path]") {
  TempDir dir;
  auto plain = dir.file("plain", 0644);
  auto sub = dir.directory("sub");
  CHECK(errorOf(resolveCommand(plain, {})) == "command at '" + plain + "' is not executable");
  CHECK(errorOf(resolveCommand(sub, {})) == "command at '" + sub + "' is a directory");
  // Like Supervisor, the first PATH entry that exists wins, even if it is a directory.
  config::Environment env{{"PATH", dir.path.string()}};
  CHECK(errorOf(resolveCommand("sub", env)) == "command at '" + sub + "' is a directory");
}

