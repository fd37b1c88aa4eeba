// policy, promote, demote, resetbudget: the actions on restart policies, through
// supervisor-ha's ha.* methods. Like the process actions, each prints one line per
// name ("mysqld: promoted", "mysqld: ERROR (not promotable)") and leaves a nonzero
// exit status after any error (7 for "not running", 1 otherwise).
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "supervisorctl/commands.h"
#include "supervisorctl/controller.h"
#include "common/namespec.h"
#include "supervisorctl/policy_view.h"
#include "supervisorctl/process_info.h"

namespace supervisorctl {

namespace {

using common::xmlrpc::Value;

bool hasAll(const std::vector<std::string>& names) {
  for (const std::string& name : names)
    if (name == "all") return true;
  return false;
}

// A supervisord without ha.* (Python Supervisor's) answers UNKNOWN_METHOD.
bool reportNoPolicies(Controller& ctl, const RpcReply& reply) {
  if (!reply.isFault(faults::UNKNOWN_METHOD)) return false;
  ctl.output("ERROR: this supervisord has no restart policies (the ha.* methods are supervisor-ha's)");
  ctl.exitstatus = exitstatus::UNIMPLEMENTED_FEATURE;
  return true;
}

// The words in "name: ERROR (...)" for a fault about `name`.
std::string faultReason(const xmlrpc::Fault& fault, const std::string& name) {
  switch (fault.code) {
    case faults::BAD_NAME: return "no such process";
    case faults::NOT_RUNNING: return "not running";
    case faults::NOT_PROMOTABLE: return "not promotable";
    case faults::BUSY: return "busy: a promote or demote is running";
    case faults::HOOK_FAILED: {
      // "HOOK_FAILED: <name>: <description>"
      std::string description = fault.string;
      for (const std::string& prefix : {"HOOK_FAILED: " + name + ": ", std::string("HOOK_FAILED: ")}) {
        if (description.rfind(prefix, 0) == 0) {
          description.erase(0, prefix.size());
          break;
        }
      }
      return "hook failed: " + description;
    }
  }
  return fault.string;
}

// Local time, "2026-11-22 10:00:00".
std::string localTime(double wallTime) {
  const std::time_t seconds = static_cast<std::time_t>(wallTime);
  std::tm parts{};
  ::localtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &parts);
  return text;
}

bool requireNames(Controller& ctl, const char* action, const std::vector<std::string>& names) {
  if (!names.empty()) return true;
  ctl.output(std::string("Error: ") + action + " requires a process name");
  ctl.exitstatus = exitstatus::INVALID_ARGS;
  printHelp(ctl, action);
  return false;
}

// promote, demote, resetbudget: `method` on each name in turn.
void runOnEach(Controller& ctl, const char* action, const char* method, const char* success,
               const std::string& arg) {
  if (!ctl.upcheck()) return;
  const std::vector<std::string> names = splitWords(arg);
  if (!requireNames(ctl, action, names)) return;
  for (const std::string& name : names) {
    const RpcReply reply = ctl.call(method, {name});
    if (reply.ok()) {
      ctl.output(name + ": " + success);
      continue;
    }
    if (reportNoPolicies(ctl, reply)) return;
    if (!reply.isFault()) return ctl.raise(reply);
    ctl.output(name + ": ERROR (" + faultReason(reply.fault, name) + ")");
    ctl.setExitstatusFromFault(reply.fault.code);
  }
}

}  // namespace

bool doPolicy(Controller& ctl, const std::string& arg) {
  if (!ctl.upcheck()) return false;
  const std::vector<std::string> names = splitWords(arg);
  std::optional<Value::Array> all;
  auto fetchAll = [&]() -> bool {
    if (all) return true;
    const RpcReply reply = ctl.call("ha.getAllPolicyStates");
    if (!reply.ok()) {
      if (!reportNoPolicies(ctl, reply)) ctl.raise(reply);
      return false;
    }
    all = reply.value.isArray() ? reply.value.asArray() : Value::Array{};
    return true;
  };

  std::vector<PolicyView> views;
  if (names.empty() || hasAll(names)) {
    if (!fetchAll()) return false;
    for (const Value& state : *all) views.push_back(decodePolicyState(state));
  } else {
    for (const std::string& name : names) {
      auto [group, process] = common::splitNamespec(name);
      if (!process) {  // "group:*"
        if (!fetchAll()) return false;
        bool found = false;
        for (const Value& state : *all) {
          if (memberString(state, "group") != group) continue;
          views.push_back(decodePolicyState(state));
          found = true;
        }
        if (!found) {
          ctl.output(group + ": ERROR (no such group)");
          ctl.exitstatus = exitstatus::GENERIC;
        }
        continue;
      }
      const RpcReply reply = ctl.call("ha.getPolicyState", {name});
      if (reply.ok()) {
        views.push_back(decodePolicyState(reply.value));
        continue;
      }
      if (reportNoPolicies(ctl, reply)) return false;
      if (!reply.isFault()) {
        ctl.raise(reply);
        return false;
      }
      ctl.output(name + ": ERROR (" + faultReason(reply.fault, name) + ")");
      ctl.setExitstatusFromFault(reply.fault.code);
    }
  }
  for (const std::string& line : formatPolicyBlocks(views, localTime)) ctl.output(line);
  return false;
}

bool doPromote(Controller& ctl, const std::string& arg) {
  runOnEach(ctl, "promote", "ha.promote", "promoted", arg);
  return false;
}

bool doDemote(Controller& ctl, const std::string& arg) {
  runOnEach(ctl, "demote", "ha.demote", "demoted", arg);
  return false;
}

bool doResetbudget(Controller& ctl, const std::string& arg) {
  runOnEach(ctl, "resetbudget", "ha.resetBudget", "budget reset", arg);
  return false;
}

}  // namespace supervisorctl
