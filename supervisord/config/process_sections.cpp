#include "supervisord/config/process_sections.h"

#include <unistd.h>

#include <algorithm>

#include "common/shell_words.h"
#include "common/value_types.h"
#include "supervisord/config/policy_sections.h"
#include "supervisord/config/section_reader.h"

namespace config {
namespace {

using common::Result;

std::string suffixOf(const std::string& sectionName) { return sectionName.substr(sectionName.find(':') + 1); }

Result<long long> integer(std::string_view text) { return common::parseInteger(text); }
Result<bool> boolean(std::string_view text) { return common::parseBoolean(text); }
Result<long long> byteSize(std::string_view text) { return common::parseByteSize(text); }

Result<AutoRestart> autoRestart(std::string_view text) {
  std::string s(text);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "unexpected") return AutoRestart::Unexpected;
  auto b = common::parseBoolean(s);
  if (b) return *b ? AutoRestart::Always : AutoRestart::Never;
  return common::makeError("invalid 'autorestart' value '" + s + "' (expected true, false or unexpected)");
}

template <typename T>
Result<int> toInt(Result<T> r) {
  if (!r) return r.takeError();
  return static_cast<int>(*r);
}

// The keys read once per section (before numprocs expansion), as Supervisor reads them.
struct SectionSettings {
  std::string programName;
  int priority = 999;
  bool autostart = true;
  AutoRestart autorestart = AutoRestart::Unexpected;
  int startsecs = 1, startretries = 3, stopsignal = SIGTERM, stopwaitsecs = 10;
  bool stopasgroup = false, killasgroup = false, redirectStderr = false;
  std::vector<int> exitcodes;
  int numprocs = 1, numprocsStart = 0;
  std::string environmentText;
  long long stdoutCaptureMaxbytes = 0, stderrCaptureMaxbytes = 0;
  bool stdoutEventsEnabled = false, stderrEventsEnabled = false;
  std::optional<std::string> serverurl, user;
  std::optional<uid_t> uid;
  std::optional<mode_t> umask;
  std::string processName;
};


Result<SectionSettings> readSectionSettings(const SectionReader& r, const Expansions& common) {
  SectionSettings s;
  auto intParser = std::function<Result<long long>(std::string_view)>(integer);
  auto boolParser = std::function<Result<bool>(std::string_view)>(boolean);
  auto sizeParser = std::function<Result<long long>(std::string_view)>(byteSize);
  TRY_ASSIGN(s.priority, toInt(r.parse<long long>("priority", "999", intParser, common)));
  TRY_ASSIGN(s.autostart, r.parse<bool>("autostart", "true", boolParser, common));
  TRY_ASSIGN(s.autorestart, r.parse<AutoRestart>("autorestart", "unexpected", autoRestart, common));
  TRY_ASSIGN(s.startsecs, toInt(r.parse<long long>("startsecs", "1", intParser, common)));
  TRY_ASSIGN(s.startretries, toInt(r.parse<long long>("startretries", "3", intParser, common)));
  if (s.startretries < -1)  // ours: -1 = never give up; Supervisor has no meaning for other negatives
    return r.error("startretries", "invalid 'startretries' value '" + std::to_string(s.startretries) +
                                       "' (expected an integer >= 0, or -1 to retry forever)");
  TRY_ASSIGN(s.stopsignal, r.parse<int>("stopsignal", "TERM", common::parseSignal, common));
  TRY_ASSIGN(s.stopwaitsecs, toInt(r.parse<long long>("stopwaitsecs", "10", intParser, common)));
  TRY_ASSIGN(s.stopasgroup, r.parse<bool>("stopasgroup", "false", boolParser, common));
  TRY_ASSIGN(s.killasgroup, r.parse<bool>("killasgroup", s.stopasgroup ? "true" : "false", boolParser, common));
  TRY_ASSIGN(s.exitcodes, r.parse<std::vector<int>>("exitcodes", "0", common::parseExitCodes, common));
  TRY_ASSIGN(s.redirectStderr, r.parse<bool>("redirect_stderr", "false", boolParser, common));
  TRY_ASSIGN(s.numprocs, toInt(r.parse<long long>("numprocs", "1", intParser, common)));
  TRY_ASSIGN(s.numprocsStart, toInt(r.parse<long long>("numprocs_start", "0", intParser, common)));
  s.environmentText = r.raw("environment", "").value();
  TRY_ASSIGN(s.stdoutCaptureMaxbytes, r.parse<long long>("stdout_capture_maxbytes", "0", sizeParser, common));
  TRY_ASSIGN(s.stdoutEventsEnabled, r.parse<bool>("stdout_events_enabled", "false", boolParser, common));
  TRY_ASSIGN(s.stderrCaptureMaxbytes, r.parse<long long>("stderr_capture_maxbytes", "0", sizeParser, common));
  TRY_ASSIGN(s.stderrEventsEnabled, r.parse<bool>("stderr_events_enabled", "false", boolParser, common));
  TRY_ASSIGN(s.serverurl, r.get("serverurl", std::nullopt, common));
  if (s.serverurl) {
    std::string upper = *s.serverurl;
    upper.erase(0, upper.find_first_not_of(" \t"));
    upper.erase(upper.find_last_not_of(" \t") + 1);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == "AUTO") s.serverurl.reset();
  }
  TRY_ASSIGN(s.user, r.get("user", std::nullopt, common));
  if (s.user) {
    auto uid = common::resolveUser(*s.user);
    if (!uid) return r.error("user", uid.error());
    s.uid = *uid;
  }
  std::optional<std::string> umask;
  TRY_ASSIGN(umask, r.get("umask", std::nullopt, common));
  if (umask) {
    auto m = common::parseOctal(*umask);
    if (!m) return r.error("umask", m.error());
    s.umask = static_cast<mode_t>(*m);
  }
  auto processName = common::parseProcessOrGroupName(r.raw("process_name", "%(program_name)s").value());
  if (!processName) return r.error("process_name", processName.error());
  s.processName = *processName;
  if (s.numprocs > 1 && s.processName.find("%(process_num)") == std::string::npos)
    return r.error("process_name", "%(process_num) must be present within process_name when numprocs > 1");
  if (s.stopasgroup && !s.killasgroup)
    return r.error("killasgroup", "Cannot set stopasgroup=true and killasgroup=false");
  return s;
}

// stdout_logfile & co for one channel of one process.
Result<ChannelConfig> readChannel(const SectionReader& r, const std::string& channel, const Expansions& expansions,
                                  std::vector<std::string>& warnings) {
  ChannelConfig c;
  const std::string lfKey = channel + "_logfile";
  // Supervisor expands the logfile twice (saneget, then expand()).
  auto once = r.get(lfKey, "AUTO", expansions);
  if (!once) return once.takeError();
  Expansions second = expansions;
  second["here"] = r.hereFor(lfKey);
  auto value = r.has(lfKey) ? expand(**once, second, lfKey) : Result<std::string>(std::string("AUTO"));
  if (!value) return r.error(lfKey, value.error());
  std::string lowered = *value;
  for (auto& ch : lowered) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  bool deprecatedSyslog = false;
  if (lowered == "none" || lowered == "off") {
    c.target = ChannelConfig::Target::None;
  } else if (lowered == "auto") {
    c.target = ChannelConfig::Target::Auto;
  } else if (lowered == "syslog") {
    deprecatedSyslog = true;
  } else {
    auto path = common::parseExistingDirPath(*value);
    if (!path) return r.error(lfKey, path.error());
    c.target = ChannelConfig::Target::File;
    c.logfile = *path;
  }
  auto intParser = std::function<Result<long long>(std::string_view)>(integer);
  TRY_ASSIGN(c.logfileBackups, toInt(r.parse<long long>(channel + "_logfile_backups", "10", intParser, expansions)));
  TRY_ASSIGN(c.logfileMaxbytes, r.parse<long long>(channel + "_logfile_maxbytes", "50MB",
                                                   std::function<Result<long long>(std::string_view)>(byteSize),
                                                   expansions));
  TRY_ASSIGN(c.syslog, r.parse<bool>(channel + "_syslog", "false",
                                     std::function<Result<bool>(std::string_view)>(boolean), expansions));
  if (deprecatedSyslog) {
    warnings.push_back("For [" + r.name() + "], " + lfKey + "=syslog but this is deprecated and will be removed.  Use " +
                       channel + "_syslog=true to enable syslog instead.");
    c.target = ChannelConfig::Target::None;
    c.syslog = true;
  }
  if (c.syslog)
    warnings.push_back(r.location(deprecatedSyslog ? lfKey : channel + "_syslog") + ": [" + r.name() + "] " +
                       channel + " to syslog: supervisor-ha does not send child output to syslog yet (ignored)");
  if (c.target == ChannelConfig::Target::Auto && c.logfileMaxbytes == 0) {
    warnings.push_back("For [" + r.name() + "], AUTO logging used for " + lfKey +
                       " without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally");
  }
  return c;
}

Result<std::vector<ProcessConfig>> processesFromSection(const ProcessSectionContext& ctx,
                                                        const common::IniSection& section,
                                                        const std::string& groupName) {
  SectionReader r(ctx.ini, section, ctx.environ);
  auto programName = common::parseProcessOrGroupName(suffixOf(section.name));
  if (!programName) return r.sectionError(programName.error());

  Expansions common{{"program_name", *programName},
                    {"host_node_name", ctx.hostNodeName},
                    {"group_name", groupName}};
  auto settings = readSectionSettings(r, common);
  if (!settings) return settings.takeError();
  const SectionSettings& s = *settings;
  // The restart-policy keys are ours, for programs; an event listener keeps Supervisor's behaviour.
  const bool readsPolicy = !section.name.starts_with("eventlistener:");
  if (readsPolicy) warnAboutProbeKeysWithoutProbe(r, ctx.warnings);

  std::vector<ProcessConfig> processes;
  for (int processNum = s.numprocsStart; processNum < s.numprocsStart + s.numprocs; ++processNum) {
    Expansions expansions = common;
    for (const auto& [k, v] : ctx.environ) expansions[k] = v;
    expansions["process_num"] = static_cast<long long>(processNum);
    expansions["numprocs"] = static_cast<long long>(s.numprocs);
    expansions["here"] = r.hereFor("environment");

    ProcessConfig p;
    auto envText = expand(s.environmentText, expansions, "environment");
    if (!envText) return r.error("environment", envText.error());
    auto programEnvironment = common::parseKeyValuePairs(*envText);
    if (!programEnvironment) return r.error("environment", programEnvironment.error());
    for (const auto& [k, v] : *programEnvironment) expansions["ENV_" + k] = v;

    auto directory = r.get("directory", std::nullopt, expansions);
    if (!directory) return directory.takeError();
    p.directory = *directory;

    auto out = readChannel(r, "stdout", expansions, ctx.warnings);
    if (!out) return out.takeError();
    auto err = readChannel(r, "stderr", expansions, ctx.warnings);
    if (!err) return err.takeError();
    p.stdoutChannel = *out;
    p.stderrChannel = *err;
    if (s.redirectStderr) {
      if (p.stderrChannel.target == ChannelConfig::Target::File)
        ctx.warnings.push_back("For [" + section.name +
                               "], redirect_stderr=true but stderr_logfile has also been set to a filename, "
                               "the filename has been ignored");
      p.stderrChannel.target = ChannelConfig::Target::None;
      p.stderrChannel.logfile.clear();
    }
    p.stdoutChannel.captureMaxbytes = s.stdoutCaptureMaxbytes;
    p.stdoutChannel.eventsEnabled = s.stdoutEventsEnabled;
    p.stderrChannel.captureMaxbytes = s.stderrCaptureMaxbytes;
    p.stderrChannel.eventsEnabled = s.stderrEventsEnabled;

    auto command = r.get("command", std::nullopt, expansions);
    if (!command) return command.takeError();
    if (!*command) return r.sectionError("program section " + section.name + " does not specify a command");
    p.command = **command;
    if (readsPolicy) TRY_ASSIGN(p.policy, readProcessPolicy(r, expansions));

    auto name = expand(s.processName, expansions, "process_name");
    if (!name) return r.error("process_name", name.error());
    p.name = *name;
    p.groupName = groupName;
    p.programName = *programName;
    p.umask = s.umask;
    p.priority = s.priority;
    p.autostart = s.autostart;
    p.autorestart = s.autorestart;
    p.startsecs = s.startsecs;
    p.startretries = s.startretries;
    p.user = s.user;
    p.uid = s.uid;
    p.stopsignal = s.stopsignal;
    p.stopwaitsecs = s.stopwaitsecs;
    p.stopasgroup = s.stopasgroup;
    p.killasgroup = s.killasgroup;
    p.exitcodes = s.exitcodes;
    p.redirectStderr = s.redirectStderr;
    p.serverurl = s.serverurl;
    // The daemon-wide environment, overridden by the program's.
    p.environment = ctx.supervisordEnvironment;
    for (const auto& [k, v] : *programEnvironment) {
      auto it = std::find_if(p.environment.begin(), p.environment.end(), [&](const auto& kv) { return kv.first == k; });
      if (it != p.environment.end()) it->second = v; else p.environment.emplace_back(k, v);
    }
    p.origin = {section.file, section.line};
    processes.push_back(std::move(p));
  }
  std::stable_sort(processes.begin(), processes.end(),
                   [](const ProcessConfig& a, const ProcessConfig& b) { return a.priority < b.priority; });
  return processes;
}

Result<FcgiSocketConfig> parseFcgiSocket(const SectionReader& r, const std::string& socket,
                                          std::optional<uid_t> procUid,
                                          std::optional<std::pair<uid_t, gid_t>> owner, std::optional<mode_t> mode,
                                          std::optional<int> backlog) {
  FcgiSocketConfig config;
  config.backlog = backlog;
  if (socket.starts_with("unix://")) {
    std::string path = socket.substr(7);
    if (path.empty() || path.front() != '/')
      return r.error("socket", "Unix socket path " + path + " is not an absolute path");
    config.url = "unix://" + common::normalizePath(path);
    if (!owner && procUid && *procUid != ::getuid())
      owner = std::make_pair(*procUid, common::primaryGroupOf(*procUid).value_or(static_cast<gid_t>(-1)));
    config.owner = owner;
    config.mode = mode.value_or(0700);
    return config;
  }
  if (owner || mode)
    return r.error("socket", "socket_owner and socket_mode params should only be used with a Unix domain socket");
  // tcp://host:port: a host without blanks or ':', a port of digits.
  const std::string_view address = std::string_view(socket).substr(socket.starts_with("tcp://") ? 6 : 0);
  const auto colon = address.find(':');
  const bool tcp = socket.starts_with("tcp://") && colon != std::string_view::npos && colon > 0 &&
                   address.substr(0, colon).find_first_of(" \t\r\n\f\v") == std::string_view::npos &&
                   colon + 1 < address.size() &&
                   address.substr(colon + 1).find_first_not_of("0123456789") == std::string_view::npos;
  if (tcp) {
    auto port = common::parseInetAddress(std::string(address.substr(colon + 1)));
    if (!port) return r.error("socket", port.error());
    std::string host(address.substr(0, colon));
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    config.url = "tcp://" + host + ":" + std::to_string(port->second);
    return config;
  }
  return r.error("socket", "Bad socket format " + socket + " (expected unix:///absolute/path or tcp://host:port)");
}

}  // namespace

const std::vector<std::string>& eventTypeNames() {
  static const std::vector<std::string> names = {
      "EVENT", "PROCESS_STATE", "PROCESS_STATE_STOPPED", "PROCESS_STATE_EXITED", "PROCESS_STATE_STARTING",
      "PROCESS_STATE_STOPPING", "PROCESS_STATE_BACKOFF", "PROCESS_STATE_FATAL", "PROCESS_STATE_RUNNING",
      "PROCESS_STATE_UNKNOWN", "PROCESS_COMMUNICATION", "PROCESS_COMMUNICATION_STDOUT",
      "PROCESS_COMMUNICATION_STDERR", "PROCESS_LOG", "PROCESS_LOG_STDOUT", "PROCESS_LOG_STDERR",
      "REMOTE_COMMUNICATION", "SUPERVISOR_STATE_CHANGE", "SUPERVISOR_STATE_CHANGE_RUNNING",
      "SUPERVISOR_STATE_CHANGE_STOPPING", "TICK", "TICK_5", "TICK_60", "TICK_3600", "PROCESS_GROUP",
      "PROCESS_GROUP_ADDED", "PROCESS_GROUP_REMOVED",
      // Ours (restart policies).
      "POLICY", "POLICY_HOOK_RESULT", "POLICY_ESCALATION"};
  return names;
}

Result<std::vector<ProcessGroupConfig>> processGroupsFromSections(const ProcessSectionContext& ctx) {
  std::vector<ProcessGroupConfig> groups;
  std::vector<std::string> homogeneousExclude;
  const auto& sections = ctx.ini.sections();
  auto intParser = std::function<Result<long long>(std::string_view)>(integer);

  // Heterogeneous groups: [group:x] programs=a,b
  for (const auto& section : sections) {
    if (!section.name.starts_with("group:")) continue;
    SectionReader r(ctx.ini, section, ctx.environ);
    auto groupName = common::parseProcessOrGroupName(suffixOf(section.name));
    if (!groupName) return r.sectionError(groupName.error());
    auto programsText = r.get("programs", std::nullopt);
    if (!programsText) return programsText.takeError();
    if (!*programsText) return r.sectionError("missing 'programs' (a comma-separated list of program names)");
    ProcessGroupConfig group;
    group.name = *groupName;
    group.kind = GroupKind::Group;
    group.origin = {section.file, section.line};
    TRY_ASSIGN(group.priority, toInt(r.parse<long long>("priority", "999", intParser)));
    TRY_ASSIGN(group.policy, readGroupPolicy(r));
    for (const auto& program : common::parseListOfStrings(**programsText)) {
      const common::IniSection* programSection = ctx.ini.section("program:" + program);
      const common::IniSection* fcgiSection = ctx.ini.section("fcgi-program:" + program);
      if (!programSection && !fcgiSection)
        return r.error("programs", "[" + section.name + "] names unknown program or fcgi-program " + program);
      if (programSection && fcgiSection)
        return r.error("programs", "[" + section.name + "] name " + program +
                                       " is ambiguous (exists as program and fcgi-program)");
      const common::IniSection* member = programSection ? programSection : fcgiSection;
      homogeneousExclude.push_back(member->name);
      auto processes = processesFromSection(ctx, *member, group.name);
      if (!processes) return processes.takeError();
      for (auto& p : *processes) group.processes.push_back(std::move(p));
    }
    std::stable_sort(group.processes.begin(), group.processes.end(),
                     [](const ProcessConfig& a, const ProcessConfig& b) { return a.priority < b.priority; });
    groups.push_back(std::move(group));
  }
  auto excluded = [&](const std::string& name) {
    return std::find(homogeneousExclude.begin(), homogeneousExclude.end(), name) != homogeneousExclude.end();
  };

  // Homogeneous groups: [program:x]
  for (const auto& section : sections) {
    if (!section.name.starts_with("program:") || excluded(section.name)) continue;
    SectionReader r(ctx.ini, section, ctx.environ);
    auto programName = common::parseProcessOrGroupName(suffixOf(section.name));
    if (!programName) return r.sectionError(programName.error());
    ProcessGroupConfig group;
    group.name = *programName;
    group.origin = {section.file, section.line};
    TRY_ASSIGN(group.priority, toInt(r.parse<long long>("priority", "999", intParser)));
    auto processes = processesFromSection(ctx, section, group.name);
    if (!processes) return processes.takeError();
    group.processes = std::move(*processes);
    groups.push_back(std::move(group));
  }

  // Event listener pools: [eventlistener:x]
  for (const auto& section : sections) {
    if (!section.name.starts_with("eventlistener:")) continue;
    SectionReader r(ctx.ini, section, ctx.environ);
    ProcessGroupConfig group;
    group.name = suffixOf(section.name);
    group.kind = GroupKind::EventListenerPool;
    group.origin = {section.file, section.line};
    TRY_ASSIGN(group.priority, toInt(r.parse<long long>("priority", "-1", intParser)));
    TRY_ASSIGN(group.bufferSize, toInt(r.parse<long long>("buffer_size", "10", intParser)));
    if (group.bufferSize < 1)
      return r.error("buffer_size", "[" + section.name + "] section sets invalid buffer_size (" +
                                        std::to_string(group.bufferSize) + ")");
    std::optional<std::string> handler;
    TRY_ASSIGN(handler, r.get("result_handler", "supervisor.dispatchers:default_handler"));
    if (*handler != "supervisor.dispatchers:default_handler")
      return r.error("result_handler", *handler + " cannot be resolved within [" + section.name +
                                           "] (only supervisor.dispatchers:default_handler is built in)");
    group.resultHandler = *handler;
    std::optional<std::string> eventsText;
    TRY_ASSIGN(eventsText, r.get("events", ""));
    for (auto name : common::parseListOfStrings(*eventsText)) {
      for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const auto& known = eventTypeNames();
      if (std::find(known.begin(), known.end(), name) == known.end())
        return r.error("events", "Unknown event type " + name + " in [" + section.name + "] events");
      if (std::find(group.events.begin(), group.events.end(), name) == group.events.end())
        group.events.push_back(name);
    }
    if (group.events.empty()) return r.sectionError("[" + section.name + "] section requires an \"events\" line");
    bool redirect = false;
    TRY_ASSIGN(redirect, r.parse<bool>("redirect_stderr", "false", std::function<Result<bool>(std::string_view)>(boolean)));
    if (redirect)
      return r.error("redirect_stderr", "[" + section.name +
                                            "] section sets redirect_stderr=true but this is not allowed because it "
                                            "will interfere with the eventlistener protocol");
    auto processes = processesFromSection(ctx, section, group.name);
    if (!processes) return processes.takeError();
    group.processes = std::move(*processes);
    groups.push_back(std::move(group));
  }

  // FastCGI programs: [fcgi-program:x]
  for (const auto& section : sections) {
    if (!section.name.starts_with("fcgi-program:") || excluded(section.name)) continue;
    SectionReader r(ctx.ini, section, ctx.environ);
    auto programName = common::parseProcessOrGroupName(suffixOf(section.name));
    if (!programName) return r.sectionError(programName.error());
    ProcessGroupConfig group;
    group.name = *programName;
    group.kind = GroupKind::FcgiProgram;
    group.origin = {section.file, section.line};
    TRY_ASSIGN(group.priority, toInt(r.parse<long long>("priority", "999", intParser)));
    std::optional<std::string> user;
    TRY_ASSIGN(user, r.get("user", std::nullopt));
    std::optional<uid_t> procUid;
    if (user) {
      auto uid = common::resolveUser(*user);
      if (!uid) return r.error("user", uid.error());
      procUid = *uid;
    }
    std::optional<int> backlog;
    std::optional<std::string> text;
    TRY_ASSIGN(text, r.get("socket_backlog", std::nullopt));
    if (text) {
      auto b = common::parseInteger(*text);
      if (!b || *b < 1 || *b > 65535) return r.error("socket_backlog", "Invalid socket_backlog value " + *text);
      backlog = static_cast<int>(*b);
    }
    std::optional<std::pair<uid_t, gid_t>> owner;
    TRY_ASSIGN(text, r.get("socket_owner", std::nullopt));
    if (text) {
      auto o = common::parseUserGroup(*text);
      if (!o) return r.error("socket_owner", "Invalid socket_owner value " + *text);
      owner = *o;
    }
    std::optional<mode_t> mode;
    TRY_ASSIGN(text, r.get("socket_mode", std::nullopt));
    if (text) {
      auto m = common::parseOctal(*text);
      if (!m) return r.error("socket_mode", "Invalid socket_mode value " + *text);
      mode = static_cast<mode_t>(*m);
    }
    TRY_ASSIGN(text, r.get("socket", std::nullopt, {{"program_name", *programName}}));
    if (!text || text->empty()) return r.sectionError("[" + section.name + "] section requires a \"socket\" line");
    auto socket = parseFcgiSocket(r, *text, procUid, owner, mode, backlog);
    if (!socket) return socket.takeError();
    group.socket = *socket;
    ctx.warnings.push_back(r.location("socket") + ": [" + section.name + "] socket " + *text +
                           ": supervisor-ha does not create FastCGI sockets yet: its processes start as a "
                           "[program:x]'s would, without the socket on their stdin");
    auto processes = processesFromSection(ctx, section, group.name);
    if (!processes) return processes.takeError();
    group.processes = std::move(*processes);
    groups.push_back(std::move(group));
  }

  std::stable_sort(groups.begin(), groups.end(),
                   [](const ProcessGroupConfig& a, const ProcessGroupConfig& b) { return a.priority < b.priority; });
  return groups;
}

}  // namespace config
