#pragma once
// The process-group sections of a config: [program:x], [group:x],
// [eventlistener:x], [fcgi-program:x], turned into ProcessGroupConfigs as
// Supervisor's process_groups_from_parser does. Internal to the config loader.

#include <string>
#include <vector>

#include "common/ini_file.h"
#include "common/result.h"
#include "supervisord/config/config_model.h"
#include "supervisord/config/expansion.h"

namespace config {

struct ProcessSectionContext {
  const common::IniFile& ini;
  const Expansions& environ;              // ENV_* of the daemon and [supervisord] environment
  const Environment& supervisordEnvironment;
  std::string hostNodeName;
  std::vector<std::string>& warnings;
};

// Groups in ascending priority (stable: [group:x], then programs, listeners, fcgi).
common::Result<std::vector<ProcessGroupConfig>> processGroupsFromSections(const ProcessSectionContext& context);

// Names of the event types a listener may subscribe to.
const std::vector<std::string>& eventTypeNames();

}  // namespace config
