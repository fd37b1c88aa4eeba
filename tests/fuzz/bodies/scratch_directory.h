#pragma once
// Private directories for the files a fuzz body needs (a config file, logs, a
// socket): one per body, made once per process under $TMPDIR, removed at exit.

#include <string>
#include <string_view>

namespace fuzz {

// The directory of `body` (e.g. "config_loader"), made on first use.
std::string scratchDirectory(const std::string& body);

// Writes `text` to scratchDirectory(body)/name and returns the file's path.
std::string writeScratchFile(const std::string& body, const std::string& name, std::string_view text);

}  // namespace fuzz
