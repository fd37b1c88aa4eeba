#include "supervisord/config/value_parsers.h"

#include <cctype>

namespace config {

std::string strip(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

common::Error invalid(std::string_view key, std::string_view text, std::string_view expected) {
  return common::makeError("invalid '" + std::string(key) + "' value '" + std::string(text) + "' (expected " +
                           std::string(expected) + ")");
}

}  // namespace config
