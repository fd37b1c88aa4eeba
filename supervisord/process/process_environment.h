#pragma once
// The environment a program's commands run with: the daemon's environment, then
// Supervisor's variables (SUPERVISOR_ENABLED, SUPERVISOR_SERVER_URL,
// SUPERVISOR_PROCESS_NAME, SUPERVISOR_GROUP_NAME), then the configured
// `environment=` (which may override them). Used for the program itself and for its
// hooks and exec probes, so they all see the same variables.

#include <optional>
#include <string>

#include "supervisord/config/config_model.h"

namespace process {

// `serverUrl`: the daemon's SUPERVISOR_SERVER_URL, used when the program sets no serverurl.
config::Environment processEnvironment(const config::Environment& base, const std::optional<std::string>& serverUrl,
                                       const config::ProcessConfig& config);

// Sets `key` in `environment`, in place if present, else at the end.
void setVariable(config::Environment& environment, const std::string& key, const std::string& value);

}  // namespace process
