#include "tests/fuzz/bodies/scratch_directory.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fuzz {
namespace {

std::string& processDirectory() {
  static std::string path;
  return path;
}

}  // namespace

std::string scratchDirectory(const std::string& body) {
  std::string& root = processDirectory();
  if (root.empty()) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/supervisor-ha-fuzz.XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot create a scratch directory: " + pattern);
    root = pattern;
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(processDirectory(), ignored);
    });
  }
  const std::string path = root + "/" + body;
  std::filesystem::create_directories(path);
  return path;
}

std::string writeScratchFile(const std::string& body, const std::string& name, std::string_view text) {
  const std::string path = scratchDirectory(body) + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
  return path;
}

}  // namespace fuzz
