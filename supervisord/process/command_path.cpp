#include "supervisord/process/command_path.h"

#include "common/python_str.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

namespace process {

namespace {

// os.path.join(directory, name) for a name without '/'.
std::string joinPath(const std::string& directory, std::string_view name) {
  if (directory.empty()) return std::string(name);
  std::string joined = directory;
  if (joined.back() != '/') joined += '/';
  joined += name;
  return joined;
}

std::optional<struct stat> statFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return st;
}

}  // namespace

std::vector<std::string> searchPath(const config::Environment& childEnvironment) {
  for (const auto& [key, value] : childEnvironment) {
    if (key != "PATH" || value.empty()) continue;
    std::vector<std::string> directories;
    std::string::size_type start = 0;
    while (true) {
      auto colon = value.find(':', start);
      directories.push_back(value.substr(start, colon - start));
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    return directories;
  }
  return {"/bin", "/usr/bin", "/usr/local/bin"};
}

common::Result<std::string> resolveCommand(std::string_view program,
                                           const config::Environment& childEnvironment) {
  std::string filename(program);
  std::optional<struct stat> st;
  if (program.find('/') != std::string_view::npos) {
    st = statFile(filename);
  } else {
    for (const auto& directory : searchPath(childEnvironment)) {
      std::string candidate = joinPath(directory, program);
      st = statFile(candidate);
      if (st) {
        filename = std::move(candidate);
        break;
      }
    }
  }

  // check_execv_args, in its order.
  using common::ErrorKind;
  if (!st) return common::makeError(ErrorKind::NoFile, "can't find command " + common::pythonRepr(filename));
  if (S_ISDIR(st->st_mode))
    return common::makeError(ErrorKind::NotExecutable,
                             "command at " + common::pythonRepr(filename) + " is a directory");
  if ((st->st_mode & 0111) == 0)
    return common::makeError(ErrorKind::NotExecutable,
                             "command at " + common::pythonRepr(filename) + " is not executable");
  if (::access(filename.c_str(), X_OK) != 0)
    return common::makeError(ErrorKind::NotExecutable, "no permission to run command " + common::pythonRepr(filename));
  return filename;
}


}  // namespace process
