#include "supervisord/logs/os_error.h"

#include <cstdio>
#include <cstring>

namespace logs {

std::string pythonRepr(std::string_view text) {
  const bool hasSingle = text.find('\'') != std::string_view::npos;
  const bool hasDouble = text.find('"') != std::string_view::npos;
  const char quote = (hasSingle && !hasDouble) ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : text) {
    if (c == '\\' || c == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);  // UTF-8 bytes pass through, as printable str characters do
    }
  }
  out += quote;
  return out;
}

std::string osErrorMessage(int error, std::string_view path) {
  std::string message = "[Errno " + std::to_string(error) + "] " + std::strerror(error);
  if (!path.empty()) message += ": " + pythonRepr(path);
  return message;
}

}  // namespace logs
