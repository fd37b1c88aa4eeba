#pragma once
// Python's `format % mapping` and Supervisor's expand(s, expansions, name) on top
// of it: how every `%(here)s`, `%(ENV_HOME)s` or `%(process_num)02d` in a
// supervisord.conf is expanded.
//
// What a caller may rely on: the output and the error texts are those of Python
// 3.11 with a dict of str and int values, character for character (widths,
// precisions and error indexes count code points as Python does). A conversion
// without a key (`%s`) formats the whole mapping, as Python formats the dict.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.h"

namespace common {

// A value in the mapping: Supervisor's expansions are strings (here, group_name,
// program_name, ENV_*) and integers (process_num, numprocs).
using FormatValue = std::variant<std::string, long long>;

// A Python dict of FormatValues: insertion order, and setting an existing name
// replaces its value in place. The order shows only where Python shows the dict.
class FormatMapping {
 public:
  using Item = std::pair<std::string, FormatValue>;

  FormatMapping() = default;
  FormatMapping(std::initializer_list<Item> items);

  void set(std::string name, FormatValue value);
  const FormatValue* find(std::string_view name) const;
  const std::vector<Item>& items() const { return items_; }

 private:
  std::vector<Item> items_;
};

// The kind of exception Python raises; Supervisor's expand() tells KeyError apart.
enum class FormatErrorKind { KeyError, ValueError, TypeError, OverflowError, MemoryError };

struct FormatError {
  FormatErrorKind kind;
  std::string message;  // str(exception): for KeyError the repr of the missing name
};

// `format % mapping`, or the exception Python raises for it.
std::variant<std::string, FormatError> formatWithMapping(std::string_view format,
                                                         const FormatMapping& mapping);

// Supervisor's expand(s, expansions, name) (supervisor/options.py): `s % expansions`,
// with its two error messages, e.g.
//   Format string '%(x)s' for 'command' contains names ('x') which cannot be
//   expanded. Available names: ENV_HOME, group_name, here
//   Format string '%(x)Y' for 'command' is badly formatted: unsupported format
//   character 'Y' (0x59) at index 4
Result<std::string> expand(std::string_view s, const FormatMapping& expansions, std::string_view name);

}  // namespace common
