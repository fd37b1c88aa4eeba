#pragma once
// Supervisor's namespecs (options.py make_namespec / split_namespec): a process
// is "name" when its group has its own name, else "group:name"; "group:*" and
// "group:" name a whole group. Shared by the daemon's API and supervisorctl.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace common {

inline std::string makeNamespec(const std::string& group, const std::string& process) {
  return group == process ? process : group + ":" + process;
}

// (group, process); no process for "group:*" and "group:".
inline std::pair<std::string, std::optional<std::string>> splitNamespec(std::string_view namespec) {
  const auto colon = namespec.find(':');
  if (colon == std::string_view::npos) return {std::string(namespec), std::string(namespec)};
  std::string process(namespec.substr(colon + 1));
  if (process.empty() || process == "*") return {std::string(namespec.substr(0, colon)), std::nullopt};
  return {std::string(namespec.substr(0, colon)), process};
}

}  // namespace common
