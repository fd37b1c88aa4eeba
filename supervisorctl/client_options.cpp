#include "supervisorctl/client_options.h"

#include <unistd.h>

#include <cstdlib>
#include <map>

#include "common/ini_file.h"
#include "common/python_format.h"
#include "common/python_str.h"
#include "common/value_types.h"

extern char** environ;

namespace supervisorctl {

namespace {

constexpr const char* kHelpText =
    "supervisorctl -- control applications run by supervisord from the cmd line.\n"
    "\n"
    "Usage: %s [options] [action [arguments]]\n"
    "\n"
    "Options:\n"
    "-c/--configuration FILENAME -- configuration file path (searches if not given)\n"
    "-h/--help -- print usage message and exit\n"
    "-i/--interactive -- start an interactive shell after executing commands\n"
    "-s/--serverurl URL -- URL on which supervisord server is listening\n"
    "     (default \"http://localhost:9001\").\n"
    "-u/--username USERNAME -- username to use for authentication with server\n"
    "-p/--password PASSWORD -- password to use for authentication with server\n"
    "-r/--history-file -- keep a readline history (if readline is available)\n"
    "\n"
    "action [arguments] -- see below\n"
    "\n"
    "Actions are commands like \"tail\" or \"stop\".  If -i is specified or no action is\n"
    "specified on the command line, a \"shell\" interpreting actions typed\n"
    "interactively is started.  Use the action \"help\" to find out about available\n"
    "actions.\n"
    "\n";

struct OptionSpec {
  char shortName;        // 0: long only
  const char* longName;  // getopt long name
  bool takesValue;
  const char* key;  // which setting
};

// Supervisor's options in its order. --history-file is ours as well: Python
// spells the long option --history_file while its help text says --history-file.
const OptionSpec kOptions[] = {
    {'h', "help", false, "help"},
    {'?', nullptr, false, "help"},
    {'c', "configuration", true, "configfile"},
    {'i', "interactive", false, "interactive"},
    {'s', "serverurl", true, "serverurl"},
    {'u', "username", true, "username"},
    {'p', "password", true, "password"},
    {'r', "history_file", true, "history"},
    {0, "history-file", true, "history"},
};

struct ParsedOption {
  std::string flag;  // "-s" or "--serverurl", as Python reports it
  const OptionSpec* spec;
  std::string value;
};

// Python's getopt.getopt: stops at the first non-option; long options may be
// abbreviated to a unique prefix.
common::Result<std::vector<ParsedOption>> getopt(const std::vector<std::string>& arguments, std::size_t& rest) {
  std::vector<ParsedOption> parsed;
  std::size_t i = 0;
  while (i < arguments.size()) {
    const std::string& argument = arguments[i];
    if (argument == "--") {
      ++i;
      break;
    }
    if (argument.size() < 2 || argument[0] != '-') break;
    if (argument.rfind("--", 0) == 0) {
      std::string name = argument.substr(2);
      std::optional<std::string> value;
      if (const auto equals = name.find('='); equals != std::string::npos) {
        value = name.substr(equals + 1);
        name = name.substr(0, equals);
      }
      std::vector<const OptionSpec*> matches;
      const OptionSpec* exact = nullptr;
      for (const OptionSpec& spec : kOptions) {
        if (!spec.longName) continue;
        const std::string longName = spec.longName;
        if (longName == name) exact = &spec;
        if (longName.rfind(name, 0) == 0) matches.push_back(&spec);
      }
      const OptionSpec* spec = exact;
      if (!spec) {
        if (matches.empty()) return common::makeError("option --" + name + " not recognized");
        if (matches.size() > 1) return common::makeError("option --" + name + " not a unique prefix");
        spec = matches.front();
      }
      if (spec->takesValue && !value) {
        if (i + 1 >= arguments.size()) return common::makeError("option --" + name + " requires argument");
        value = arguments[++i];
      } else if (!spec->takesValue && value) {
        return common::makeError("option --" + name + " must not have an argument");
      }
      parsed.push_back({"--" + std::string(spec->longName), spec, value.value_or("")});
      ++i;
      continue;
    }
    std::string letters = argument.substr(1);
    while (!letters.empty()) {
      const char letter = letters[0];
      letters.erase(0, 1);
      const OptionSpec* spec = nullptr;
      for (const OptionSpec& candidate : kOptions) {
        if (candidate.shortName == letter) spec = &candidate;
      }
      if (!spec) return common::makeError(std::string("option -") + letter + " not recognized");
      std::string value;
      if (spec->takesValue) {
        if (letters.empty()) {
          if (i + 1 >= arguments.size()) {
            return common::makeError(std::string("option -") + letter + " requires argument");
          }
          letters = arguments[++i];
        }
        value = letters;
        letters.clear();
      }
      parsed.push_back({std::string("-") + letter, spec, value});
    }
    ++i;
  }
  rest = i;
  return parsed;
}

// Supervisor's datatypes.url: urlparse finds a scheme and a netloc or path.
bool looksLikeUrl(const std::string& value) {
  const auto colon = value.find(':');
  if (colon == std::string::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(value[0]))) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = value[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
  }
  std::string rest = value.substr(colon + 1);
  rest = rest.substr(0, rest.find_first_of("?#"));
  return !rest.empty();
}

// How Python sees argv[0] for a script run through PATH: the file found there.
std::string programPath(const std::string& argv0) {
  if (argv0.find('/') != std::string::npos) return argv0;
  const char* path = std::getenv("PATH");
  std::string directories = path ? path : "";
  std::size_t start = 0;
  while (start <= directories.size()) {
    const auto end = std::min(directories.find(':', start), directories.size());
    std::string candidate = directories.substr(start, end - start) + "/" + argv0;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return argv0;
}

common::FormatMapping environmentExpansions() {
  common::FormatMapping mapping;
  for (char** entry = environ; *entry; ++entry) {
    const std::string text = *entry;
    const auto equals = text.find('=');
    if (equals == std::string::npos) continue;
    mapping.set("ENV_" + text.substr(0, equals), text.substr(equals + 1));
  }
  return mapping;
}

struct SectionValues {
  std::string serverurl = "http://localhost:9001";
  std::string prompt = "supervisor";
  std::optional<std::string> username, password, historyFile;
};

// ClientOptions.read_config: the [supervisorctl] section of `path`.
common::Result<SectionValues> readSupervisorctlSection(const std::string& path) {
  const std::string here = common::directoryOf(common::normalizePath(path));
  if (::access(path.c_str(), F_OK) != 0) return common::makeError("could not find config file " + path);
  common::IniFile ini;
  if (auto read = ini.readFile(path); !read) return read.takeError();
  if (!ini.hasSection("supervisorctl")) {
    return common::makeError(".ini file does not include supervisorctl section");
  }
  const common::FormatMapping environment = environmentExpansions();
  common::FormatMapping withHere = environment;
  withHere.set("here", here);
  SectionValues values;
  auto get = [&](const char* key, const common::FormatMapping& expansions) -> common::Result<std::optional<std::string>> {
    const common::IniEntry* entry = ini.get("supervisorctl", key);
    if (!entry) return std::optional<std::string>();
    auto expanded = common::expand(entry->value, expansions, std::string("supervisorctl.") + key);
    if (!expanded) return expanded.takeError();
    return std::optional<std::string>(expanded.value());
  };
  auto serverurl = get("serverurl", withHere);
  if (!serverurl) return serverurl.takeError();
  if (*serverurl) values.serverurl = **serverurl;
  if (values.serverurl.rfind("unix://", 0) == 0) {
    values.serverurl = "unix://" + common::normalizePath(values.serverurl.substr(7));
  }
  auto prompt = get("prompt", environment);
  if (!prompt) return prompt.takeError();
  if (*prompt) values.prompt = **prompt;
  auto username = get("username", environment);
  if (!username) return username.takeError();
  values.username = *username;
  auto password = get("password", environment);
  if (!password) return password.takeError();
  values.password = *password;
  auto history = get("history_file", withHere);
  if (!history) return history.takeError();
  if (*history && !(*history)->empty()) values.historyFile = common::normalizePath(**history);
  return values;
}

}  // namespace

std::vector<std::string> configSearchPaths(const std::string& progname) {
  const std::string here = common::directoryOf(common::directoryOf(progname));
  auto join = [](const std::string& directory, const std::string& name) {
    return directory.empty() ? name : directory + "/" + name;
  };
  return {join(join(here, "etc"), "supervisord.conf"),
          join(here, "supervisord.conf"),
          "supervisord.conf",
          "etc/supervisord.conf",
          "/etc/supervisord.conf",
          "/etc/supervisor/supervisord.conf"};
}

ClientOptionsOutcome parseClientOptions(const std::string& argv0, const std::vector<std::string>& arguments) {
  ClientOptionsOutcome outcome;
  ClientOptions& options = outcome.options;
  options.progname = programPath(argv0);
  auto usage = [&](const std::string& message) {
    outcome.kind = ClientOptionsOutcome::Kind::usageError;
    outcome.text = "Error: " + message + "\nFor help, use " + options.progname + " -h\n";
    return outcome;
  };

  std::size_t rest = 0;
  auto parsed = getopt(arguments, rest);
  if (!parsed) return usage(parsed.error());
  options.args.assign(arguments.begin() + static_cast<std::ptrdiff_t>(rest), arguments.end());

  std::map<std::string, std::string> given;  // from the command line, by key
  for (const ParsedOption& option : parsed.value()) {
    const std::string key = option.spec->key;
    if (key == "help") {
      std::string help = kHelpText;
      for (auto at = help.find("%s"); at != std::string::npos; at = help.find("%s", at + options.progname.size())) {
        help.replace(at, 2, options.progname);
      }
      outcome.kind = ClientOptionsOutcome::Kind::help;
      outcome.text = help;
      return outcome;
    }
    if (key == "serverurl" && !looksLikeUrl(option.value)) {
      const std::string repr = common::pythonRepr(option.value);
      return usage("invalid value for " + option.flag + " " + repr + ": value " + repr + " is not a URL");
    }
    if (given.count(key)) return usage("conflicting command line option '" + option.flag + "'");
    given[key] = option.value;
  }

  if (given.count("configfile")) {
    options.configfile = given["configfile"];
  } else {
    for (const std::string& path : configSearchPaths(options.progname)) {
      if (::access(path.c_str(), F_OK) == 0) {
        options.configfile = path;
        break;
      }
    }
  }
  SectionValues values;
  if (options.configfile) {
    auto read = readSupervisorctlSection(*options.configfile);
    if (!read) return usage(read.error());
    values = read.value();
  }
  options.serverurl = given.count("serverurl") ? given["serverurl"] : values.serverurl;
  options.username = given.count("username") ? std::optional(given["username"]) : values.username;
  options.password = given.count("password") ? std::optional(given["password"]) : values.password;
  options.prompt = values.prompt;
  options.historyFile = given.count("history") ? std::optional(given["history"]) : values.historyFile;
  options.interactive = given.count("interactive") > 0 || options.args.empty();
  return outcome;
}

}  // namespace supervisorctl
