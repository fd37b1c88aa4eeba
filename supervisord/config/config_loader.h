#pragma once
// Loads and validates a supervisord.conf exactly as Supervisor 4.2.5 reads it:
// includes, expansions, every section and key with its default and type. Errors
// name the file, the line, the section and the key; nothing is half-loaded.

#include <string>

#include "common/result.h"
#include "supervisord/config/command_line.h"
#include "supervisord/config/config_model.h"

namespace config {

struct LoadOptions {
  std::string configFile;
  CommandLine overrides;            // command-line values win over the file
  Environment daemonEnvironment;    // the daemon's environment: %(ENV_X)s and children's base env
  std::string hostNodeName;         // %(host_node_name)s (uname nodename)
};

common::Result<Config> loadConfig(const LoadOptions& options);

// The current process's environment and node name, for LoadOptions.
Environment currentEnvironment();
std::string currentHostNodeName();

}  // namespace config
