#pragma once
// RestartPolicies: the daemon's restart policies, wired to its processes. The
// decisions are policy/'s pure functions (backoff, budget windows, group restart
// sets, start tiers, the escalation chain); this is their shell: it keeps each
// process's and group's policy state, runs probes and hooks (policy/ProbeMonitor,
// policy/CommandRun) on the daemon's loop, restarts groups member by member, and
// answers the ha.* operations.
//
// The Supervisor forwards its ProcessHost calls here. Actions on processes that a
// process's own decision triggers (a group restart, an escalation) run on a later
// loop pass, never inside that process's event handling. Without policy keys every
// answer is Supervisor's behaviour and nothing runs.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "supervisord/config/config_model.h"
#include "supervisord/policy/hook.h"
#include "supervisord/policy/policy_report.h"
#include "supervisord/policy/program_role.h"
#include "supervisord/process/process_state_machine.h"

namespace process {
class Process;
class ProcessGroup;
}  // namespace process
namespace policy {

class ProbeMonitor;
class PolicyHost;

class RestartPolicies {
 public:
  using HookDone = std::function<void(common::Result<policy::HookRun>)>;

  // `hooksFinished` runs when the last running hook has finished (a shutdown waits for hooks).
  // REQUIRES: `host` outlives this.
  RestartPolicies(PolicyHost& host, std::function<void()> hooksFinished);
  ~RestartPolicies();
  RestartPolicies(const RestartPolicies&) = delete;
  RestartPolicies& operator=(const RestartPolicies&) = delete;

  // REQUIRES: groupRemoved before a group's processes are destroyed.
  void groupAdded(process::ProcessGroup& group);
  void groupRemoved(process::ProcessGroup& group);

  // ---- From the processes (ProcessHost) ----
  process::RestartAdvice advice(const process::Process& process) const;
  void restartCounted(process::Process& process);
  void gaveUp(process::Process& process, const std::string& reason);
  void groupRestartWanted(process::Process& process);
  bool beforeSpawn(process::Process& process, std::function<void(std::optional<std::string>)> proceed);
  void cancelBeforeSpawn(process::Process& process);
  void childSpawned(process::Process& process);
  void stateChanged(process::Process& process, const process::StateChanged& change);

  // Hooks still running; each ends within its hook_timeout.
  bool hooksRunning() const;

  // ---- ha.* ----
  policy::PolicyReport report(const process::Process& process) const;
  // The parts of report() the cluster reads at every evaluation, without building it.
  std::optional<long long> score(const process::Process& process) const;
  std::optional<policy::HookRun> lastRun(const process::Process& process, Hook hook) const;
  void resetBudget(const process::Process& process);
  void promote(process::Process& process, HookDone done);
  void demote(process::Process& process, HookDone done);

  // ---- Cluster mode (ClusterNode decides; these carry it out) ----
  // Runs one of the process's hooks with `extra` added to its environment. A hook without a
  // command succeeds at once ("no <hook>_command"). `done` always gets a HookRun.
  void runClusterHook(process::Process& process, Hook hook, const std::string& reason,
                      const config::Environment& extra, HookDone done);
  // The role ha.getPolicyState and the hooks' SUPERVISOR_ROLE show.
  void setRole(const process::Process& process, policy::ProgramRole role);
  // Runs score_command now (if the process is RUNNING) with SUPERVISOR_REASON=`reason`, then
  // every score_interval again ("refresh").
  void refreshScore(process::Process& process, const std::string& reason);

 private:
  struct ProcessEntry;
  struct GroupEntry;
  struct Runs;

  ProcessEntry* entry(const process::Process& process) const;
  // The process `name` of `group` if it still exists (callbacks find it again by name).
  process::Process* find(const std::string& group, const std::string& name) const;
  GroupEntry* groupEntry(const process::Process& process) const;
  void runHook(process::Process& process, Hook hook, const std::string& reason,
               std::function<void(const policy::HookRun&)> then, const config::Environment& extra = {});
  void startGroupRestart(const std::string& group, const std::string& trigger, bool wholeGroup);
  void advanceGroupRestart(const std::string& group);
  void escalate(const std::string& group, const std::string& name, const std::string& reason);
  void scheduleScore(process::Process& process, double delay, const std::string& reason = "refresh");
  void releaseStartTiers();
  void roleHook(process::Process& process, Hook hook, HookDone done);
  void later(std::function<void()> action);
  config::Environment programEnvironment(const process::Process& process) const;
  std::unique_ptr<policy::ProbeMonitor> watch(process::Process& process, const config::ProbeConfig& probe,
                                              bool readiness);

  PolicyHost& host_;
  std::function<void()> hooksFinished_;
  std::map<const process::Process*, std::unique_ptr<ProcessEntry>> processes_;
  std::map<std::string, std::unique_ptr<GroupEntry>> groups_;
  std::unique_ptr<Runs> runs_;  // hooks running (asio stays in the .cpp)
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace policy
