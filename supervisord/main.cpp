// supervisord: parse the command line, find and load the configuration, then
// either report on it (--check-config, --dump-config) or run the daemon.

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "supervisord/config/command_line.h"
#include "supervisord/config/config_loader.h"
#include "supervisord/config/config_report.h"
#include "supervisord/daemon/version.h"
#include "supervisord/run_daemon.h"

namespace {

// Supervisor's usage(): the message, a hint, exit status 2.
[[noreturn]] void usageError(const std::string& program, const std::string& message) {
  std::cerr << "Error: " << message << "\nFor help, use " << program << " -h\n";
  std::exit(2);
}

std::string findConfigFile(const std::string& program) {
  if (::getuid() == 0)
    std::cerr << "UserWarning: Supervisord is running as root and it is searching for its configuration file in "
                 "default locations (including its current working directory); you probably want to specify a "
                 "\"-c\" argument specifying an absolute path to a configuration file for improved security.\n";
  auto paths = config::defaultConfigSearchPaths(program);
  for (const auto& path : paths)
    if (::access(path.c_str(), F_OK) == 0) return path;
  std::string list;
  for (const auto& path : paths) list += (list.empty() ? "" : ", ") + path;
  usageError(program, "No config file found at default paths (" + list +
                          "); use the -c option to specify a config file at a different path");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string program = argv[0];
  auto commandLine = config::parseCommandLine(std::vector<std::string>(argv + 1, argv + argc));
  if (!commandLine) usageError(program, commandLine.error());
  if (commandLine->help) {
    std::cout << config::usageText(program);
    return 0;
  }
  if (commandLine->version) {
    std::cout << supervisord::kSupervisorVersion << "\n";
    return 0;
  }

  config::LoadOptions load;
  load.configFile = commandLine->configFile ? *commandLine->configFile : findConfigFile(program);
  load.overrides = *commandLine;
  load.daemonEnvironment = config::currentEnvironment();
  load.hostNodeName = config::currentHostNodeName();
  auto loaded = config::loadConfig(load);

  if (commandLine->checkConfig || commandLine->dumpConfig) {
    if (!loaded) {
      std::cerr << "Error: " << loaded.error() << "\n";
      return 1;
    }
    std::cout << (commandLine->dumpConfig ? config::configJson(*loaded) : config::configSummary(*loaded));
    return 0;
  }
  if (!loaded) usageError(program, loaded.error());
  return supervisord::runDaemon(std::move(*loaded), load);
}
