#include "supervisorctl/status_table.h"

#include <algorithm>

#include "common/python_str.h"
#include "common/namespec.h"

namespace supervisorctl {

namespace {

// Python's "%-Ns": pads to `width` code points, never truncates.
std::string padRight(const std::string& text, std::size_t width) {
  const std::size_t length = common::decodeUtf8(text).size();
  return length >= width ? text : text + std::string(width - length, ' ');
}

}  // namespace

std::vector<std::string> formatStatusTable(const std::vector<StatusRow>& rows) {
  std::vector<std::string> namespecs;
  std::size_t widest = 30;
  for (const StatusRow& row : rows) {
    namespecs.push_back(common::makeNamespec(row.group, row.name));
    widest = std::max(widest, common::decodeUtf8(namespecs.back()).size());
  }
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    lines.push_back(padRight(namespecs[i], widest + 3) + padRight(rows[i].statename, 10) + rows[i].description);
  }
  return lines;
}

}  // namespace supervisorctl
