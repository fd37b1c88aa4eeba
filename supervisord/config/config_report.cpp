#include "supervisord/config/config_report.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/namespec.h"
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

const char* backoffName(Backoff b) { return b == Backoff::Exponential ? "exponential" : "linear"; }

const char* onBudgetSpentName(OnBudgetSpent o) {
  switch (o) {
    case OnBudgetSpent::Fatal: return "fatal";
    case OnBudgetSpent::RestartGroup: return "restart_group";
    case OnBudgetSpent::Escalate: return "escalate";
  }
  return "fatal";
}

const char* strategyName(GroupStrategy s) {
  switch (s) {
    case GroupStrategy::OneForOne: return "one_for_one";
    case GroupStrategy::OneForAll: return "one_for_all";
    case GroupStrategy::RestForOne: return "rest_for_one";
  }
  return "one_for_one";
}

json budgetJson(const RestartBudget& b) { return {{"restarts", b.restarts}, {"seconds", b.seconds}}; }

json probeJson(const ProbeConfig& p) {
  json out;
  out["spec"] = p.spec;
  switch (p.kind) {
    case ProbeConfig::Kind::Exec:
      out["kind"] = "exec";
      out["command"] = p.command;
      break;
    case ProbeConfig::Kind::Tcp:
      out["kind"] = "tcp";
      out["host"] = p.host;
      out["port"] = p.port;
      break;
    case ProbeConfig::Kind::Http:
      out["kind"] = "http";
      out["host"] = p.host;
      out["port"] = p.port;
      out["path"] = p.path;
      break;
  }
  out["interval"] = p.interval;
  out["timeout"] = p.timeout;
  out["failures"] = p.failureThreshold;
  out["delay"] = p.initialDelay;
  return out;
}

// Only the fields that differ from the defaults (Supervisor's behaviour), so a config
// without policy keys dumps exactly as Python Supervisor's does (tests/compat/).
json policyJson(const PolicyConfig& p) {
  const PolicyConfig d;
  json out = json::object();
  if (p.backoff != d.backoff) out["backoff"] = backoffName(p.backoff);
  if (p.backoffInitial != d.backoffInitial) out["backoff_initial"] = p.backoffInitial;
  if (p.backoffMax != d.backoffMax) out["backoff_max"] = p.backoffMax;
  if (p.backoffJitter != d.backoffJitter) out["backoff_jitter"] = p.backoffJitter;
  if (p.backoffReset != d.backoffReset) out["backoff_reset"] = p.backoffReset;
  if (p.restartBudget) out["restart_budget"] = budgetJson(*p.restartBudget);
  if (p.onBudgetSpent != d.onBudgetSpent) out["on_budget_spent"] = onBudgetSpentName(p.onBudgetSpent);
  if (p.fatalRetry) out["fatal_retry"] = *p.fatalRetry;
  if (p.readinessProbe) out["readiness_probe"] = probeJson(*p.readinessProbe);
  if (p.livenessProbe) out["liveness_probe"] = probeJson(*p.livenessProbe);
  if (p.role != d.role) out["role"] = "promotable";
  const std::pair<const char*, const std::string*> commands[] = {
      {"pre_start_command", &p.preStartCommand}, {"post_stop_command", &p.postStopCommand},
      {"promote_command", &p.promoteCommand},    {"demote_command", &p.demoteCommand},
      {"score_command", &p.scoreCommand},        {"escalate_command", &p.escalateCommand},
      {"follow_command", &p.followCommand},      {"route_command", &p.routeCommand},
      {"notify_command", &p.notifyCommand}};
  for (const auto& [key, command] : commands)
    if (!command->empty()) out[key] = *command;
  if (p.hookTimeout != d.hookTimeout) out["hook_timeout"] = p.hookTimeout;
  if (p.scoreInterval != d.scoreInterval) out["score_interval"] = p.scoreInterval;
  return out;
}

json groupPolicyJson(const GroupPolicyConfig& g) {
  json out = json::object();
  if (g.strategy != GroupStrategy::OneForOne) out["strategy"] = strategyName(g.strategy);
  if (g.restartBudget) out["restart_budget"] = budgetJson(*g.restartBudget);
  return out;
}

std::string number(const json& value) {
  std::ostringstream out;
  if (value.is_number_float()) out << value.get<double>();
  else out << value.dump();
  return out.str();
}

// "backoff=exponential, readiness_probe=tcp:…, restart_budget=5 in 60s" for --check-config.
std::string policySummary(const json& fields) {
  std::string out;
  for (const auto& [key, value] : fields.items()) {
    std::string text;
    if (value.is_string()) text = value.get<std::string>();
    else if (value.is_object() && value.contains("spec")) text = value["spec"].get<std::string>();
    else if (value.is_object() && value.contains("restarts"))
      text = number(value["restarts"]) + " in " + number(value["seconds"]) + "s";
    else text = number(value);
    out += (out.empty() ? "" : ", ") + key + "=" + text;
  }
  return out;
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
  if (!p.policy.isDefault()) out["policy"] = policyJson(p.policy);
  return out;
}

const char* noQuorumPolicyName(NoQuorumPolicy policy) {
  switch (policy) {
    case NoQuorumPolicy::Demote: return "demote";
    case NoQuorumPolicy::Stop: return "stop";
    case NoQuorumPolicy::Freeze: return "freeze";
  }
  return "demote";
}

const char* watchdogModeName(WatchdogMode mode) {
  switch (mode) {
    case WatchdogMode::Off: return "off";
    case WatchdogMode::Automatic: return "automatic";
    case WatchdogMode::Required: return "required";
  }
  return "off";
}

std::string endpointList(const std::vector<EtcdEndpoint>& endpoints) {
  std::string out;
  for (const auto& e : endpoints) {
    const std::string host = e.host.find(':') == std::string::npos ? e.host : "[" + e.host + "]";
    out += (out.empty() ? "" : ",") + ("http://" + host + ":" + std::to_string(e.port));
  }
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
  if (s.startOrder != StartOrder::Priority) out["supervisord"]["start_order"] = "ready";
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
      if (server.allowUnauthenticated) j["allow_unauthenticated"] = true;  // ours: only when set
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
    if (g.policy != GroupPolicyConfig{}) j["policy"] = groupPolicyJson(g.policy);
    j["processes"] = json::array();
    for (const auto& p : g.processes) j["processes"].push_back(processJson(p));
    out["groups"].push_back(j);
  }
  if (config.cluster) {  // ours: only when the section is there
    const ClusterConfig& c = *config.cluster;
    out["cluster"] = {{"name", c.name},
                      {"node", c.node},
                      {"etcd", endpointList(c.etcd)},
                      {"lease_ttl", c.leaseTtl},
                      {"fence_margin", c.fenceMargin},
                      {"no_quorum_policy", noQuorumPolicyName(c.noQuorumPolicy)},
                      {"settle", c.settle},
                      {"advertise", c.advertise},
                      {"etcd_timeout", c.requestTimeout},
                      {"primary_start_timeout", c.primaryStartTimeout},
                      {"min_candidates", c.minCandidates},
                      {"watchdog_mode", watchdogModeName(c.watchdogMode)},
                      {"watchdog_device", c.watchdogDevice}};
  }
  return out.dump(2) + "\n";
}

std::string configSummary(const Config& config) {
  std::ostringstream out;
  const auto& s = config.supervisord;
  out << config.configFile << ": configuration is valid\n";
  out << "supervisord: logfile " << s.logfile << ", loglevel " << logLevelName(s.loglevel) << ", pidfile "
      << s.pidfile << ", childlogdir " << s.childlogdir << ", identifier " << s.identifier
      << (s.nodaemon ? ", nodaemon" : "") << (s.startOrder == StartOrder::Ready ? ", start_order ready" : "")
      << "\n";
  for (const auto& server : config.servers) {
    if (server.family == HttpServerConfig::Family::Unix)
      out << "server: unix://" << server.file << " (mode " << octal(server.chmod) << ")";
    else
      out << "server: http://" << (server.host.empty() ? "*" : server.host) << ":" << server.port;
    out << (server.username ? ", authentication required" : ", no authentication");
    if (server.allowUnauthenticated) out << " (allow_unauthenticated)";
    out << "\n";
  }
  size_t processes = 0;
  for (const auto& g : config.groups) processes += g.processes.size();
  out << config.groups.size() << " group(s), " << processes << " process(es), in start order:\n";
  for (const auto& g : config.groups) {
    out << "  [" << g.name << "] " << kindName(g.kind) << ", priority " << g.priority;
    if (g.policy != GroupPolicyConfig{}) out << ", " << policySummary(groupPolicyJson(g.policy));
    out << "\n";
    for (const auto& p : g.processes) {
      out << "    " << common::makeNamespec(p.groupName, p.name) << ": " << p.command
          << (p.autostart ? "" : "  (autostart=false)") << "\n";
      if (!p.policy.isDefault()) out << "      policy: " << policySummary(policyJson(p.policy)) << "\n";
    }
  }
  if (config.cluster) {
    const ClusterConfig& c = *config.cluster;
    out << "cluster: " << c.name << ", node " << c.node << " (advertise " << c.advertise << "), etcd "
        << endpointList(c.etcd) << ", lease_ttl " << common::secondsText(c.leaseTtl) << " s, fence_margin "
        << common::secondsText(c.fenceMargin) << " s, no_quorum_policy " << noQuorumPolicyName(c.noQuorumPolicy)
        << ", settle " << common::secondsText(c.settle) << " s";
    if (c.watchdogMode != WatchdogMode::Off)
      out << ", watchdog " << watchdogModeName(c.watchdogMode) << " (" << c.watchdogDevice << ")";
    out << "\n";
  }
  for (const auto& w : config.warnings) out << "warning: " << w << "\n";
  return out.str();
}

}  // namespace config
