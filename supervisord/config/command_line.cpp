#include "supervisord/config/command_line.h"

#include <functional>

#include "common/value_types.h"

namespace config {
namespace {

using common::Result;

struct OptionSpec {
  char shortName;        // 0 when long-only
  const char* longName;  // null when short-only
  bool takesValue;
  // Applies the (validated) value; returns an error message for a bad value.
  std::function<Result<void>(CommandLine&, const std::string&)> apply;
  const char* attribute;  // for "conflicting command line option" (null = may repeat)
};

template <typename T, typename Parse>
std::function<Result<void>(CommandLine&, const std::string&)> setWith(std::optional<T> CommandLine::*field, Parse parse) {
  return [field, parse](CommandLine& cl, const std::string& value) -> Result<void> {
    auto parsed = parse(value);
    if (!parsed) return parsed.takeError();
    cl.*field = static_cast<T>(*parsed);
    return {};
  };
}

std::function<Result<void>(CommandLine&, const std::string&)> setText(std::optional<std::string> CommandLine::*field) {
  return [field](CommandLine& cl, const std::string& value) -> Result<void> {
    cl.*field = value;
    return {};
  };
}

std::function<Result<void>(CommandLine&, const std::string&)> setFlag(std::optional<bool> CommandLine::*field) {
  return [field](CommandLine& cl, const std::string&) -> Result<void> {
    cl.*field = true;
    return {};
  };
}

std::function<Result<void>(CommandLine&, const std::string&)> setBool(bool CommandLine::*field) {
  return [field](CommandLine& cl, const std::string&) -> Result<void> {
    cl.*field = true;
    return {};
  };
}

const std::vector<OptionSpec>& specs() {
  static const std::vector<OptionSpec> all = {
      {'h', "help", false, setBool(&CommandLine::help), nullptr},
      {'?', nullptr, false, setBool(&CommandLine::help), nullptr},
      {'c', "configuration", true, setText(&CommandLine::configFile), "configfile"},
      {'v', "version", false, setBool(&CommandLine::version), nullptr},
      {'n', "nodaemon", false, setFlag(&CommandLine::nodaemon), "nodaemon"},
      {'u', "user", true, setText(&CommandLine::user), "user"},
      {'m', "umask", true, setWith(&CommandLine::umask, common::parseOctal), "umask"},
      {'d', "directory", true, setWith(&CommandLine::directory, common::parseExistingDirectory), "directory"},
      {'l', "logfile", true, setWith(&CommandLine::logfile, common::parseExistingDirPath), "logfile"},
      {'y', "logfile_maxbytes", true, setWith(&CommandLine::logfileMaxbytes, common::parseByteSize), "logfile_maxbytes"},
      {'z', "logfile_backups", true, setWith(&CommandLine::logfileBackups, common::parseInteger), "logfile_backups"},
      {'e', "loglevel", true, setWith(&CommandLine::loglevel, common::parseLogLevel), "loglevel"},
      {'j', "pidfile", true, setWith(&CommandLine::pidfile, common::parseExistingDirPath), "pidfile"},
      {'i', "identifier", true, setText(&CommandLine::identifier), "identifier"},
      {'q', "childlogdir", true, setWith(&CommandLine::childlogdir, common::parseExistingDirectory), "childlogdir"},
      {'a', "minfds", true, setWith(&CommandLine::minfds, common::parseInteger), "minfds"},
      {0, "minprocs", true, setWith(&CommandLine::minprocs, common::parseInteger), "minprocs"},
      {'k', "nocleanup", false, setFlag(&CommandLine::nocleanup), "nocleanup"},
      {'t', "strip_ansi", false, setFlag(&CommandLine::stripAnsi), "strip_ansi"},
      {0, "profile_options", true, setText(&CommandLine::profileOptions), "profile_options"},
      {'s', "silent", false, setFlag(&CommandLine::silent), "silent"},
      {0, "check-config", false, setBool(&CommandLine::checkConfig), nullptr},
      {0, "dump-config", false, setBool(&CommandLine::dumpConfig), nullptr},
  };
  return all;
}

}  // namespace

Result<CommandLine> parseCommandLine(const std::vector<std::string>& args) {
  CommandLine cl;
  std::vector<std::string> seen;
  auto applyOption = [&](const OptionSpec& spec, const std::string& shown, const std::string& value) -> Result<void> {
    if (spec.attribute) {
      for (const auto& s : seen)
        if (s == spec.attribute) return common::makeError("conflicting command line option '" + shown + "'");
      seen.emplace_back(spec.attribute);
    }
    auto applied = spec.apply(cl, value);
    if (!applied) return common::makeError("invalid value for " + shown + " '" + value + "': " + applied.error());
    return {};
  };

  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2);
      std::optional<std::string> value;
      if (size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
      // getopt: an exact name, else a unique prefix.
      const OptionSpec* match = nullptr;
      int prefixMatches = 0;
      for (const auto& spec : specs()) {
        if (!spec.longName) continue;
        std::string_view longName = spec.longName;
        if (longName == name) {
          match = &spec;
          prefixMatches = 1;
          break;
        }
        if (longName.rfind(name, 0) == 0) {
          match = &spec;
          ++prefixMatches;
        }
      }
      if (!match) return common::makeError("option --" + name + " not recognized");
      if (prefixMatches > 1) return common::makeError("option --" + name + " not a unique prefix");
      std::string shown = std::string("--") + match->longName;
      if (match->takesValue && !value) {
        if (i + 1 >= args.size()) return common::makeError("option " + shown + " requires argument");
        value = args[++i];
      } else if (!match->takesValue && value) {
        return common::makeError("option " + shown + " must not have an argument");
      }
      auto r = applyOption(*match, shown, value.value_or(""));
      if (!r) return r.takeError();
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      for (size_t j = 1; j < arg.size(); ++j) {
        const OptionSpec* match = nullptr;
        for (const auto& spec : specs())
          if (spec.shortName == arg[j]) match = &spec;
        std::string shown = std::string("-") + arg[j];
        if (!match) return common::makeError("option " + shown + " not recognized");
        std::string value;
        if (match->takesValue) {
          if (j + 1 < arg.size()) {
            value = arg.substr(j + 1);
          } else if (i + 1 < args.size()) {
            value = args[++i];
          } else {
            return common::makeError("option " + shown + " requires argument");
          }
          j = arg.size();
        }
        auto r = applyOption(*match, shown, value);
        if (!r) return r.takeError();
      }
      continue;
    }
    break;  // getopt stops at the first non-option
  }
  if (i < args.size()) {
    std::string list;
    for (size_t k = i; k < args.size(); ++k) list += (list.empty() ? "'" : ", '") + args[k] + "'";
    return common::makeError("positional arguments are not supported: [" + list + "]");
  }
  return cl;
}

std::string usageText(const std::string& program) {
  return "supervisord -- run a set of applications as daemons.\n"
         "\n"
         "Usage: " + program + " [options]\n"
         "\n"
         "Options:\n"
         "-c/--configuration FILENAME -- configuration file path (searches if not given)\n"
         "-n/--nodaemon -- run in the foreground (same as 'nodaemon=true' in config file)\n"
         "-s/--silent -- no logs to stdout (maps to 'silent=true' in config file)\n"
         "-h/--help -- print this usage message and exit\n"
         "-v/--version -- print supervisord version number and exit\n"
         "-u/--user USER -- run supervisord as this user (or numeric uid)\n"
         "-m/--umask UMASK -- use this umask for daemon subprocess (default is 022)\n"
         "-d/--directory DIRECTORY -- directory to chdir to when daemonized\n"
         "-l/--logfile FILENAME -- use FILENAME as logfile path\n"
         "-y/--logfile_maxbytes BYTES -- use BYTES to limit the max size of logfile\n"
         "-z/--logfile_backups NUM -- number of backups to keep when max bytes reached\n"
         "-e/--loglevel LEVEL -- use LEVEL as log level (debug,info,warn,error,critical)\n"
         "-j/--pidfile FILENAME -- write a pid file for the daemon process to FILENAME\n"
         "-i/--identifier STR -- identifier used for this instance of supervisord\n"
         "-q/--childlogdir DIRECTORY -- the log directory for child process logs\n"
         "-k/--nocleanup --  prevent the process from performing cleanup (removal of\n"
         "                   old automatic child log files) at startup.\n"
         "-a/--minfds NUM -- the minimum number of file descriptors for start success\n"
         "-t/--strip_ansi -- strip ansi escape codes from process output\n"
         "--minprocs NUM  -- the minimum number of processes available for start success\n"
         "--profile_options OPTIONS -- accepted for compatibility, ignored\n"
         "\n"
         "supervisor-ha additions:\n"
         "--check-config -- load and validate the configuration, print the groups and\n"
         "                  programs it defines, exit 0 if valid, 1 if not\n"
         "--dump-config  -- print the loaded configuration as JSON and exit\n";
}

std::vector<std::string> defaultConfigSearchPaths(const std::string& executable) {
  std::string here = common::directoryOf(common::directoryOf(executable));
  auto join = [](const std::string& a, const std::string& b) { return a.empty() ? b : a + "/" + b; };
  return {join(here, "etc/supervisord.conf"), join(here, "supervisord.conf"), "supervisord.conf",
          "etc/supervisord.conf", "/etc/supervisord.conf", "/etc/supervisor/supervisord.conf"};
}

}  // namespace config
