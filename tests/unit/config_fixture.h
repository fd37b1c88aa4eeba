#pragma once
// ConfigDirectory: a temporary directory holding a user's config files, and
// loadConfig() run on its supervisord.conf as the daemon would run it, with a fixed
// environment (ENV_GREETING, ENV_PGPORT, ...) and host node name "node1".

#include <catch2/catch.hpp>
#include <string>

#include "supervisord/config/command_line.h"
#include "supervisord/config/config_loader.h"
#include "tests/support/temp_directory.h"

class ConfigDirectory : public TempDirectory {
 public:
  ConfigDirectory() : TempDirectory("config-test") {}

  std::string configFile() const { return file("supervisord.conf"); }

  // Writes `text` as supervisord.conf and loads it.
  common::Result<config::Config> load(const std::string& text, config::CommandLine overrides = {}) const {
    config::LoadOptions options;
    options.configFile = write("supervisord.conf", text);
    options.overrides = std::move(overrides);
    options.daemonEnvironment = {
        {"HOME", "/root"}, {"PATH", "/usr/bin:/bin"}, {"GREETING", "hello"}, {"PGPORT", "5432"}};
    options.hostNodeName = "node1";
    return config::loadConfig(options);
  }
};

// REQUIRES (checked): `c` has exactly one group with exactly one process.
inline const config::ProcessConfig& onlyProcess(const config::Config& c) {
  REQUIRE(c.groups.size() == 1);
  REQUIRE(c.groups[0].processes.size() == 1);
  return c.groups[0].processes[0];
}
