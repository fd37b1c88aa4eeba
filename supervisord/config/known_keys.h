#pragma once
// The sections and keys Supervisor 4.2.5 understands. Anything else gets a warning
// naming the file and the line (Supervisor ignores it silently; a typo such as
// `autorestart` spelled `auto_restart` deserves a word).

#include <string>
#include <vector>

#include "common/ini_file.h"

namespace config {

void warnAboutUnknownKeys(const common::IniFile& ini, const std::string& mainFile, std::vector<std::string>& warnings);

}  // namespace config
