#include "supervisord/logs/os_error.h"

#include "common/python_str.h"

#include <cstdio>
#include <cstring>

namespace logs {


std::string osErrorMessage(int error, std::string_view path) {
  std::string message = "[Errno " + std::to_string(error) + "] " + std::strerror(error);
  if (!path.empty()) message += ": " + common::pythonRepr(path);
  return message;
}

}  // namespace logs
