#include "supervisord/config/config_report.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/value_types.h"

namespace config {
namespace {

using nlohmann::json;

json optionalText(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

json environmentJson(const Environment& env) {
  json out = json::object();
  for (const auto& [k, v] : env) out[k] = v;
  return out;
}

const char* autorestartName(AutoRestart a) {
  switch (a) {
    case AutoRestart::Never: return "false";
    case AutoRestart::Unexpected: return "unexpected";
    case AutoRestart::Always: return "true";
  }
  return "unexpected";
}

const char* kindName(GroupKind k) {
  switch (k) {
    case GroupKind::Program: return "program";
    case GroupKind::Group: return "group";
    case GroupKind::EventListenerPool: return "eventlistener";
    case GroupKind::FcgiProgram: return "fcgi-program";
  }
  return "program";
}

json logfileJson(const ChannelConfig& c) {
  switch (c.target) {
    case ChannelConfig::Target::None: return nullptr;
    case ChannelConfig::Target::Auto: return "AUTO";
    case ChannelConfig::Target::File: return c.logfile;
  }
  return nullptr;
}

void channelJson(json& out, const std::string& prefix, const ChannelConfig& c) {
  out[prefix + "_logfile"] = logfileJson(c);
  out[prefix + "_logfile_maxbytes"] = c.logfileMaxbytes;
  out[prefix + "_logfile_backups"] = c.logfileBackups;
  out[prefix + "_capture_maxbytes"] = c.captureMaxbytes;
  out[prefix + "_events_enabled"] = c.eventsEnabled;
  out[prefix + "_syslog"] = c.syslog;
}

json processJson(const ProcessConfig& p) {
  json out;
  out["name"] = p.name;
  out["command"] = p.command;
  out["directory"] = optionalText(p.directory);
  out["umask"] = p.umask ? json(*p.umask) : json(nullptr);
  out["priority"] = p.priority;
  out["autostart"] = p.autostart;
  out["autorestart"] = autorestartName(p.autorestart);
  out["startsecs"] = p.startsecs;
  out["startretries"] = p.startretries;
  out["uid"] = p.uid ? json(*p.uid) : json(nullptr);
  channelJson(out, "stdout", p.stdoutChannel);
  channelJson(out, "stderr", p.stderrChannel);
  out["stopsignal"] = p.stopsignal;
  out["stopwaitsecs"] = p.stopwaitsecs;
  out["stopasgroup"] = p.stopasgroup;
  out["killasgroup"] = p.killasgroup;
  out["exitcodes"] = p.exitcodes;
  out["redirect_stderr"] = p.redirectStderr;
  out["environment"] = environmentJson(p.environment);
  out["serverurl"] = optionalText(p.serverurl);
  return out;
}

std::string octal(unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0%o", value);
  return buf;
}

}  // namespace

std::string configJson(const Config& config) {
  json out;
  const auto& s = config.supervisord;
  out["supervisord"] = {
      {"logfile", s.logfile},         {"logfile_maxbytes", s.logfileMaxbytes},
      {"logfile_backups", s.logfileBackups}, {"loglevel", static_cast<int>(s.loglevel)},
      {"pidfile", s.pidfile},         {"umask", s.umask},
      {"nodaemon", s.nodaemon},       {"silent", s.silent},
      {"minfds", s.minfds},           {"minprocs", s.minprocs},
      {"nocleanup", s.nocleanup},     {"childlogdir", s.childlogdir},
      {"user", optionalText(s.user)}, {"directory", optionalText(s.directory)},
      {"strip_ansi", s.stripAnsi},    {"environment", environmentJson(s.environment)},
      {"identifier", s.identifier}};
  out["servers"] = json::array();
  for (const auto& server : config.servers) {
    json j;
    j["username"] = optionalText(server.username);
    j["password"] = optionalText(server.password);
    if (server.family == HttpServerConfig::Family::Unix) {
      j["family"] = "unix";
      j["file"] = server.file;
      j["chmod"] = server.chmod;
      j["chown"] = {static_cast<int>(server.chownUid), static_cast<int>(server.chownGid)};
    } else {
      j["family"] = "inet";
      j["host"] = server.host;
      j["port"] = server.port;
    }
    out["servers"].push_back(j);
  }
  out["serverurl"] = optionalText(config.serverurl);
  out["groups"] = json::array();
  for (const auto& g : config.groups) {
    json j;
    j["name"] = g.name;
    j["priority"] = g.priority;
    j["kind"] = kindName(g.kind);
    if (g.kind == GroupKind::EventListenerPool) {
      j["buffer_size"] = g.bufferSize;
      std::vector<std::string> events = g.events;
      std::sort(events.begin(), events.end());
      j["events"] = events;
    }
    if (g.socket) j["socket"] = g.socket->url;
    j["processes"] = json::array();
    for (const auto& p : g.processes) j["processes"].push_back(processJson(p));
    out["groups"].push_back(j);
  }
  return out.dump(2) + "\n";
}

std::string configSummary(const Config& config) {
  std::ostringstream out;
  const auto& s = config.supervisord;
  out << config.configFile << ": configuration is valid\n";
  out << "supervisord: logfile " << s.logfile << ", loglevel " << logLevelName(s.loglevel) << ", pidfile "
      << s.pidfile << ", childlogdir " << s.childlogdir << ", identifier " << s.identifier
      << (s.nodaemon ? ", nodaemon" : "") << "\n";
  for (const auto& server : config.servers) {
    if (server.family == HttpServerConfig::Family::Unix)
      out << "server: unix://" << server.file << " (mode " << octal(server.chmod) << ")";
    else
      out << "server: http://" << (server.host.empty() ? "*" : server.host) << ":" << server.port;
    out << (server.username ? ", authentication required" : ", no authentication") << "\n";
  }
  size_t processes = 0;
  for (const auto& g : config.groups) processes += g.processes.size();
  out << config.groups.size() << " group(s), " << processes << " process(es), in start order:\n";
  for (const auto& g : config.groups) {
    out << "  [" << g.name << "] " << kindName(g.kind) << ", priority " << g.priority << "\n";
    for (const auto& p : g.processes) {
      out << "    " << (p.groupName == p.name ? p.name : p.groupName + ":" + p.name) << ": " << p.command
          << (p.autostart ? "" : "  (autostart=false)") << "\n";
    }
  }
  for (const auto& w : config.warnings) out << "warning: " << w << "\n";
  return out.str();
}

}  // namespace config
