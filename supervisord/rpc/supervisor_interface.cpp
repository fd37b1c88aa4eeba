#include "supervisord/rpc/supervisor_interface.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <climits>
#include <memory>
#include <utility>
#include <vector>

#include "common/namespec.h"
#include "common/value_types.h"
#include "supervisord/daemon/supervisor.h"
#include "supervisord/daemon/version.h"
#include "supervisord/logs/log_reader.h"
#include "supervisord/process/process_description.h"
#include "supervisord/rpc/dispatcher.h"
#include "supervisord/rpc/faults.h"

namespace rpc {

namespace {

using process::Process;
using process::ProcessState;
using supervisord::Supervisor;

bool fileExists(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

// xmlrpc.capped_int().
int64_t cappedInt(double value) {
  if (value >= static_cast<double>(INT_MAX)) return INT_MAX;
  if (value <= static_cast<double>(INT_MIN)) return INT_MIN;
  return static_cast<int64_t>(value);
}

// A channel's logfile as Supervisor's config holds it: the path, or nullopt for None.
std::optional<std::string> channelLogfile(const config::ChannelConfig& channel) {
  if (channel.target == config::ChannelConfig::Target::None || channel.logfile.empty()) return std::nullopt;
  return channel.logfile;
}

// The result entry of one process in a multi-process call (make_allfunc).
Value processResult(const std::string& group, const std::string& name, int status, const std::string& description) {
  return Value::Struct{{"name", name}, {"group", group}, {"status", status}, {"description", description}};
}

Value processResult(const std::string& group, const std::string& name, const std::optional<Outcome>& outcome) {
  if (outcome && std::holds_alternative<Fault>(*outcome)) {
    const Fault& fault = std::get<Fault>(*outcome);
    return processResult(group, name, fault.code, fault.string);
  }
  return processResult(group, name, Faults::SUCCESS, "OK");
}

Reply incorrectParameters() { return rpcError(Faults::INCORRECT_PARAMETERS); }

class Interface : public std::enable_shared_from_this<Interface> {
 public:
  explicit Interface(Supervisor& supervisor) : supervisor_(supervisor) {}

  void addTo(Dispatcher& d);

 private:
  struct Target {
    const process::ProcessGroup* group = nullptr;
    const Process* process = nullptr;  // nullptr for "group:*"
  };
  struct Member {
    std::string group;
    std::string name;
  };
  using PerProcess = std::function<Reply(const std::string& namespec)>;

  // _update(): every call but sendRemoteCommEvent fails once a shutdown or restart began.
  std::optional<Fault> shuttingDown() const {
    auto mood = supervisor_.state();
    if (mood == process::SupervisorState::Shutdown || mood == process::SupervisorState::Restarting)
      return rpcError(Faults::SHUTDOWN_STATE);
    return std::nullopt;
  }

  // _getGroupAndProcess(): BAD_NAME: name for an unknown group or process.
  std::variant<Target, Fault> find(const std::string& namespec) const {
    auto [groupName, processName] = common::splitNamespec(namespec);
    const process::ProcessGroup* group = supervisor_.findGroup(groupName);
    if (!group) return rpcError(Faults::BAD_NAME, namespec);
    if (!processName) return Target{group, nullptr};
    const Process* p = supervisor_.findProcess(groupName, *processName);
    if (!p) return rpcError(Faults::BAD_NAME, namespec);
    return Target{group, p};
  }

  // _getAllProcesses(): by group priority then process priority, or by names.
  std::vector<Member> allProcesses(bool lexical) const {
    std::vector<Member> out;
    std::vector<process::ProcessGroup*> groups = supervisor_.groups();
    if (lexical)
      std::sort(groups.begin(), groups.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
    for (auto* group : groups) {
      std::vector<Member> members;
      for (const auto& p : group->processes()) members.push_back({group->name(), p->config().name});
      if (lexical)
        std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.name < b.name; });
      out.insert(out.end(), members.begin(), members.end());
    }
    return out;
  }

  std::vector<Member> groupMembers(const process::ProcessGroup& group) const {
    std::vector<Member> out;
    for (const auto& p : group.processes()) out.push_back({group.name(), p->config().name});
    return out;
  }

  // make_allfunc(): calls `function` for each member satisfying `predicate`, then
  // waits for those that answered later; the result lists every call's outcome.
  Reply allFunction(std::vector<Member> members, std::function<bool(const Process&)> predicate, PerProcess function,
                    bool deferred) const;

  Value processInfo(const process::ProcessGroup& group, const Process& p) const;

  Reply startProcess(const std::string& namespec, bool wait);
  Reply startProcessGroup(const std::string& name, bool wait);
  Reply stopProcess(const std::string& namespec, bool wait);
  Reply stopProcessGroup(const std::string& name, bool wait);
  Reply signalProcess(const std::string& namespec, const Value& signal);
  Reply signalProcessGroup(const std::string& name, const Value& signal);
  Reply readProcessLog(const Params& params, bool stderrChannel);
  Reply tailProcessLog(const Params& params, bool stderrChannel);
  Reply clearProcessLogs(const std::string& namespec);
  Reply getAllConfigInfo() const;

  Supervisor& supervisor_;
};

// signal_number() on an XML-RPC value: an int, or a string naming or numbering a signal.
std::optional<int> signalNumber(const Value& value) {
  std::string text;
  if (value.isInt())
    text = std::to_string(value.asInt());
  else if (value.isString())
    text = value.asString();
  else
    return std::nullopt;
  auto parsed = common::parseSignal(text);
  if (!parsed) return std::nullopt;
  return *parsed;
}

// str() of a parameter for fault texts.
std::string display(const Value& value) {
  if (value.isString()) return value.asString();
  if (value.isInt()) return std::to_string(value.asInt());
  if (value.isBool()) return value.asBool() ? "True" : "False";
  return value.typeName();
}

Reply Interface::allFunction(std::vector<Member> members, std::function<bool(const Process&)> predicate,
                             PerProcess function, bool deferred) const {
  struct Waiting {
    Member member;
    Poll poll;
  };
  struct State {
    bool started = false;
    std::vector<Waiting> waiting;
    Value::Array results;
  };
  auto state = std::make_shared<State>();
  auto self = shared_from_this();
  auto step = [self, state, members = std::move(members), predicate = std::move(predicate),
               function = std::move(function)]() -> std::optional<Outcome> {
    if (!state->started) {
      state->started = true;
      for (const auto& m : members) {
        const Process* p = self->supervisor_.findProcess(m.group, m.name);
        if (!p || !predicate(*p)) continue;
        Reply reply = function(common::makeNamespec(m.group, m.name));
        if (auto* poll = std::get_if<Poll>(&reply))
          state->waiting.push_back({m, std::move(*poll)});
        else
          state->results.push_back(processResult(m.group, m.name, finished(reply)));
      }
    }
    for (auto it = state->waiting.begin(); it != state->waiting.end();) {
      auto outcome = it->poll.next();
      if (!outcome) {
        ++it;
        continue;
      }
      state->results.push_back(processResult(it->member.group, it->member.name, outcome));
      it = state->waiting.erase(it);
    }
    if (!state->waiting.empty()) return std::nullopt;
    return Outcome{Value(state->results)};
  };
  if (!deferred) return std::get<Value>(*step());
  return Poll{step, std::chrono::milliseconds(50)};
}

Value Interface::processInfo(const process::ProcessGroup& group, const Process& p) const {
  const process::ProcessRecord& record = p.record();
  const double now = supervisor_.now();
  const std::string stdoutLogfile = channelLogfile(p.config().stdoutChannel).value_or("");
  const std::string stderrLogfile = channelLogfile(p.config().stderrChannel).value_or("");
  return Value::Struct{
      {"name", p.config().name},
      {"group", group.name()},
      {"start", cappedInt(record.laststart)},
      {"stop", cappedInt(record.laststop)},
      {"now", cappedInt(now)},
      {"state", static_cast<int>(record.state)},
      {"statename", std::string(process::stateName(record.state))},
      {"spawnerr", record.spawnerr},
      {"exitstatus", record.exitstatus.value_or(0)},
      {"logfile", stdoutLogfile},
      {"stdout_logfile", stdoutLogfile},
      {"stderr_logfile", stderrLogfile},
      {"pid", static_cast<int>(record.pid)},
      {"description", process::processDescription(record, p.config().name, now)},
  };
}

Reply Interface::startProcess(const std::string& namespec, bool wait) {
  if (auto fault = shuttingDown()) return *fault;
  auto found = find(namespec);
  if (auto* fault = std::get_if<Fault>(&found)) return *fault;
  Target target = std::get<Target>(found);
  if (!target.process) return startProcessGroup(target.group->name(), wait);
  const Process& p = *target.process;

  // Supervisor tests the command first rather than spawning what will surely fail.
  if (auto command = p.checkCommand(); !command)
    return rpcError(faultFor(command.errorKind()), command.error());  // NOT_EXECUTABLE, NO_FILE

  if (process::isRunningState(p.state())) return rpcError(Faults::ALREADY_STARTED, namespec);
  if (p.state() == ProcessState::Unknown)
    return rpcError(Faults::FAILED, namespec + " is in an unknown process state");

  const std::string groupName = target.group->name();
  const std::string processName = p.config().name;
  if (auto started = supervisor_.startProcess(groupName, processName); !started)
    return rpcError(faultFor(started.errorKind()), started.error());
  if (!p.record().spawnerr.empty()) return rpcError(Faults::SPAWN_ERROR, namespec);
  if (!wait || p.state() == ProcessState::Running) return Value(true);

  // onwait(): SPAWN_ERROR once a start failed (spawnerr), ABNORMAL_TERMINATION
  // when it left STARTING any other way than to RUNNING.
  auto self = shared_from_this();
  return Poll{[self, groupName, processName, namespec]() -> std::optional<Outcome> {
                const Process* p = self->supervisor_.findProcess(groupName, processName);
                if (!p) return Outcome{rpcError(Faults::ABNORMAL_TERMINATION, namespec)};
                if (!p->record().spawnerr.empty()) return Outcome{rpcError(Faults::SPAWN_ERROR, namespec)};
                if (p->state() == ProcessState::Running) return Outcome{Value(true)};
                if (p->state() != ProcessState::Starting)
                  return Outcome{rpcError(Faults::ABNORMAL_TERMINATION, namespec)};
                return std::nullopt;
              },
              std::chrono::milliseconds(50)};
}

Reply Interface::startProcessGroup(const std::string& name, bool wait) {
  if (auto fault = shuttingDown()) return *fault;
  const process::ProcessGroup* group = supervisor_.findGroup(name);
  if (!group) return rpcError(Faults::BAD_NAME, name);
  auto self = shared_from_this();
  return allFunction(
      groupMembers(*group), [](const Process& p) { return !process::isRunningState(p.state()); },
      [self, wait](const std::string& namespec) { return self->startProcess(namespec, wait); }, true);
}

Reply Interface::stopProcess(const std::string& namespec, bool wait) {
  if (auto fault = shuttingDown()) return *fault;
  auto found = find(namespec);
  if (auto* fault = std::get_if<Fault>(&found)) return *fault;
  Target target = std::get<Target>(found);
  if (!target.process) return stopProcessGroup(target.group->name(), wait);
  const Process& p = *target.process;
  // Ours: a process waiting to restart by itself (a policy's delayed restart) can be stopped too.
  if (!p.stoppable()) return rpcError(Faults::NOT_RUNNING, namespec);

  const std::string groupName = target.group->name();
  const std::string processName = p.config().name;
  if (auto stopped = supervisor_.stopProcess(groupName, processName); !stopped)
    return rpcError(faultFor(stopped.errorKind()), stopped.error());
  if (!wait || process::isStoppedState(p.state())) return Value(true);

  auto self = shared_from_this();
  return Poll{[self, groupName, processName]() -> std::optional<Outcome> {
                const Process* p = self->supervisor_.findProcess(groupName, processName);
                if (p && !process::isStoppedState(p->state())) {
                  self->supervisor_.stopReport(groupName, processName);  // Supervisor's stop_report()
                  return std::nullopt;
                }
                return Outcome{Value(true)};
              },
              std::chrono::milliseconds(20)};
}

Reply Interface::stopProcessGroup(const std::string& name, bool wait) {
  if (auto fault = shuttingDown()) return *fault;
  const process::ProcessGroup* group = supervisor_.findGroup(name);
  if (!group) return rpcError(Faults::BAD_NAME, name);
  auto self = shared_from_this();
  return allFunction(
      groupMembers(*group), [](const Process& p) { return p.stoppable(); },
      [self, wait](const std::string& namespec) { return self->stopProcess(namespec, wait); }, true);
}

Reply Interface::signalProcess(const std::string& namespec, const Value& signal) {
  if (auto fault = shuttingDown()) return *fault;
  auto found = find(namespec);
  if (auto* fault = std::get_if<Fault>(&found)) return *fault;
  Target target = std::get<Target>(found);
  if (!target.process) return signalProcessGroup(target.group->name(), signal);
  auto number = signalNumber(signal);
  if (!number) return rpcError(Faults::BAD_SIGNAL, display(signal));
  const Process& p = *target.process;
  if (!process::isSignallableState(p.state())) return rpcError(Faults::NOT_RUNNING, namespec);
  if (auto sent = supervisor_.signalProcess(target.group->name(), p.config().name, *number); !sent)
    return rpcError(faultFor(sent.errorKind()), sent.error());
  return Value(true);
}

Reply Interface::signalProcessGroup(const std::string& name, const Value& signal) {
  const process::ProcessGroup* group = supervisor_.findGroup(name);
  if (auto fault = shuttingDown()) return *fault;
  if (!group) return rpcError(Faults::BAD_NAME, name);
  auto self = shared_from_this();
  Reply result = allFunction(
      groupMembers(*group), [](const Process& p) { return process::isSignallableState(p.state()); },
      [self, signal](const std::string& namespec) { return self->signalProcess(namespec, signal); }, false);
  if (auto fault = shuttingDown()) return *fault;
  return result;
}

Reply Interface::readProcessLog(const Params& params, bool stderrChannel) {
  if (auto fault = shuttingDown()) return *fault;
  auto name = params.string(0);
  auto offset = params.integer(1);
  auto length = params.integer(2);
  if (!name) return incorrectParameters();
  auto found = find(*name);
  if (auto* fault = std::get_if<Fault>(&found)) return *fault;
  const Process* p = std::get<Target>(found).process;
  if (!p) return rpcError(Faults::BAD_NAME, *name);
  auto logfile = channelLogfile(stderrChannel ? p->config().stderrChannel : p->config().stdoutChannel);
  if (!logfile || !fileExists(*logfile)) return rpcError(Faults::NO_FILE, logfile);  // None: no text
  if (!offset || !length) return incorrectParameters();
  auto bytes = logs::readLogRange(*logfile, *offset, *length);
  if (!bytes) return rpcError(faultFor(bytes.errorKind()));
  return Value(std::move(*bytes));
}

Reply Interface::tailProcessLog(const Params& params, bool stderrChannel) {
  if (auto fault = shuttingDown()) return *fault;
  auto name = params.string(0);
  auto offset = params.integer(1);
  auto length = params.integer(2);
  if (!name) return incorrectParameters();
  auto found = find(*name);
  if (auto* fault = std::get_if<Fault>(&found)) return *fault;
  const Process* p = std::get<Target>(found).process;
  if (!p) return rpcError(Faults::BAD_NAME, *name);
  auto logfile = channelLogfile(stderrChannel ? p->config().stderrChannel : p->config().stdoutChannel);
  if (!logfile || !fileExists(*logfile)) return Value(Value::Array{"", 0, false});
  if (!offset || !length) return incorrectParameters();
  logs::LogTail tail = logs::tailLog(*logfile, *offset, *length);
  return Value(Value::Array{std::move(tail.bytes), tail.offset, tail.overflow});
}

Reply Interface::clearProcessLogs(const std::string& namespec) {
  if (auto fault = shuttingDown()) return *fault;
  auto found = find(namespec);
  if (auto* fault = std::get_if<Fault>(&found)) return *fault;
  Target target = std::get<Target>(found);
  if (!target.process) return rpcError(Faults::BAD_NAME, namespec);
  if (!supervisor_.clearProcessLogs(target.group->name(), target.process->config().name))
    return rpcError(Faults::FAILED, namespec);
  return Value(true);
}

// getAllConfigInfo(): the configured groups (as last read), one struct per
// process, sorted by process name. None is "none" and AUTO is "auto", as
// Supervisor spells them; a running group's AUTO logs show their files.
Reply Interface::getAllConfigInfo() const {
  std::vector<Value> rows;
  std::vector<std::string> names;
  for (const auto& group : supervisor_.config().groups) {
    const bool inuse = supervisor_.findGroup(group.name) != nullptr;
    for (const auto& pc : group.processes) {
      const Process* running = inuse ? supervisor_.findProcess(group.name, pc.name) : nullptr;
      auto logfile = [&](const config::ChannelConfig& channel, bool isStderr) -> Value {
        switch (channel.target) {
          case config::ChannelConfig::Target::None: return "none";
          case config::ChannelConfig::Target::File: return channel.logfile;
          case config::ChannelConfig::Target::Auto:
            if (running) {
              const auto& live = isStderr ? running->config().stderrChannel : running->config().stdoutChannel;
              if (live.target == config::ChannelConfig::Target::Auto && !live.logfile.empty()) return live.logfile;
            }
            return "auto";
        }
        return "none";
      };
      Value::Array exitcodes;
      for (int code : pc.exitcodes) exitcodes.emplace_back(code);
      Value::Struct row{
          {"autostart", pc.autostart},
          {"directory", pc.directory ? Value(*pc.directory) : Value("none")},
          {"uid", pc.uid ? Value(static_cast<int64_t>(*pc.uid)) : Value("none")},
          {"command", pc.command},
          {"exitcodes", exitcodes},
          {"group", group.name},
          {"group_prio", group.priority},
          {"inuse", inuse},
          {"killasgroup", pc.killasgroup},
          {"name", pc.name},
          {"process_prio", pc.priority},
          {"redirect_stderr", pc.redirectStderr},
          {"startretries", pc.startretries},
          {"startsecs", pc.startsecs},
          {"stopsignal", pc.stopsignal},
          {"stopwaitsecs", pc.stopwaitsecs},
          {"serverurl", pc.serverurl ? Value(*pc.serverurl) : Value("none")},  // AUTO is None there
      };
      for (auto [prefix, channel, isStderr] : {std::tuple{"stdout_", &pc.stdoutChannel, false},
                                               std::tuple{"stderr_", &pc.stderrChannel, true}}) {
        const std::string p = prefix;
        row[p + "capture_maxbytes"] = channel->captureMaxbytes;
        row[p + "events_enabled"] = channel->eventsEnabled;
        row[p + "logfile"] = logfile(*channel, isStderr);
        row[p + "logfile_backups"] = channel->logfileBackups;
        row[p + "logfile_maxbytes"] = channel->logfileMaxbytes;
        row[p + "syslog"] = channel->syslog;
      }
      names.push_back(pc.name);
      rows.emplace_back(std::move(row));
    }
  }
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return names[a] < names[b]; });
  Value::Array sorted;
  for (std::size_t i : order) sorted.push_back(std::move(rows[i]));
  return Value(std::move(sorted));
}

void Interface::addTo(Dispatcher& d) {
  auto self = shared_from_this();
  Supervisor& s = supervisor_;

  auto getAPIVersion = [self](const Params&) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    return Value(supervisord::kApiVersion);
  };
  d.add("supervisor.getAPIVersion", 0, 0, getAPIVersion);
  d.add("supervisor.getVersion", 0, 0, getAPIVersion);
  d.add("supervisor.getSupervisorVersion", 0, 0, [self](const Params&) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    return Value(supervisord::kSupervisorVersion);
  });
  d.add("supervisor.getIdentification", 0, 0, [self, &s](const Params&) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    return Value(s.identifier());
  });
  d.add("supervisor.getState", 0, 0, [self, &s](const Params&) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    return Value(Value::Struct{{"statecode", static_cast<int>(s.state())},
                               {"statename", std::string(process::supervisorStateName(s.state()))}});
  });
  d.add("supervisor.getPID", 0, 0, [self](const Params&) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    return Value(static_cast<int>(::getpid()));
  });

  auto readLog = [self, &s](const Params& params) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    const std::string& logfile = s.mainLogFile();
    if (!fileExists(logfile) || logfile == "syslog") return rpcError(Faults::NO_FILE, logfile);
    auto offset = params.integer(0);
    auto length = params.integer(1);
    if (!offset || !length) return incorrectParameters();
    auto bytes = logs::readLogRange(logfile, *offset, *length);
    if (!bytes) return rpcError(faultFor(bytes.errorKind()));
    return Value(std::move(*bytes));
  };
  d.add("supervisor.readLog", 2, 2, readLog);
  d.add("supervisor.readMainLog", 2, 2, readLog);
  d.add("supervisor.clearLog", 0, 0, [self, &s](const Params&) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    if (!fileExists(s.mainLogFile()) || s.mainLogFile() == "syslog") return rpcError(Faults::NO_FILE);
    if (!s.clearMainLog()) return rpcError(Faults::FAILED);
    return Value(true);
  });

  // The answer goes out before the stop begins (a loop with nothing to stop ends at once).
  d.add("supervisor.shutdown", 0, 0, [self, &s](const Params&) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    boost::asio::post(s.io(), [&s] { s.shutdown(); });
    return Value(true);
  });
  d.add("supervisor.restart", 0, 0, [self, &s](const Params&) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    boost::asio::post(s.io(), [&s] { s.restart(); });
    return Value(true);
  });
  d.add("supervisor.reloadConfig", 0, 0, [self, &s](const Params&) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    auto diff = s.reloadConfig();
    if (!diff) return rpcError(Faults::CANT_REREAD, diff.error());
    auto names = [](const std::vector<std::string>& list) {
      Value::Array out;
      for (const auto& n : list) out.emplace_back(n);
      return Value(std::move(out));
    };
    return Value(Value::Array{Value(Value::Array{names(diff->added), names(diff->changed), names(diff->removed)})});
  });
  d.add("supervisor.addProcessGroup", 1, 1, [self, &s](const Params& params) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    auto name = params.string(0);
    if (!name) return incorrectParameters();
    const config::ProcessGroupConfig* group = s.config().findGroup(*name);
    if (!group) return rpcError(Faults::BAD_NAME, *name);
    const config::ProcessGroupConfig copy = *group;
    if (!s.addProcessGroup(copy)) return rpcError(Faults::ALREADY_ADDED, *name);
    return Value(true);
  });
  d.add("supervisor.removeProcessGroup", 1, 1, [self, &s](const Params& params) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    auto name = params.string(0);
    if (!name) return incorrectParameters();
    if (!s.findGroup(*name)) return rpcError(Faults::BAD_NAME, *name);
    if (!s.removeProcessGroup(*name)) return rpcError(Faults::STILL_RUNNING, *name);
    return Value(true);
  });

  d.add("supervisor.startProcess", 1, 2, [self](const Params& params) -> Reply {
    auto name = params.string(0);
    if (!name) return incorrectParameters();
    return self->startProcess(*name, params.truthy(1, true));
  });
  d.add("supervisor.startProcessGroup", 1, 2, [self](const Params& params) -> Reply {
    auto name = params.string(0);
    if (!name) return incorrectParameters();
    return self->startProcessGroup(*name, params.truthy(1, true));
  });
  d.add("supervisor.startAllProcesses", 0, 1, [self](const Params& params) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    const bool wait = params.truthy(0, true);
    return self->allFunction(
        self->allProcesses(false), [](const Process& p) { return !process::isRunningState(p.state()); },
        [self, wait](const std::string& namespec) { return self->startProcess(namespec, wait); }, true);
  });
  d.add("supervisor.stopProcess", 1, 2, [self](const Params& params) -> Reply {
    auto name = params.string(0);
    if (!name) return incorrectParameters();
    return self->stopProcess(*name, params.truthy(1, true));
  });
  d.add("supervisor.stopProcessGroup", 1, 2, [self](const Params& params) -> Reply {
    auto name = params.string(0);
    if (!name) return incorrectParameters();
    return self->stopProcessGroup(*name, params.truthy(1, true));
  });
  d.add("supervisor.stopAllProcesses", 0, 1, [self](const Params& params) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    const bool wait = params.truthy(0, true);
    return self->allFunction(
        self->allProcesses(false), [](const Process& p) { return p.stoppable(); },
        [self, wait](const std::string& namespec) { return self->stopProcess(namespec, wait); }, true);
  });
  d.add("supervisor.signalProcess", 2, 2, [self](const Params& params) -> Reply {
    auto name = params.string(0);
    if (!name) return incorrectParameters();
    return self->signalProcess(*name, params[1]);
  });
  d.add("supervisor.signalProcessGroup", 2, 2, [self](const Params& params) -> Reply {
    auto name = params.string(0);
    if (!name) return incorrectParameters();
    return self->signalProcessGroup(*name, params[1]);
  });
  d.add("supervisor.signalAllProcesses", 1, 1, [self](const Params& params) -> Reply {
    const Value signal = params[0];
    Reply result = self->allFunction(
        self->allProcesses(false), [](const Process& p) { return process::isSignallableState(p.state()); },
        [self, signal](const std::string& namespec) { return self->signalProcess(namespec, signal); }, false);
    if (auto fault = self->shuttingDown()) return *fault;
    return result;
  });

  d.add("supervisor.getAllConfigInfo", 0, 0, [self](const Params&) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    return self->getAllConfigInfo();
  });
  d.add("supervisor.getProcessInfo", 1, 1, [self](const Params& params) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    auto name = params.string(0);
    if (!name) return incorrectParameters();
    auto found = self->find(*name);
    if (auto* fault = std::get_if<Fault>(&found)) return *fault;
    Target target = std::get<Target>(found);
    if (!target.process) return rpcError(Faults::BAD_NAME, *name);
    return self->processInfo(*target.group, *target.process);
  });
  d.add("supervisor.getAllProcessInfo", 0, 0, [self, &s](const Params&) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    Value::Array out;
    for (const auto& m : self->allProcesses(true))
      if (const Process* p = s.findProcess(m.group, m.name)) out.push_back(self->processInfo(*s.findGroup(m.group), *p));
    return Value(std::move(out));
  });

  auto readStdout = [self](const Params& params) { return self->readProcessLog(params, false); };
  d.add("supervisor.readProcessStdoutLog", 3, 3, readStdout);
  d.add("supervisor.readProcessLog", 3, 3, readStdout);
  d.add("supervisor.readProcessStderrLog", 3, 3, [self](const Params& params) { return self->readProcessLog(params, true); });
  auto tailStdout = [self](const Params& params) { return self->tailProcessLog(params, false); };
  d.add("supervisor.tailProcessStdoutLog", 3, 3, tailStdout);
  d.add("supervisor.tailProcessLog", 3, 3, tailStdout);
  d.add("supervisor.tailProcessStderrLog", 3, 3, [self](const Params& params) { return self->tailProcessLog(params, true); });

  auto clearLogs = [self](const Params& params) -> Reply {
    auto name = params.string(0);
    if (!name) return incorrectParameters();
    return self->clearProcessLogs(*name);
  };
  d.add("supervisor.clearProcessLogs", 1, 1, clearLogs);
  d.add("supervisor.clearProcessLog", 1, 1, clearLogs);
  d.add("supervisor.clearAllProcessLogs", 0, 0, [self](const Params&) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    return self->allFunction(
        self->allProcesses(false), [](const Process&) { return true; },
        [self](const std::string& namespec) { return self->clearProcessLogs(namespec); }, true);
  });

  d.add("supervisor.sendProcessStdin", 2, 2, [self, &s](const Params& params) -> Reply {
    if (auto fault = self->shuttingDown()) return *fault;
    auto chars = params.string(1);
    if (!chars) return rpcError(Faults::INCORRECT_PARAMETERS, display(params[1]));
    auto name = params.string(0);
    if (!name) return incorrectParameters();
    auto found = self->find(*name);
    if (auto* fault = std::get_if<Fault>(&found)) return *fault;
    Target target = std::get<Target>(found);
    if (!target.process) return rpcError(Faults::BAD_NAME, *name);
    if (target.process->pid() == 0 || target.process->record().killing) return rpcError(Faults::NOT_RUNNING, *name);
    auto written = s.sendProcessStdin(target.group->name(), target.process->config().name, *chars);
    if (!written) return rpcError(faultFor(written.errorKind()), *name);  // NO_FILE (stdin closed), NOT_RUNNING
    return Value(true);
  });
  d.add("supervisor.sendRemoteCommEvent", 2, 2, [&s](const Params& params) -> Reply {
    s.remoteCommunication(display(params[0]), display(params[1]));
    return Value(true);
  });
}

}  // namespace

void addSupervisorMethods(Dispatcher& dispatcher, Supervisor& supervisor) {
  std::make_shared<Interface>(supervisor)->addTo(dispatcher);
}

}  // namespace rpc
