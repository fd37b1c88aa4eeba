#pragma once
// The typed configuration model: what a supervisord.conf means once loaded and
// validated (see config_loader.h). Field names follow Supervisor 4.2.5's keys; the
// defaults here are Supervisor's defaults, so a default-constructed ProcessConfig
// is a [program:x] section with only `command` set.

#include <sys/types.h>

#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/log_level.h"
#include "supervisord/config/cluster_config.h"
#include "supervisord/config/policy_config.h"

namespace config {

using LogLevel = common::LogLevel;
using common::logLevelName;

// autorestart: false / unexpected / true.
enum class AutoRestart { Never, Unexpected, Always };

// Ordered KEY=value pairs (Supervisor keeps dict insertion order).
using Environment = std::vector<std::pair<std::string, std::string>>;

// One output channel of a process (stdout or stderr): the six *_log* keys.
struct ChannelConfig {
  enum class Target { None, Auto, File };
  Target target = Target::Auto;
  std::string logfile;                  // the path when target == File (or AUTO once resolved)
  int64_t logfileMaxbytes = 50 * 1024 * 1024;
  int logfileBackups = 10;
  int64_t captureMaxbytes = 0;
  bool eventsEnabled = false;
  bool syslog = false;
  bool operator==(const ChannelConfig&) const = default;
};

// Where a section came from, for errors found after loading.
struct Origin {
  std::string file;
  int line = 0;
  bool operator==(const Origin&) const = default;
};

// One process: a [program:x] section expands to numprocs of these.
struct ProcessConfig {
  std::string name;         // process_name after expansion
  std::string groupName;    // its group (program name, or [group:x] name)
  std::string programName;  // the section's suffix
  std::string command;
  std::optional<std::string> directory;
  std::optional<mode_t> umask;
  int priority = 999;
  bool autostart = true;
  AutoRestart autorestart = AutoRestart::Unexpected;
  int startsecs = 1;
  int startretries = 3;
  std::optional<std::string> user;  // as written
  std::optional<uid_t> uid;         // resolved at load time, as Supervisor does
  ChannelConfig stdoutChannel;
  ChannelConfig stderrChannel;
  int stopsignal = SIGTERM;
  int stopwaitsecs = 10;
  bool stopasgroup = false;
  bool killasgroup = false;
  std::vector<int> exitcodes{0};
  bool redirectStderr = false;
  Environment environment;              // [supervisord] environment merged with the program's
  std::optional<std::string> serverurl;  // nullopt = AUTO
  PolicyConfig policy;                   // our restart-policy keys (policy_config.h)
  Origin origin;

  bool operator==(const ProcessConfig&) const = default;
};

enum class GroupKind { Program, Group, EventListenerPool, FcgiProgram };

struct FcgiSocketConfig {
  std::string url;  // unix:///path or tcp://host:port
  std::optional<int> backlog;
  std::optional<std::pair<uid_t, gid_t>> owner;  // unix only
  std::optional<mode_t> mode;                    // unix only (default 0700)
  bool operator==(const FcgiSocketConfig&) const = default;
};

struct ProcessGroupConfig {
  std::string name;
  int priority = 999;
  GroupKind kind = GroupKind::Program;
  std::vector<ProcessConfig> processes;  // ascending priority
  // [eventlistener:x] only
  int bufferSize = 10;
  std::vector<std::string> events;  // event type names, uppercased
  std::string resultHandler = "supervisor.dispatchers:default_handler";
  // [fcgi-program:x] only
  std::optional<FcgiSocketConfig> socket;
  GroupPolicyConfig policy;  // [group:x] strategy and restart_budget
  Origin origin;

  bool operator==(const ProcessGroupConfig&) const = default;
};

struct HttpServerConfig {
  enum class Family { Unix, Inet };
  Family family = Family::Unix;
  std::string section;
  // unix
  std::string file;
  mode_t chmod = 0700;
  uid_t chownUid = static_cast<uid_t>(-1);
  gid_t chownGid = static_cast<gid_t>(-1);
  // inet
  std::string host;  // empty = all interfaces
  int port = 0;
  // allow_unauthenticated (ours): a non-loopback host without username and
  // password is refused unless this is set. Loopback hosts need no permission.
  bool allowUnauthenticated = false;
  std::optional<std::string> username;
  std::optional<std::string> password;  // plain or {SHA}hex
};

struct RpcInterfaceConfig {
  std::string name;     // section suffix, the namespace
  std::string factory;  // supervisor.rpcinterface_factory
};

struct SupervisordConfig {
  std::string logfile;  // absolute path, or "syslog"
  int64_t logfileMaxbytes = 50 * 1024 * 1024;
  int logfileBackups = 10;
  LogLevel loglevel = LogLevel::Info;
  std::string pidfile;  // absolute path
  mode_t umask = 022;
  bool nodaemon = false;
  bool silent = false;
  int minfds = 1024;
  int minprocs = 200;
  bool nocleanup = false;
  std::string childlogdir;
  std::optional<std::string> user;
  std::optional<std::string> directory;
  bool stripAnsi = false;
  Environment environment;
  std::string identifier = "supervisor";
  StartOrder startOrder = StartOrder::Priority;  // start_order (ours)
};

struct Config {
  std::string configFile;  // absolute path of the main file
  std::string here;        // its directory
  SupervisordConfig supervisord;
  std::vector<HttpServerConfig> servers;       // inet first, then unix, as Supervisor lists them
  std::vector<ProcessGroupConfig> groups;      // ascending priority
  std::vector<RpcInterfaceConfig> rpcinterfaces;
  std::optional<std::string> serverurl;        // SUPERVISOR_SERVER_URL fallback: first unix, else inet
  std::optional<ClusterConfig> cluster;        // [cluster] (ours); none = one node, local hooks only
  std::vector<std::string> warnings;           // logged at start, as Supervisor's parse_warnings
  std::vector<std::string> infos;              // e.g. included files

  const ProcessGroupConfig* findGroup(const std::string& name) const {
    for (const auto& g : groups)
      if (g.name == name) return &g;
    return nullptr;
  }
};

}  // namespace config
