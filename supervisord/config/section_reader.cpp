#include "supervisord/config/section_reader.h"

#include "common/value_types.h"

namespace config {

SectionReader::SectionReader(const common::IniFile& ini, const common::IniSection& section,
                             const Expansions& environ)
    : ini_(ini), section_(section), environ_(environ) {}

const common::IniEntry* SectionReader::entry(std::string_view key) const {
  return ini_.get(section_.name, key);
}

std::string SectionReader::hereFor(std::string_view key) const {
  const common::IniEntry* e = entry(key);
  const std::string& file = e ? e->file : section_.file;
  return common::directoryOf(common::normalizePath(file));
}

std::optional<std::string> SectionReader::raw(std::string_view key, std::optional<std::string> fallback) const {
  if (const common::IniEntry* e = entry(key)) return e->value;
  return fallback;
}

common::Result<std::optional<std::string>> SectionReader::get(std::string_view key,
                                                              std::optional<std::string> fallback,
                                                              const Expansions& extra) const {
  std::optional<std::string> text = raw(key, std::move(fallback));
  if (!text) return std::optional<std::string>{};
  Expansions all = environ_;
  for (const auto& [k, v] : extra) all[k] = v;
  all["here"] = hereFor(key);
  auto expanded = expand(*text, all, section_.name + "." + std::string(key));
  if (!expanded) return error(key, expanded.error());
  return std::optional<std::string>(std::move(*expanded));
}

std::string SectionReader::location(std::string_view key) const {
  const common::IniEntry* e = entry(key);
  if (e) return e->file + ":" + std::to_string(e->line);
  return section_.file + ":" + std::to_string(section_.line);
}

common::Error SectionReader::error(std::string_view key, const std::string& message) const {
  return common::makeError(location(key) + ": [" + section_.name + "] " + std::string(key) + ": " + message);
}

common::Error SectionReader::sectionError(const std::string& message) const {
  return common::makeError(section_.file + ":" + std::to_string(section_.line) + ": [" + section_.name +
                           "]: " + message);
}

}  // namespace config
