#pragma once
// What `supervisord --check-config` and `--dump-config` print: a summary for
// people, and the full effective configuration as JSON (the same shape that
// tests/compat/supervisor_config_oracle.py produces from Python Supervisor).

#include <string>

#include "supervisord/config/config_model.h"

namespace config {

std::string configSummary(const Config& config);
std::string configJson(const Config& config);

}  // namespace config
