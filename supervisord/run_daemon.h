#pragma once
// Runs supervisord on a loaded configuration until shutdown; returns the exit status.

#include "supervisord/config/config_loader.h"
#include "supervisord/config/config_model.h"

namespace supervisord {

int runDaemon(config::Config config, const config::LoadOptions& load);

}  // namespace supervisord
