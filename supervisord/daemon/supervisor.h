#pragma once
// Supervisor: the daemon's core. Owns the event loop, the process groups and the
// signal handling, and offers every operation (start, stop, signal, add/remove
// group, shutdown, restart, reopen logs) as a public method — the same methods
// that signals, the XML-RPC API and the cluster agent call. The shells below it reach
// it through host interfaces it implements (ProcessHost, PolicyHost, ClusterHost).
//
// One thread, one boost::asio::io_context: every state change happens on the loop.

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "supervisord/cluster/cluster_control.h"
#include "supervisord/cluster/cluster_host.h"
#include "supervisord/config/config_loader.h"
#include "supervisord/config/config_model.h"
#include "supervisord/daemon/daemon_process.h"
#include "supervisord/policy/child_watch.h"
#include "supervisord/policy/policy_host.h"
#include "supervisord/policy/policy_report.h"
#include "supervisord/policy/program_role.h"
#include "supervisord/process/process_group.h"
#include "supervisord/process/process_host.h"
#include "supervisord/process/process_state.h"

namespace logs {
class DaemonLog;
}
namespace events {
class EventBus;
class ListenerPools;
}
namespace policy {
class RestartPolicies;
}

namespace supervisord {

class Supervisor;

// A service that runs beside the groups for the length of one run(): the HTTP
// servers (rpc/), the cluster agent. Opened once the groups exist and before
// daemonizing, destroyed when the loop ends. Services depend on the Supervisor,
// never the other way round.
class Service {
 public:
  virtual ~Service() = default;
  // A shutdown or restart waits while this is true, after every process has stopped
  // (the cluster agent hands back its leader key and lease); a service calls
  // Supervisor::serviceIdle() when it becomes false.
  virtual bool busy() const { return false; }
};
using ServiceFactory = std::function<common::Result<std::unique_ptr<Service>>(Supervisor&)>;

class Supervisor final : public process::ProcessHost,
                         public policy::PolicyHost,
                         public policy::ChildWatch,
                         public cluster::ClusterHost {
 public:
  // Refused: a service (the HTTP servers) could not be opened (see refusal()); nothing ran.
  enum class Outcome { Shutdown, Restart, Refused };

  // `first`: the first run of this daemon (not after a SIGHUP restart): it may
  // daemonize. `log` and `bus` must outlive the Supervisor (the bus lives as long as
  // the daemon: event serials continue across restarts, as in Supervisor). `load` is
  // how `config` was loaded: reloadConfig reads the file again with it.
  Supervisor(config::Config config, logs::DaemonLog& log, events::EventBus& bus, bool first,
             StartupMessages messages, config::LoadOptions load = {});
  ~Supervisor() override;

  // Starts the groups, installs signal handlers, daemonizes when asked, writes the
  // pidfile and runs the loop until a shutdown or restart has stopped every process.
  Outcome run();
  // REQUIRES: before run(). Services open in the order they were added.
  void addService(ServiceFactory factory) { serviceFactories_.push_back(std::move(factory)); }
  // Why run() returned Refused, in Supervisor's words (for "Error: ...").
  const std::string& refusal() const { return refusal_; }

  // ---- Operations ----
  process::SupervisorState state() const { return mood_; }
  void shutdown();     // ordered stop of every group, then exit
  void restart();      // ordered stop, then the caller re-reads the config and runs again
  void reopenLogs();   // SIGUSR2
  // Adds a group from a config (autostart applies); false if the name is taken.
  bool addProcessGroup(const config::ProcessGroupConfig& group);
  // Removes a group whose processes are all stopped; false otherwise.
  bool removeProcessGroup(const std::string& name);

  // The configuration as last read: the groups of the last reloadConfig (what
  // addProcessGroup and getAllConfigInfo see), the rest as at start.
  const config::Config& config() const override { return config_; }
  // Groups in ascending priority.
  std::vector<process::ProcessGroup*> groups() const override;
  process::ProcessGroup* findGroup(const std::string& name) const override;
  // The process `name` of group `group`, or nullptr.
  const process::Process* findProcess(const std::string& group, const std::string& name) const override;

  // Requests on one process, by group and process name. Each fails with the state
  // machine's refusal (Supervisor's text, kind Failed) when the request does not apply,
  // or NoSuchProcess when the names match nothing. Whether the request makes
  // sense for the API (ALREADY_STARTED, NOT_RUNNING) is the caller's check.
  common::Result<void> startProcess(const std::string& group, const std::string& name) override;
  common::Result<void> stopProcess(const std::string& group, const std::string& name) override;
  common::Result<void> signalProcess(const std::string& group, const std::string& name, int signal);
  // A stopProcess call is still waiting for it: "waiting for x to stop" (throttled).
  void stopReport(const std::string& group, const std::string& name);
  // Errors (kinds): NotRunning, NoFile (stdin closed), NoSuchProcess.
  common::Result<void> sendProcessStdin(const std::string& group, const std::string& name, std::string_view bytes);
  // Empties the process's log files (and their backups) and reopens them.
  common::Result<void> clearProcessLogs(const std::string& group, const std::string& name);

  // The main log: its configured path ("syslog" included) and clearLog's removal.
  const std::string& mainLogFile() const;
  common::Result<void> clearMainLog();

  // reloadConfig: reads the configuration file again (with the LoadOptions the
  // daemon started with), keeps its groups as the configured ones, and compares
  // them with the running groups as Supervisor's diff_to_active does (AUTO log
  // files match any path; where a section sits in the file does not matter).
  // Applies nothing. Error: the loader's message (CANT_REREAD).
  struct ConfigDiff {
    std::vector<std::string> added, changed, removed;  // group names, in config order
  };
  common::Result<ConfigDiff> reloadConfig();

  // ---- Restart policy (ha.*) ----
  // Errors: "no such process".
  common::Result<policy::PolicyReport> policyReport(const std::string& group, const std::string& name) const;
  // Forgets the restart history of the process (and of its group): the budget is whole again.
  common::Result<void> resetBudget(const std::string& group, const std::string& name);
  // Runs promote_command (demote_command) of a process with role = promotable and, when the hook
  // succeeds, records its role as primary (replica). `done` runs once, on the loop, with the hook's
  // run (ok or not: the caller decides how to report a failed hook) or an error of kind
  // NoSuchProcess, NotPromotable (no role = promotable), NotRunning (promote needs a RUNNING
  // process), Busy (a promote or demote of it is running) or ClusterManaged.
  using HookDone = std::function<void(common::Result<policy::HookRun>)>;
  void promote(const std::string& group, const std::string& name, HookDone done);
  void demote(const std::string& group, const std::string& name, HookDone done);

  // ---- Cluster mode (ClusterHost, for the cluster agent: cluster/cluster_node.h) ----
  // RestartPolicies::runClusterHook, setRole, refreshScore and the score for group:name.
  void runClusterHook(const std::string& group, const std::string& name, cluster::ClusterHook hook,
                      const std::string& reason, const config::Environment& extra,
                      cluster::ClusterHost::HookDone done) override;
  void setRole(const std::string& group, const std::string& name, cluster::LocalRole role) override;
  // `reason` is the score hook's SUPERVISOR_REASON ("election": the leader key is gone).
  void refreshScore(const std::string& group, const std::string& name, const std::string& reason) override;
  std::optional<long long> score(const std::string& group, const std::string& name) const override;
  std::optional<cluster::ScoreRun> lastScoreRun(const std::string& group, const std::string& name) const override;
  // A service is no longer busy(): a shutdown waiting for it may finish.
  void serviceIdle() override;
  events::EventBus& eventBus() override { return bus_; }
  // The cluster agent while it runs; null without [cluster].
  cluster::ClusterControl* clusterControl() const { return clusterControl_; }
  void setClusterControl(cluster::ClusterControl* control) override { clusterControl_ = control; }

  // sendRemoteCommEvent: publishes REMOTE_COMMUNICATION.
  void remoteCommunication(const std::string& type, const std::string& data);

  // ---- ProcessHost ----
  boost::asio::io_context& io() override;
  process::Spawner& spawner() override;
  process::WallTime now() const override;
  bool supervisorRunning() const override { return mood_ == process::SupervisorState::Running; }
  void log(config::LogLevel level, const std::string& text) override;
  bool logEnabled(config::LogLevel level) const override;
  const config::Environment& baseEnvironment() const override { return baseEnvironment_; }
  std::optional<std::string> serverUrl() const override { return config_.serverurl; }
  const std::string& identifier() const override { return config_.supervisord.identifier; }
  const std::string& childLogDirectory() const override { return config_.supervisord.childlogdir; }
  bool stripAnsi() const override { return config_.supervisord.stripAnsi; }
  void childSpawned(process::Process& process, pid_t pid) override;
  void childOutput(process::Process& process, bool isStderr, std::string_view data) override;
  void childCommunication(process::Process& process, bool isStderr, std::string_view data) override;
  void stateChanged(process::Process& process, const process::StateChanged& change) override;
  process::RestartAdvice restartAdvice(const process::Process& process) const override;
  void restartCounted(process::Process& process) override;
  void gaveUp(process::Process& process, const std::string& reason) override;
  void groupRestartWanted(process::Process& process) override;
  bool beforeSpawn(process::Process& process, std::function<void(std::optional<std::string>)> proceed) override;
  void cancelBeforeSpawn(process::Process& process) override;

  // ---- ChildWatch: hooks and exec probes (policy/) ----
  void watchChild(pid_t pid, std::function<void(int waitStatus)> exited) override;

  // ---- PolicyHost (the rest is ProcessHost's and the operations') ----
  policy::ChildWatch& childWatch() override { return *this; }
  void escalated(const std::string& name, const std::string& group, const std::string& reason) override;
  void hookFinished(const std::string& name, const std::string& group, policy::Hook hook, bool ok,
                    const std::string& description) override;

 private:
  struct Loop;

  void handleSignal(int signal);
  void reap();
  void beginStopping(process::SupervisorState mood);
  void continueStopping();
  void reportUnstopped();
  void armTickTimer();

  config::Config config_;
  logs::DaemonLog& log_;
  events::EventBus& bus_;
  std::unique_ptr<events::ListenerPools> listenerPools_;
  std::unique_ptr<policy::RestartPolicies> policies_;
  std::map<pid_t, std::function<void(int)>> watchedChildren_;  // hooks and exec probes
  bool first_;
  StartupMessages messages_;
  config::Environment baseEnvironment_;
  process::SupervisorState mood_ = process::SupervisorState::Running;
  std::unique_ptr<Loop> loop_;  // io_context, signal sets, timers, spawner (asio stays in the .cpp)
  std::map<std::string, std::unique_ptr<process::ProcessGroup>> groups_;
  std::map<pid_t, process::Process*> pids_;
  std::vector<process::ProcessGroup*> stopGroups_;  // ascending priority; the back is stopped first
  bool stopping_ = false;
  bool pidfileWritten_ = false;
  config::LoadOptions load_;
  std::string refusal_;
  std::vector<ServiceFactory> serviceFactories_;
  std::vector<std::unique_ptr<Service>> services_;  // open while run() runs
  cluster::ClusterControl* clusterControl_ = nullptr;  // the cluster agent, a service's
};

}  // namespace supervisord
