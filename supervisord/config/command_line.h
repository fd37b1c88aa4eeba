#pragma once
// supervisord's command line: every option of Supervisor 4.2.5 (short and long
// forms, long-option prefixes as getopt allows) plus ours (--check-config,
// --dump-config). Values given here win over the config file.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace config {

struct CommandLine {
  std::optional<std::string> configFile;  // -c
  bool help = false;                       // -h
  bool version = false;                    // -v
  bool checkConfig = false;                // --check-config (ours)
  bool dumpConfig = false;                 // --dump-config (ours): the loaded config as JSON
  // [supervisord] overrides
  std::optional<bool> nodaemon, silent, nocleanup, stripAnsi;
  std::optional<std::string> user, logfile, pidfile, identifier, childlogdir, directory;
  std::optional<long long> logfileMaxbytes;
  std::optional<int> logfileBackups, minfds, minprocs, loglevel;
  std::optional<mode_t> umask;
  std::optional<std::string> profileOptions;  // accepted and ignored (Python profiler)
};

// Parses argv[1..]. An error is a usage message ("invalid value for -q '/x': ...").
common::Result<CommandLine> parseCommandLine(const std::vector<std::string>& args);

// The text `supervisord -h` prints.
std::string usageText(const std::string& program);

// Supervisor's search order when -c is absent; `executable` is argv[0].
std::vector<std::string> defaultConfigSearchPaths(const std::string& executable);

}  // namespace config
