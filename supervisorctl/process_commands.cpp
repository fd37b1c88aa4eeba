// status, start, stop, restart, signal, clear, pid: the actions on processes.
#include <optional>

#include "supervisorctl/commands.h"
#include "supervisorctl/controller.h"
#include "common/namespec.h"
#include "supervisorctl/process_info.h"
#include "supervisorctl/status_table.h"

namespace supervisorctl {

namespace {

using common::xmlrpc::Value;

// A multi-process result, or a fault turned into one (Python builds the same dict).
struct ProcessResult {
  std::string group;
  std::string name;
  int status = faults::SUCCESS;
  std::string description;
};

ProcessResult fromStruct(const Value& result) {
  return {memberString(result, "group"), memberString(result, "name"), static_cast<int>(memberInt(result, "status")),
          memberString(result, "description")};
}

ProcessResult fromFault(const std::string& namespec, const xmlrpc::Fault& fault) {
  auto [group, process] = common::splitNamespec(namespec);
  return {group, process.value_or(""), fault.code, fault.string};
}

std::string errorText(const ProcessResult& result, const std::string& why) {
  return common::makeNamespec(result.group, result.name) + ": ERROR (" + why + ")";
}

// _startresult
std::string startResultText(const ProcessResult& result) {
  switch (result.status) {
    case faults::BAD_NAME: return errorText(result, "no such process");
    case faults::NO_FILE: return errorText(result, "no such file");
    case faults::NOT_EXECUTABLE: return errorText(result, "file is not executable");
    case faults::ALREADY_STARTED: return errorText(result, "already started");
    case faults::SPAWN_ERROR: return errorText(result, "spawn error");
    case faults::ABNORMAL_TERMINATION: return errorText(result, "abnormal termination");
    case faults::SUCCESS: return common::makeNamespec(result.group, result.name) + ": started";
  }
  return "";
}

// _signalresult (and _stopresult with "stopped")
std::optional<std::string> signalResultText(const ProcessResult& result, const std::string& success) {
  switch (result.status) {
    case faults::BAD_NAME: return errorText(result, "no such process");
    case faults::BAD_SIGNAL: return errorText(result, "bad signal name");
    case faults::NOT_RUNNING: return errorText(result, "not running");
    case faults::SUCCESS: return common::makeNamespec(result.group, result.name) + ": " + success;
    case faults::FAILED: return result.description;
  }
  return std::nullopt;
}

// _clearresult
std::optional<std::string> clearResultText(const ProcessResult& result) {
  switch (result.status) {
    case faults::BAD_NAME: return errorText(result, "no such process");
    case faults::FAILED: return errorText(result, "failed");
    case faults::SUCCESS: return common::makeNamespec(result.group, result.name) + ": cleared";
  }
  return std::nullopt;
}

// Python raises ValueError for a result code its table lacks.
bool reportUnknownCode(Controller& ctl, const ProcessResult& result) {
  RpcReply problem;
  problem.kind = RpcReply::Kind::badServerUrl;  // a message printed as is
  problem.message = "error: <class 'ValueError'>, Unknown result code " + std::to_string(result.status) + " for " +
                    common::makeNamespec(result.group, result.name) +
                    ": file: /usr/lib/python3/dist-packages/supervisor/supervisorctl.py line: 0";
  ctl.raise(problem);
  return false;
}

bool hasAll(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (name == "all") return true;
  }
  return false;
}

// How one family of actions words and scores its results.
struct Verb {
  const char* allMethod;      // e.g. supervisor.startAllProcesses
  const char* groupMethod;    // supervisor.startProcessGroup
  const char* processMethod;  // supervisor.startProcess
  std::optional<std::string> (*text)(const ProcessResult&);
  std::optional<int> ignoredFault;
  int noSuchGroupExitstatus;
};

std::optional<std::string> startText(const ProcessResult& result) {
  std::string text = startResultText(result);
  if (text.empty()) return std::nullopt;
  return text;
}
std::optional<std::string> stopText(const ProcessResult& result) { return signalResultText(result, "stopped"); }
std::optional<std::string> signalText(const ProcessResult& result) { return signalResultText(result, "signalled"); }

// Prints results of a multi-process call; false when one had an unknown code.
bool showResults(Controller& ctl, const Verb& verb, const Value& results) {
  if (!results.isArray()) return true;
  for (const Value& item : results.asArray()) {
    const ProcessResult result = fromStruct(item);
    const auto text = verb.text(result);
    if (!text) return reportUnknownCode(ctl, result);
    ctl.output(*text);
    ctl.setExitstatusFromFault(result.status, verb.ignoredFault);
  }
  return true;
}

// The common body of do_start, do_stop and do_signal.
void runOnNames(Controller& ctl, const Verb& verb, const std::vector<std::string>& names,
                const Value::Array& extraParams, const char* success) {
  auto withExtra = [&](Value::Array params) {
    params.insert(params.end(), extraParams.begin(), extraParams.end());
    return params;
  };
  if (hasAll(names)) {
    const RpcReply reply = ctl.call(verb.allMethod, extraParams);
    if (!reply.ok()) return ctl.raise(reply);
    showResults(ctl, verb, reply.value);
    return;
  }
  for (const std::string& name : names) {
    auto [group, process] = common::splitNamespec(name);
    if (!process) {
      const RpcReply reply = ctl.call(verb.groupMethod, withExtra({group}));
      if (reply.ok()) {
        if (!showResults(ctl, verb, reply.value)) return;
        continue;
      }
      if (reply.isFault(faults::BAD_NAME)) {
        ctl.output(group + ": ERROR (no such group)");
        ctl.exitstatus = verb.noSuchGroupExitstatus;
        continue;
      }
      return ctl.raise(reply);
    }
    const RpcReply reply = ctl.call(verb.processMethod, withExtra({name}));
    if (reply.ok()) {
      ctl.output(common::makeNamespec(group, *process) + ": " + success);
      continue;
    }
    if (!reply.isFault()) return ctl.raise(reply);
    const ProcessResult result = fromFault(name, reply.fault);
    const auto text = verb.text(result);
    if (!text) return (void)reportUnknownCode(ctl, result);
    ctl.output(*text);
    ctl.setExitstatusFromFault(result.status, verb.ignoredFault);
  }
}

const Verb kStart{"supervisor.startAllProcesses", "supervisor.startProcessGroup", "supervisor.startProcess",
                  startText, faults::ALREADY_STARTED, exitstatus::INVALID_ARGS};
const Verb kStop{"supervisor.stopAllProcesses", "supervisor.stopProcessGroup", "supervisor.stopProcess",
                 stopText, faults::NOT_RUNNING, exitstatus::GENERIC};
const Verb kSignal{"supervisor.signalAllProcesses", "supervisor.signalProcessGroup", "supervisor.signalProcess",
                   signalText, std::nullopt, exitstatus::GENERIC};

bool isStoppedState(std::int64_t state) {
  // states.STOPPED_STATES: STOPPED, EXITED, FATAL, UNKNOWN
  return state == 0 || state == 100 || state == 200 || state == 1000;
}

}  // namespace

bool doStatus(Controller& ctl, const std::string& arg) {
  if (!ctl.upcheck()) {
    // Python overrides upcheck's status for `status` (LSB: 4 = unknown).
    ctl.exitstatus = exitstatus::STATUS_UNKNOWN;
    return false;
  }
  const RpcReply reply = ctl.call("supervisor.getAllProcessInfo");
  if (!reply.ok()) {
    ctl.raise(reply);
    return false;
  }
  const Value::Array all = reply.value.isArray() ? reply.value.asArray() : Value::Array{};
  const std::vector<std::string> names = splitWords(arg);
  std::vector<const Value*> matching;
  if (names.empty() || hasAll(names)) {
    for (const Value& info : all) matching.push_back(&info);
  } else {
    for (const std::string& name : names) {
      auto [group, process] = common::splitNamespec(name);
      bool found = false;
      for (const Value& info : all) {
        if (memberString(info, "group") != group) continue;
        if (process && memberString(info, "name") != *process) continue;
        found = true;
        matching.push_back(&info);
      }
      if (!found) {
        ctl.output(process ? name + ": ERROR (no such process)" : group + ": ERROR (no such group)");
        ctl.exitstatus = exitstatus::STATUS_UNKNOWN;
      }
    }
  }
  std::vector<StatusRow> rows;
  for (const Value* info : matching) {
    rows.push_back({memberString(*info, "group"), memberString(*info, "name"), memberString(*info, "statename"),
                    memberString(*info, "description")});
  }
  for (const std::string& line : formatStatusTable(rows)) ctl.output(line);
  for (const Value* info : matching) {
    if (isStoppedState(memberInt(*info, "state"))) ctl.exitstatus = exitstatus::STATUS_NOT_RUNNING;
  }
  return false;
}

bool doStart(Controller& ctl, const std::string& arg) {
  if (!ctl.upcheck()) return false;
  const std::vector<std::string> names = splitWords(arg);
  if (names.empty()) {
    ctl.output("Error: start requires a process name");
    ctl.exitstatus = exitstatus::INVALID_ARGS;
    printHelp(ctl, "start");
    return false;
  }
  runOnNames(ctl, kStart, names, {}, "started");
  return false;
}

bool doStop(Controller& ctl, const std::string& arg) {
  if (!ctl.upcheck()) return false;
  const std::vector<std::string> names = splitWords(arg);
  if (names.empty()) {
    ctl.output("Error: stop requires a process name");
    ctl.exitstatus = exitstatus::GENERIC;
    printHelp(ctl, "stop");
    return false;
  }
  runOnNames(ctl, kStop, names, {}, "stopped");
  return false;
}

bool doRestart(Controller& ctl, const std::string& arg) {
  if (!ctl.upcheck()) return false;
  if (splitWords(arg).empty()) {
    ctl.output("Error: restart requires a process name");
    ctl.exitstatus = exitstatus::GENERIC;
    printHelp(ctl, "restart");
    return false;
  }
  doStop(ctl, arg);
  // Python's do_stop raising would skip do_start; the Controller knows.
  if (ctl.hasRaised()) return false;
  doStart(ctl, arg);
  return false;
}

bool doSignal(Controller& ctl, const std::string& arg) {
  if (!ctl.upcheck()) return false;
  std::vector<std::string> args = splitWords(arg);
  if (args.size() < 2) {
    ctl.output("Error: signal requires a signal name and a process name");
    printHelp(ctl, "signal");
    ctl.exitstatus = exitstatus::GENERIC;
    return false;
  }
  const std::string signal = args.front();
  args.erase(args.begin());
  runOnNames(ctl, kSignal, args, {signal}, "signalled");
  return false;
}

bool doClear(Controller& ctl, const std::string& arg) {
  if (!ctl.upcheck()) return false;
  const std::vector<std::string> names = splitWords(arg);
  if (names.empty()) {
    ctl.output("Error: clear requires a process name");
    ctl.exitstatus = exitstatus::GENERIC;
    printHelp(ctl, "clear");
    return false;
  }
  if (hasAll(names)) {
    const RpcReply reply = ctl.call("supervisor.clearAllProcessLogs");
    if (!reply.ok()) {
      ctl.raise(reply);
      return false;
    }
    for (const Value& item : reply.value.isArray() ? reply.value.asArray() : Value::Array{}) {
      const ProcessResult result = fromStruct(item);
      const auto text = clearResultText(result);
      if (!text) return reportUnknownCode(ctl, result);
      ctl.output(*text);
      ctl.setExitstatusFromFault(result.status);
    }
    return false;
  }
  for (const std::string& name : names) {
    const RpcReply reply = ctl.call("supervisor.clearProcessLogs", {name});
    auto [group, process] = common::splitNamespec(name);
    if (reply.ok()) {
      ctl.output(common::makeNamespec(group, process.value_or("")) + ": cleared");
      continue;
    }
    if (!reply.isFault()) {
      ctl.raise(reply);
      return false;
    }
    const ProcessResult result = fromFault(name, reply.fault);
    const auto text = clearResultText(result);
    if (!text) return reportUnknownCode(ctl, result);
    ctl.output(*text);
    ctl.setExitstatusFromFault(result.status);
  }
  return false;
}

bool doPid(Controller& ctl, const std::string& arg) {
  if (!ctl.checkServerUrl()) return false;
  if (!ctl.upcheck()) return false;
  const std::vector<std::string> names = splitWords(arg);
  if (names.empty()) {
    const RpcReply reply = ctl.call("supervisor.getPID");
    if (!reply.ok()) {
      ctl.raise(reply);
      return false;
    }
    ctl.output(reply.value.isInt() ? std::to_string(reply.value.asInt()) : "");
    return false;
  }
  if (hasAll(names)) {
    const RpcReply reply = ctl.call("supervisor.getAllProcessInfo");
    if (!reply.ok()) {
      ctl.raise(reply);
      return false;
    }
    for (const Value& info : reply.value.isArray() ? reply.value.asArray() : Value::Array{}) {
      ctl.output(memberText(info, "pid"));
    }
    return false;
  }
  for (const std::string& name : names) {
    const RpcReply reply = ctl.call("supervisor.getProcessInfo", {name});
    if (reply.ok()) {
      ctl.output(memberText(reply.value, "pid"));
      if (memberInt(reply.value, "pid") == 0) ctl.exitstatus = exitstatus::NOT_RUNNING;
      continue;
    }
    if (reply.isFault()) ctl.exitstatus = exitstatus::GENERIC;
    if (reply.isFault(faults::BAD_NAME)) {
      ctl.output("No such process " + name);
      continue;
    }
    ctl.raise(reply);
    return false;
  }
  return false;
}

}  // namespace supervisorctl
