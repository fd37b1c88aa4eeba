#pragma once
// Reads the [cluster] section (cluster_config.h). Internal to the config loader;
// errors name file:line [cluster] key like every other config error.

#include <optional>
#include <string>
#include <vector>

#include "common/ini_file.h"
#include "common/result.h"
#include "supervisord/config/cluster_config.h"
#include "supervisord/config/expansion.h"

namespace config {

// nullopt when the file has no [cluster] section. Values expand %(here)s,
// %(ENV_X)s and %(host_node_name)s.
common::Result<std::optional<ClusterConfig>> readClusterSection(const common::IniFile& ini, const Expansions& environ,
                                                               const std::string& hostNodeName);

// The section's keys, for the unknown-key warnings.
const std::vector<std::string>& clusterKeys();

}  // namespace config
