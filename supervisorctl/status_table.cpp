#include "supervisorctl/status_table.h"

#include <algorithm>

#include "common/python_str.h"
#include "common/namespec.h"

namespace supervisorctl {

using common::padRight;

namespace {

}  // namespace

std::vector<std::string> formatStatusTable(const std::vector<StatusRow>& rows) {
  std::vector<std::string> namespecs;
  std::size_t widest = 30;
  for (const StatusRow& row : rows) {
    namespecs.push_back(common::makeNamespec(row.group, row.name));
    widest = std::max(widest, common::pythonLength(namespecs.back()));
  }
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    lines.push_back(padRight(namespecs[i], widest + 3) + padRight(rows[i].statename, 10) + rows[i].description);
  }
  return lines;
}

}  // namespace supervisorctl
