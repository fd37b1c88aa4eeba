#pragma once
// TempDirectory: a fresh directory $TMPDIR/<prefix>-XXXXXX (/tmp without TMPDIR) for one
// test, removed with everything in it when the object goes. mkdtemp makes it mode 0700,
// owned by us. scripts/test gives each run a TMPDIR of its own and checks it ends empty.
// fileContents(): what a test reads back from a file it made there.

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

class TempDirectory {
 public:
  // Throws (a failed test, not a failed assertion) when the directory cannot be made.
  explicit TempDirectory(const std::string& prefix) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::system_error(errno, std::generic_category(), pattern);
    path_ = pattern;
  }
  ~TempDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // The full path of `name` (which may hold slashes) inside the directory; nothing is created.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

  // Writes `text` byte for byte to `name`, creating its parent directories; its full path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::filesystem::path target = path_ / name;
    std::filesystem::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary);
    if (!(out << text).flush()) throw std::runtime_error("could not write " + target.string());
    return target.string();
  }

 private:
  std::filesystem::path path_;
};

// The bytes of the file at `path`; "" when there is no such file.
inline std::string fileContents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}
