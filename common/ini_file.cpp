#include "common/ini_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace common {
namespace {

// Python's str.isspace() over ASCII: configparser uses it for strip() and indentation.
bool isPythonSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
         (c >= 0x1c && c <= 0x1f);
}

std::string_view strip(std::string_view s) {
  while (!s.empty() && isPythonSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isPythonSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Splits on \n, \r\n and \r, as Python's universal newlines do.
std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || text[i] == '\r') {
      lines.push_back(text.substr(start, i - start));
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

// Where an inline comment starts, with configparser's scanning order: in each round
// every prefix advances to its next occurrence, and the round that first finds one
// preceded by whitespace (or at column 0) decides, taking the smallest index found
// in that round. npos when the line has none.
size_t inlineCommentStart(std::string_view line) {
  struct Cursor {
    char prefix;
    size_t index;
    bool active;
  };
  Cursor cursors[] = {{';', std::string_view::npos, true}, {'#', std::string_view::npos, true}};
  size_t commentStart = std::string_view::npos;
  auto anyActive = [&] { return cursors[0].active || cursors[1].active; };
  while (commentStart == std::string_view::npos && anyActive()) {
    for (auto& cursor : cursors) {
      if (!cursor.active) continue;
      size_t from = cursor.index == std::string_view::npos ? 0 : cursor.index + 1;
      size_t found = line.find(cursor.prefix, from);
      if (found == std::string_view::npos) {
        cursor.active = false;
        continue;
      }
      cursor.index = found;
      if (found == 0 || isPythonSpace(line[found - 1])) commentStart = std::min(commentStart, found);
    }
  }
  return commentStart;
}

}  // namespace

const IniEntry* IniSection::find(std::string_view key) const {
  for (const auto& entry : entries)
    if (entry.key == key) return &entry;
  return nullptr;
}

const IniSection* IniFile::section(std::string_view name) const {
  for (const auto& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

const IniEntry* IniFile::get(std::string_view sectionName, std::string_view key) const {
  if (const IniSection* s = section(sectionName))
    if (const IniEntry* e = s->find(key)) return e;
  return defaults_.find(key);
}

IniSection* IniFile::findOrAddSection(const std::string& name, const std::string& file, int line) {
  if (name == "DEFAULT") return &defaults_;
  for (auto& s : sections_)
    if (s.name == name) return &s;
  sections_.push_back(IniSection{name, file, line, {}});
  return &sections_.back();
}

Result<void> IniFile::readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError("could not read config file " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return readString(content.str(), path);
}

Result<void> IniFile::readString(std::string_view text, const std::string& source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);

  IniSection* current = nullptr;
  // Index of the entry being read in `current`, or npos: a section header ends it.
  size_t currentEntry = std::string::npos;
  size_t indentLevel = 0;
  std::string errors;

  auto lines = splitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const int lineno = static_cast<int>(i + 1);
    std::string_view line = lines[i];

    size_t commentStart = inlineCommentStart(line);
    std::string_view stripped = strip(line);
    if (!stripped.empty() && (stripped.front() == '#' || stripped.front() == ';')) commentStart = 0;
    std::string_view value = strip(line.substr(0, commentStart));

    if (value.empty()) {
      // A blank line inside a value is kept (trailing ones are dropped at the end);
      // a comment line is not.
      if (commentStart == std::string_view::npos && current && currentEntry != std::string::npos)
        current->entries[currentEntry].value += '\n';
      continue;
    }

    size_t indent = 0;
    while (indent < line.size() && isPythonSpace(line[indent])) ++indent;

    if (current && currentEntry != std::string::npos && indent > indentLevel) {
      current->entries[currentEntry].value += '\n';
      current->entries[currentEntry].value += value;
      continue;
    }

    indentLevel = indent;
    size_t close = value.rfind(']');
    if (value.front() == '[' && close != std::string_view::npos && close >= 2) {
      current = findOrAddSection(std::string(value.substr(1, close - 1)), source, lineno);
      currentEntry = std::string::npos;
      continue;
    }
    if (!current) {
      return makeError(source + ":" + std::to_string(lineno) +
                       ": file contains no section headers (expected a line like [supervisord]), got: " +
                       std::string(line));
    }
    size_t delimiter = value.find_first_of("=:");
    std::string_view option = delimiter == std::string_view::npos ? std::string_view{} : strip(value.substr(0, delimiter));
    if (option.empty()) {
      errors += source + ":" + std::to_string(lineno) +
                ": cannot parse line (expected 'key = value' or '[section]'): " + std::string(line) + "\n";
      currentEntry = std::string::npos;
      continue;
    }
    std::string key = lowercase(option);
    std::string optionValue(strip(value.substr(delimiter + 1)));
    auto it = std::find_if(current->entries.begin(), current->entries.end(),
                           [&](const IniEntry& e) { return e.key == key; });
    if (it == current->entries.end()) {
      current->entries.push_back(IniEntry{key, std::move(optionValue), source, lineno});
      currentEntry = current->entries.size() - 1;
    } else {
      *it = IniEntry{key, std::move(optionValue), source, lineno};
      currentEntry = static_cast<size_t>(it - current->entries.begin());
    }
  }

  // Trailing blank lines of multi-line values are dropped, as configparser's rstrip().
  auto trim = [](IniSection& s) {
    for (auto& e : s.entries)
      while (!e.value.empty() && isPythonSpace(e.value.back())) e.value.pop_back();
  };
  trim(defaults_);
  for (auto& s : sections_) trim(s);

  if (!errors.empty()) {
    errors.pop_back();
    return makeError(errors);
  }
  return {};
}

}  // namespace common
