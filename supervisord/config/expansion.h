#pragma once
// Supervisor's %-expansions (`%(here)s`, `%(ENV_X)s`, `%(process_num)02d`, …):
// Python's `%` formatting with a mapping, as options.py expand() does it.

#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.h"

namespace config {

using ExpansionValue = std::variant<std::string, long long>;
using Expansions = std::map<std::string, ExpansionValue>;

// Expands `text`; `name` (e.g. "program:foo.command") appears in error messages,
// which list the available names when one is unknown, as Supervisor's do.
common::Result<std::string> expand(std::string_view text, const Expansions& expansions, std::string_view name);

}  // namespace config
