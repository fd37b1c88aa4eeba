#include "supervisord/logs/auto_child_log.h"

#include "common/python_str.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "supervisord/logs/os_error.h"

namespace logs {

namespace {

// Python's tempfile._RandomNameSequence alphabet, and mkstemp's attempt limit.
constexpr std::string_view kNameCharacters = "abcdefghijklmnopqrstuvwxyz0123456789_";
constexpr int kAttempts = 10000;

std::string randomName(std::mt19937_64& random) {
  std::uniform_int_distribution<size_t> pick(0, kNameCharacters.size() - 1);
  std::string name(8, ' ');
  for (char& c : name) c = kNameCharacters[pick(random)];
  return name;
}

std::string joinPath(const std::string& directory, const std::string& name) {
  if (directory.empty() || directory.back() == '/') return directory + name;
  return directory + "/" + name;
}

// Python's \s on ASCII (str.isspace), for the \S+ below.
bool isSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f'); }

// re.match(r'.+?---<identifier>-\S+\.log', name): anchored at the start only, so
// anything may follow ".log". At least one character (not a newline) before the
// "---", at least one non-space character between the "-" and ".log".
bool isAutoChildLogName(const std::string& name, const std::string& identifier) {
  const std::string marker = "---" + identifier + "-";
  const size_t firstNewline = name.find('\n');
  for (size_t at = name.find(marker, 1); at != std::string::npos; at = name.find(marker, at + 1)) {
    if (at > firstNewline) return false;  // '.' does not match a newline
    const size_t random = at + marker.size();
    size_t runEnd = random;
    while (runEnd < name.size() && !isSpace(name[runEnd])) ++runEnd;
    const size_t suffix = name.find(".log", random + 1);
    if (suffix != std::string::npos && suffix + 4 <= runEnd) return true;
  }
  return false;
}

}  // namespace

common::Result<std::string> autoChildLogName(const std::string& childlogdir, const std::string& processName,
                                             const std::string& identifier, const std::string& channel) {
  static std::mt19937_64 random{std::random_device{}()};
  const std::string prefix = processName + "-" + channel + "---" + identifier + "-";
  int lastError = EEXIST;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const std::string path = joinPath(childlogdir, prefix + randomName(random) + ".log");
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
      ::close(fd);
      return path;
    }
    lastError = errno;
    if (lastError != EEXIST && lastError != EINTR) return common::makeError(osErrorMessage(lastError, path));
  }
  return common::makeError(osErrorMessage(lastError, joinPath(childlogdir, prefix + "*.log")));
}

std::vector<std::string> clearAutoChildLogDir(const std::string& childlogdir, const std::string& identifier) {
  std::vector<std::string> warnings;
  DIR* directory = ::opendir(childlogdir.c_str());
  if (directory == nullptr) {
    warnings.push_back("Could not clear childlog dir");
    return warnings;
  }
  std::vector<std::string> doomed;
  while (const dirent* entry = ::readdir(directory)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (isAutoChildLogName(name, identifier)) doomed.push_back(name);
  }
  ::closedir(directory);
  for (const std::string& name : doomed) {
    const std::string path = joinPath(childlogdir, name);
    if (::unlink(path.c_str()) != 0) warnings.push_back("Failed to clean up " + common::pythonRepr(path));
  }
  return warnings;
}

}  // namespace logs
