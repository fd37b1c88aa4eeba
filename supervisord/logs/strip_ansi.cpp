#include "supervisord/logs/strip_ansi.h"

namespace logs {

namespace {
constexpr std::string_view kEscapeBegin = "\x1b[";
constexpr std::string_view kTerminators = "HfABCDRsuJKhlpm";
}  // namespace

std::string stripAnsi(std::string_view bytes) {
  std::string result;
  result.reserve(bytes.size());
  size_t position = 0;
  while (position < bytes.size()) {
    const size_t escape = bytes.find(kEscapeBegin, position);
    if (escape == std::string_view::npos) {
      result.append(bytes.substr(position));
      break;
    }
    result.append(bytes.substr(position, escape - position));
    // Supervisor starts looking for the terminator at the '[' itself.
    const size_t terminator = bytes.find_first_of(kTerminators, escape + 1);
    if (terminator == std::string_view::npos) break;
    position = terminator + 1;
  }
  return result;
}

}  // namespace logs
