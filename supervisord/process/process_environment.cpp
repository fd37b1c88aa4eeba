#include "supervisord/process/process_environment.h"

namespace process {

void setVariable(config::Environment& environment, const std::string& key, const std::string& value) {
  for (auto& kv : environment)
    if (kv.first == key) {
      kv.second = value;
      return;
    }
  environment.emplace_back(key, value);
}

config::Environment processEnvironment(const config::Environment& base, const std::optional<std::string>& serverUrl,
                                       const config::ProcessConfig& config) {
  config::Environment environment = base;
  setVariable(environment, "SUPERVISOR_ENABLED", "1");
  if (auto url = config.serverurl ? config.serverurl : serverUrl) setVariable(environment, "SUPERVISOR_SERVER_URL", *url);
  setVariable(environment, "SUPERVISOR_PROCESS_NAME", config.name);
  setVariable(environment, "SUPERVISOR_GROUP_NAME", config.groupName);
  for (const auto& [key, value] : config.environment) setVariable(environment, key, value);
  return environment;
}

}  // namespace process
