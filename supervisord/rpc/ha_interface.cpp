#include "supervisord/rpc/ha_interface.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/ha_keys.h"
#include "common/namespec.h"
#include "supervisord/daemon/supervisor.h"
#include "supervisord/rpc/dispatcher.h"
#include "supervisord/rpc/faults.h"
#include "supervisord/rpc/ha_cluster_methods.h"
#include "supervisord/rpc/method_docs.h"

namespace rpc {

namespace {

using supervisord::Supervisor;

// A process as the Supervisor's operations name it, and as the caller wrote it.
struct Named {
  std::string group;
  std::string name;
  std::string namespec;
};

// getProcessInfo's lookup: "name" (a group of its own name) or "group:name".
// A whole group ("group:*", "group:") or a name that matches nothing is BAD_NAME.
std::variant<Named, Fault> findProcess(const Supervisor& supervisor, const std::string& namespec) {
  auto [group, name] = common::splitNamespec(namespec);
  if (!name || !supervisor.findProcess(group, *name)) return rpcError(Faults::BAD_NAME, namespec);
  return Named{std::move(group), std::move(*name), namespec};
}

// As supervisor.*'s _update(): no changes once a shutdown or restart began.
std::optional<Fault> shuttingDown(const Supervisor& supervisor) {
  const auto mood = supervisor.state();
  if (mood == process::SupervisorState::Shutdown || mood == process::SupervisorState::Restarting)
    return rpcError(Faults::SHUTDOWN_STATE);
  return std::nullopt;
}

// The Supervisor's errors for a ha.* operation (supervisor.h), as faults: the process's
// name, and the reason where the kind alone does not say it.
template <typename T>
Fault operationFault(const common::Result<T>& result, const std::string& namespec) {
  const common::ErrorKind kind = result.errorKind();
  const bool explained = kind == common::ErrorKind::Failed || kind == common::ErrorKind::ClusterManaged;
  return rpcError(faultFor(kind), explained ? namespec + ": " + result.error() : namespec);
}

// promote/demote's answer: True once the hook succeeded.
Outcome hookOutcome(const common::Result<policy::HookRun>& run, const std::string& namespec) {
  if (!run) return operationFault(run, namespec);
  if (!run->ok) return rpcError(Faults::HOOK_FAILED, namespec + ": " + run->description);
  return Value(true);
}

Reply asReply(Outcome outcome) {
  return std::visit([](auto&& v) -> Reply { return std::move(v); }, std::move(outcome));
}

Value hookRunState(const policy::HookRun& run) {
  return Value::Struct{
      {ha_keys::kHook, std::string(policy::hookName(run.hook))},         {ha_keys::kReason, run.reason},           {ha_keys::kStarted, run.started},
      {ha_keys::kFinished, run.finished}, {ha_keys::kOk, run.ok},                   {ha_keys::kDescription, run.description},
      {ha_keys::kOutput, run.output},
  };
}

Value probeState(const policy::ProbeReport& probe) {
  return Value::Struct{
      {ha_keys::kKind, probe.kind},
      {ha_keys::kSpec, probe.spec},
      {ha_keys::kActive, probe.active},
      {ha_keys::kChecks, probe.checks},
      {ha_keys::kConsecutiveFailures, probe.consecutiveFailures},
      {ha_keys::kLastOk, probe.lastOk ? Value(*probe.lastOk) : Value("")},
      {ha_keys::kLastDetail, probe.lastDetail},
      {ha_keys::kLastCheck, probe.lastCheck},
  };
}

// ha.promote and ha.demote: the Supervisor calls `done` once, now or when the
// hook child has ended; until then the reply is a Poll on what it left.
Reply runRoleHook(Supervisor& supervisor, const std::string& namespec, bool promote) {
  if (auto fault = shuttingDown(supervisor)) return *fault;
  auto found = findProcess(supervisor, namespec);
  if (auto* fault = std::get_if<Fault>(&found)) return *fault;
  const Named target = std::get<Named>(found);
  auto answer = std::make_shared<std::optional<Outcome>>();
  auto done = [answer, namespec](common::Result<policy::HookRun> run) { *answer = hookOutcome(run, namespec); };
  if (promote)
    supervisor.promote(target.group, target.name, done);
  else
    supervisor.demote(target.group, target.name, done);
  if (*answer) return asReply(std::move(**answer));
  return Poll{[answer]() { return *answer; }, std::chrono::milliseconds(50)};
}

}  // namespace

Value policyState(const policy::PolicyReport& report) {
  Value::Array probes;
  for (const auto& probe : report.probes) probes.push_back(probeState(probe));
  Value::Array hooks;
  for (const auto& run : report.hooks) hooks.push_back(hookRunState(run));
  return Value::Struct{
      {ha_keys::kName, report.name},
      {ha_keys::kGroup, report.group},
      {ha_keys::kBackoff, report.backoff},
      {ha_keys::kTries, report.tries},
      {ha_keys::kNextDelay, report.nextDelay},
      {ha_keys::kRetryAt, report.retryAt},
      {ha_keys::kBudgetUsed, report.budgetUsed},
      {ha_keys::kBudgetLimit, report.budgetLimit},
      {ha_keys::kBudgetWindow, report.budgetWindow},
      {ha_keys::kOnBudgetSpent, report.onBudgetSpent},
      {ha_keys::kGroupStrategy, report.groupStrategy},
      {ha_keys::kGroupBudgetUsed, report.groupBudgetUsed},
      {ha_keys::kGroupBudgetLimit, report.groupBudgetLimit},
      {ha_keys::kRole, report.role},
      {ha_keys::kScore, report.score ? Value(*report.score) : Value("")},
      {ha_keys::kEscalation, report.escalation},
      {ha_keys::kProbes, Value(std::move(probes))},
      {ha_keys::kHooks, Value(std::move(hooks))},
  };
}

const std::vector<MethodDoc>& haMethodDocs() {
  static const std::vector<MethodDoc> docs = {
      {"ha.demote",
       {"boolean", "string"},
       "Run the demote_command of a process with role = promotable and, when it\n"
       "succeeds, make the process a replica. The answer comes once the hook\n"
       "has ended.\n"
       "\n"
       "Faults: BAD_NAME, NOT_PROMOTABLE (200), HOOK_FAILED (201: 'HOOK_FAILED:\n"
       "name: description'), BUSY (202: a promote or demote of it is running).\n"
       "\n"
       "@param string name The name of the process (or 'group:name')\n"
       "@return boolean result     Always True unless error"},
      {"ha.getAllPolicyStates",
       {"array"},
       "Get the restart policy state of every process, in the order of\n"
       "supervisor.getAllProcessInfo.\n"
       "\n"
       "@return array result  An array of policy state structs (see ha.getPolicyState)"},
      {"ha.getPolicyState",
       {"struct", "string"},
       "Get the restart policy state of a process: name, group, backoff\n"
       "('linear' or 'exponential'), tries, next_delay (seconds), retry_at\n"
       "(time of a pending retry, 0 if none), budget_used, budget_limit (0: no\n"
       "budget), budget_window (seconds), on_budget_spent, group_strategy,\n"
       "group_budget_used, group_budget_limit, role ('', 'replica' or\n"
       "'primary'), score ('' when there is none), escalation ('' if none),\n"
       "probes (array of structs: kind, spec, active, checks,\n"
       "consecutive_failures, last_ok ('' before the first check),\n"
       "last_detail, last_check) and hooks (the last run of each hook: hook,\n"
       "reason, started, finished (0 while it runs), ok, description, output).\n"
       "Times are UNIX times (doubles).\n"
       "\n"
       "@param string name The name of the process (or 'group:name')\n"
       "@return struct result     A structure containing data about the policy"},
      {"ha.promote",
       {"boolean", "string"},
       "Run the promote_command of a running process with role = promotable\n"
       "and, when it succeeds, make the process the primary. The answer comes\n"
       "once the hook has ended.\n"
       "\n"
       "Faults: BAD_NAME, NOT_RUNNING, NOT_PROMOTABLE (200), HOOK_FAILED (201:\n"
       "'HOOK_FAILED: name: description'), BUSY (202: a promote or demote of it\n"
       "is running).\n"
       "\n"
       "@param string name The name of the process (or 'group:name')\n"
       "@return boolean result     Always True unless error"},
      {"ha.resetBudget",
       {"boolean", "string"},
       "Forget the restarts of a process (and of its group): its restart budget\n"
       "is whole again.\n"
       "\n"
       "@param string name The name of the process (or 'group:name')\n"
       "@return boolean result     Always True unless error"},
  };
  static const std::vector<MethodDoc> all = [] {
    std::vector<MethodDoc> out = docs;
    const auto& cluster = haClusterMethodDocs();
    out.insert(out.end(), cluster.begin(), cluster.end());
    return out;
  }();
  return all;
}

void addHaMethods(Dispatcher& d, Supervisor& s) {
  d.add("ha.getPolicyState", 1, 1, [&s](const Params& params) -> Reply {
    auto name = params.string(0);
    if (!name) return rpcError(Faults::INCORRECT_PARAMETERS);
    auto found = findProcess(s, *name);
    if (auto* fault = std::get_if<Fault>(&found)) return *fault;
    const Named& target = std::get<Named>(found);
    auto report = s.policyReport(target.group, target.name);
    if (!report) return operationFault(report, *name);
    return policyState(*report);
  });

  // getAllProcessInfo's order: groups by name, then processes by name.
  d.add("ha.getAllPolicyStates", 0, 0, [&s](const Params&) -> Reply {
    std::vector<process::ProcessGroup*> groups = s.groups();
    std::sort(groups.begin(), groups.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
    Value::Array states;
    for (const auto* group : groups) {
      std::vector<std::string> names;
      for (const auto& p : group->processes()) names.push_back(p->config().name);
      std::sort(names.begin(), names.end());
      for (const auto& name : names)
        if (auto report = s.policyReport(group->name(), name)) states.push_back(policyState(*report));
    }
    return Value(std::move(states));
  });

  d.add("ha.resetBudget", 1, 1, [&s](const Params& params) -> Reply {
    if (auto fault = shuttingDown(s)) return *fault;
    auto name = params.string(0);
    if (!name) return rpcError(Faults::INCORRECT_PARAMETERS);
    auto found = findProcess(s, *name);
    if (auto* fault = std::get_if<Fault>(&found)) return *fault;
    const Named& target = std::get<Named>(found);
    if (auto reset = s.resetBudget(target.group, target.name); !reset) return operationFault(reset, *name);
    return Value(true);
  });

  d.add("ha.promote", 1, 1, [&s](const Params& params) -> Reply {
    auto name = params.string(0);
    if (!name) return rpcError(Faults::INCORRECT_PARAMETERS);
    return runRoleHook(s, *name, true);
  });
  d.add("ha.demote", 1, 1, [&s](const Params& params) -> Reply {
    auto name = params.string(0);
    if (!name) return rpcError(Faults::INCORRECT_PARAMETERS);
    return runRoleHook(s, *name, false);
  });
  addHaClusterMethods(d, s);
}

}  // namespace rpc
