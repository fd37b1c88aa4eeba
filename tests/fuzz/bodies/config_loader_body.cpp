#include "supervisord/config/config_loader.h"
#include "tests/fuzz/bodies/contract.h"
#include "tests/fuzz/bodies/scratch_directory.h"
#include "tests/fuzz/fuzz_bodies.h"

namespace fuzz {

// The input is a whole supervisord.conf (its [include] globs are relative to the
// scratch directory, where it is the only .conf). It loads or gives an error that
// names what is wrong; a loaded file has a [supervisord] section's values.
void configLoader(std::string_view input) {
  config::LoadOptions options;
  options.configFile = writeScratchFile("config_loader", "supervisord.conf", input);
  options.daemonEnvironment = {{"HOME", "/root"}, {"PATH", "/usr/bin:/bin"}, {"USER", "root"}};
  options.hostNodeName = "fuzzhost";
  auto loaded = config::loadConfig(options);
  if (!loaded) {
    require(!loaded.error().empty(), "a config error has a message");
    return;
  }
  require(loaded->configFile == options.configFile, "the loaded config names its file");
  for (const auto& group : loaded->groups) require(!group.name.empty(), "every group has a name");
}

}  // namespace fuzz
