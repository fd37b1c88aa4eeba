#include "supervisord/config/expansion.h"

#include "common/python_format.h"

namespace config {

common::Result<std::string> expand(std::string_view text, const Expansions& expansions, std::string_view name) {
  common::FormatMapping mapping;
  for (const auto& [key, value] : expansions) mapping.set(key, value);
  return common::expand(text, mapping, name);
}

}  // namespace config
