#include "supervisord/config/known_keys.h"

#include <algorithm>
#include <string_view>

#include "supervisord/config/cluster_section.h"
#include "supervisord/config/policy_sections.h"

namespace config {
namespace {

const std::vector<std::string> kSupervisordKeys = {
    "logfile", "logfile_maxbytes", "logfile_backups", "loglevel", "pidfile", "umask", "nodaemon", "silent",
    "minfds", "minprocs", "nocleanup", "childlogdir", "user", "directory", "strip_ansi", "environment",
    "identifier", "start_order"};
const std::vector<std::string> kUnixServerKeys = {"file", "chmod", "chown", "username", "password"};
const std::vector<std::string> kInetServerKeys = {"port", "username", "password", "allow_unauthenticated"};
const std::vector<std::string> kSupervisorctlKeys = {"serverurl", "username", "password", "prompt", "history_file"};
const std::vector<std::string> kIncludeKeys = {"files"};

std::vector<std::string> programKeys() {
  std::vector<std::string> keys = {"command", "process_name", "numprocs", "numprocs_start", "priority", "autostart",
                                   "startsecs", "startretries", "autorestart", "exitcodes", "stopsignal",
                                   "stopwaitsecs", "stopasgroup", "killasgroup", "user", "redirect_stderr",
                                   "environment", "directory", "umask", "serverurl"};
  for (const char* channel : {"stdout", "stderr"})
    for (const char* suffix : {"_logfile", "_logfile_maxbytes", "_logfile_backups", "_capture_maxbytes",
                               "_events_enabled", "_syslog"})
      keys.push_back(std::string(channel) + suffix);
  return keys;
}

std::vector<std::string> withExtra(std::vector<std::string> keys, std::initializer_list<const char*> extra) {
  for (const char* k : extra) keys.emplace_back(k);
  return keys;
}

std::vector<std::string> withExtra(std::vector<std::string> keys, const std::vector<std::string>& extra) {
  keys.insert(keys.end(), extra.begin(), extra.end());
  return keys;
}

// The keys a section accepts; null = any key (plugins take arbitrary keyword arguments).
const std::vector<std::string>* keysFor(const std::string& section, bool& known) {
  // The restart-policy keys (ours) are read in programs and fcgi-programs, not in event listeners.
  static const std::vector<std::string> program = withExtra(programKeys(), processPolicyKeys());
  static const std::vector<std::string> listener = withExtra(programKeys(), {"events", "buffer_size", "result_handler"});
  static const std::vector<std::string> fcgi =
      withExtra(withExtra(programKeys(), {"socket", "socket_backlog", "socket_owner", "socket_mode"}),
                processPolicyKeys());
  static const std::vector<std::string> group = withExtra({"programs", "priority"}, groupPolicyKeys());
  known = true;
  if (section == "supervisord") return &kSupervisordKeys;
  if (section.starts_with("unix_http_server")) return &kUnixServerKeys;
  if (section.starts_with("inet_http_server")) return &kInetServerKeys;
  if (section == "supervisorctl") return &kSupervisorctlKeys;
  if (section == "include") return &kIncludeKeys;
  if (section == "cluster") return &clusterKeys();
  if (section.starts_with("program:")) return &program;
  if (section.starts_with("eventlistener:")) return &listener;
  if (section.starts_with("fcgi-program:")) return &fcgi;
  if (section.starts_with("group:")) return &group;
  if (section.starts_with("rpcinterface:") || section.starts_with("ctlplugin:")) return nullptr;
  known = false;
  return nullptr;
}

}  // namespace

void warnAboutUnknownKeys(const common::IniFile& ini, const std::string& mainFile, std::vector<std::string>& warnings) {
  for (const auto& section : ini.sections()) {
    bool known = false;
    const std::vector<std::string>* keys = keysFor(section.name, known);
    if (!known) {
      warnings.push_back(section.file + ":" + std::to_string(section.line) + ": unknown section [" + section.name +
                         "] (ignored)");
      continue;
    }
    if (section.name == "include" && section.file != mainFile) {
      warnings.push_back(section.file + ":" + std::to_string(section.line) +
                         ": [include] in an included file is ignored (includes do not nest)");
    }
    if (!keys) continue;
    for (const auto& entry : section.entries) {
      if (std::find(keys->begin(), keys->end(), entry.key) == keys->end())
        warnings.push_back(entry.file + ":" + std::to_string(entry.line) + ": unknown key '" + entry.key + "' in [" +
                           section.name + "] (ignored)");
    }
  }
}

}  // namespace config
