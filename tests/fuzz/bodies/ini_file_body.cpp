#include "common/ini_file.h"
#include "tests/fuzz/bodies/contract.h"
#include "tests/fuzz/fuzz_bodies.h"

namespace fuzz {

// Any text either reads or gives an error; what was read can be looked up again.
void iniFile(std::string_view input) {
  common::IniFile ini;
  auto read = ini.readString(input, "fuzz.conf");
  if (!read) {
    require(!read.error().empty(), "an IniFile error has a message");
    return;
  }
  for (const auto& section : ini.sections()) {
    require(ini.section(section.name) != nullptr, "section [" + section.name + "] can be found by its name");
    for (const auto& entry : section.entries) {
      require(ini.get(section.name, entry.key) != nullptr, "key " + entry.key + " can be found in its section");
    }
  }
}

}  // namespace fuzz
