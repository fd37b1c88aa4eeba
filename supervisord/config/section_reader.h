#pragma once
// SectionReader: typed, expanded access to one INI section, with errors that name
// the file, the line, the section and the key. Internal to the config loader.

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/ini_file.h"
#include "common/result.h"
#include "supervisord/config/expansion.h"

// Inside a function returning common::Result<…>: assigns the value of a Result
// expression to `target`, or returns its error.
#define TRY_ASSIGN(target, expr)              \
  do {                                        \
    auto result_ = (expr);                    \
    if (!result_) return result_.takeError(); \
    target = *result_;                        \
  } while (0)

namespace config {

class SectionReader {
 public:
  // `environ` holds the ENV_* names visible to every key of the section.
  SectionReader(const common::IniFile& ini, const common::IniSection& section, const Expansions& environ);

  const std::string& name() const { return section_.name; }
  const common::IniSection& section() const { return section_; }

  // The raw entry (the section's own, else [DEFAULT]'s), or null.
  const common::IniEntry* entry(std::string_view key) const;
  bool has(std::string_view key) const { return entry(key) != nullptr; }

  // The value expanded with environ + here (the directory of the file the value
  // came from) + `extra`; `fallback` when the key is absent (also expanded).
  common::Result<std::optional<std::string>> get(std::string_view key, std::optional<std::string> fallback,
                                                 const Expansions& extra = {}) const;
  // The value as written (no expansion), or `fallback`.
  std::optional<std::string> raw(std::string_view key, std::optional<std::string> fallback = std::nullopt) const;

  // get() then a value-type parser; errors carry file:line [section] key.
  template <typename T>
  common::Result<T> parse(std::string_view key, std::string fallback,
                          const std::function<common::Result<T>(std::string_view)>& parser,
                          const Expansions& extra = {}) const {
    auto text = get(key, std::move(fallback), extra);
    if (!text) return text.takeError();
    auto value = parser(**text);
    if (!value) return error(key, value.error());
    return value;
  }

  // "file:line: [section] key: message" (the key's line, else the section's).
  common::Error error(std::string_view key, const std::string& message) const;
  // "file:line: [section]: message" (the section's line).
  common::Error sectionError(const std::string& message) const;
  std::string location(std::string_view key) const;
  // The directory of the file a key (or the section) came from: %(here)s.
  std::string hereFor(std::string_view key) const;

 private:
  const common::IniFile& ini_;
  const common::IniSection& section_;
  const Expansions& environ_;
};

}  // namespace config
