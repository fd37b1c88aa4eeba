#pragma once
// The process status table of `supervisorctl status` (DefaultControllerPlugin.
// _show_statuses): one line per process, "namespec<pad>STATE<pad>description",
// the name column as wide as the longest namespec (at least 30) plus 3, the
// state column 10 wide; widths count code points as Python does. Pure, so that
// the daemon's web UI or API can share it.

#include <string>
#include <vector>

namespace supervisorctl {

struct StatusRow {
  std::string group;
  std::string name;
  std::string statename;    // "RUNNING"
  std::string description;  // "pid 42, uptime 0:01:02"
};

// The lines, without newlines.
std::vector<std::string> formatStatusTable(const std::vector<StatusRow>& rows);

}  // namespace supervisorctl
