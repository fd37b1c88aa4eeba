#pragma once
// ClientOptions: supervisorctl's command line and [supervisorctl] section, read
// the way Supervisor 4.2.5's ClientOptions.realize() reads them: getopt syntax,
// command-line values win over the config file, which wins over the defaults;
// without -c the config file is searched in supervisord's list of paths.
//
// parseClientOptions() never exits: usage errors and -h come back as an
// Outcome the caller prints (stderr and exit 2, or stdout and exit 0).

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace supervisorctl {

struct ClientOptions {
  std::string progname;                   // argv[0] as Python sees it, for messages
  std::optional<std::string> configfile;  // the file read, if any
  std::string serverurl = "http://localhost:9001";
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::string prompt = "supervisor";
  std::optional<std::string> historyFile;
  bool interactive = false;        // -i, or no action given
  std::vector<std::string> args;  // the action and its arguments
};

struct ClientOptionsOutcome {
  enum class Kind { run, help, usageError };
  Kind kind = Kind::run;
  ClientOptions options;
  std::string text;  // help: the whole help text; usageError: the two lines for stderr
};

// `arguments` excludes argv[0]; `argv0` names the program.
ClientOptionsOutcome parseClientOptions(const std::string& argv0, const std::vector<std::string>& arguments);

// The files searched when -c is absent, in order (Options.searchpaths).
std::vector<std::string> configSearchPaths(const std::string& progname);

}  // namespace supervisorctl
