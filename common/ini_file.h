#pragma once
// IniFile: an INI reader with the semantics of Python's configparser.RawConfigParser
// as Supervisor 4 configures it (inline_comment_prefixes=(';','#'), strict=False).
//
// Why our own: Debian's inih truncates lines at 200 bytes and cannot tell a
// continuation line from a repeated key (README.md, "Dependencies").
//
// What a caller may rely on, all as configparser does:
//  - sections in order of first appearance; a repeated section (in the same file
//    or a later one read into the same IniFile) is merged, later keys win;
//  - keys are lowercased; `=` or `:` separates key and value, whichever comes first;
//  - `;` or `#` starts an inline comment only at the start of a line or after
//    whitespace (with configparser's exact scanning order); full-line comments;
//  - a line indented deeper than its key continues the value, joined with "\n";
//    blank lines inside a value are kept, trailing ones dropped;
//  - [DEFAULT] holds fallbacks for every section and is not listed as a section;
//  - universal newlines (\n, \r\n, \r), no line-length limit.
// Unlike Python Supervisor we also accept a UTF-8 byte-order mark (Python reads it
// as part of the first section header and rejects the file).
// Every entry remembers its file and line, so that later layers can report errors
// as "file:line".

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace common {

struct IniEntry {
  std::string key;    // lowercased
  std::string value;  // stripped, continuation lines joined with "\n"
  std::string file;   // file it was read from
  int line = 0;       // line of the key
};

struct IniSection {
  std::string name;  // as written, case preserved
  std::string file;  // file of its first appearance
  int line = 0;
  std::vector<IniEntry> entries;  // in order of first appearance

  const IniEntry* find(std::string_view key) const;
};

class IniFile {
 public:
  // Reads a file and merges it into what was read before.
  Result<void> readFile(const std::string& path);
  // Same, from text; `source` names it in errors.
  Result<void> readString(std::string_view text, const std::string& source);

  // Sections in order, without DEFAULT.
  const std::vector<IniSection>& sections() const { return sections_; }
  const IniSection* section(std::string_view name) const;
  bool hasSection(std::string_view name) const { return section(name) != nullptr; }
  // The entry for key in section, else the one in [DEFAULT], else null.
  const IniEntry* get(std::string_view section, std::string_view key) const;
  const IniSection& defaults() const { return defaults_; }

 private:
  IniSection* findOrAddSection(const std::string& name, const std::string& file, int line);

  std::vector<IniSection> sections_;
  IniSection defaults_{"DEFAULT", "", 0, {}};
};

}  // namespace common
