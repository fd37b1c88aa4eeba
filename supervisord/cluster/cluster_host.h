#pragma once
// ClusterHost: what the cluster agent (ClusterNode) needs of the daemon, in the cluster's
// own terms: the loop, the clock, the log, the events, the promotable programs and what
// may be done to them (start, stop, run a hook, record the role, refresh the score). The
// Supervisor implements it, as it implements process::ProcessHost for a Process: the
// agent never holds a Supervisor&.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "supervisord/config/config_model.h"
#include "supervisord/process/process_host.h"

namespace events {
class EventBus;
}
namespace process {
class Process;
class ProcessGroup;
}  // namespace process

namespace cluster {

class ClusterControl;

// The role recorded for a promotable program (ha.getPolicyState, the hooks' SUPERVISOR_ROLE).
enum class LocalRole { Replica, Primary };

// The hooks the cluster runs: promote_command, demote_command, follow_command,
// route_command, notify_command.
enum class ClusterHook { Promote, Demote, Follow, Route, Notify };

// The last run of a program's score_command (nullopt: none yet).
struct ScoreRun {
  std::string reason;   // SUPERVISOR_REASON: "refresh", "election"
  double started = 0;   // wall time
  double finished = 0;  // wall time; 0 while it runs
  bool ok = false;
};

class ClusterHost {
 public:
  using HookDone = std::function<void(bool ok)>;
  virtual ~ClusterHost() = default;

  virtual boost::asio::io_context& io() = 0;
  virtual process::WallTime now() const = 0;
  virtual void log(config::LogLevel level, const std::string& text) = 0;
  virtual const config::Config& config() const = 0;
  virtual events::EventBus& eventBus() = 0;
  virtual std::vector<process::ProcessGroup*> groups() const = 0;  // ascending priority
  virtual const process::Process* findProcess(const std::string& group, const std::string& name) const = 0;

  // As the API's startProcess/stopProcess: refused when the request does not apply.
  virtual common::Result<void> startProcess(const std::string& group, const std::string& name) = 0;
  virtual common::Result<void> stopProcess(const std::string& group, const std::string& name) = 0;
  // score_command's last result (nullopt: none, or never promote) and last run.
  virtual std::optional<long long> score(const std::string& group, const std::string& name) const = 0;
  virtual std::optional<ScoreRun> lastScoreRun(const std::string& group, const std::string& name) const = 0;
  // Runs score_command now (if RUNNING) with SUPERVISOR_REASON=`reason`.
  virtual void refreshScore(const std::string& group, const std::string& name, const std::string& reason) = 0;
  // Runs one of the program's hooks with `extra` in its environment; `done` runs once, on
  // the loop (false: failed, timed out, or no such program). A hook without a command
  // succeeds at once.
  virtual void runClusterHook(const std::string& group, const std::string& name, ClusterHook hook,
                              const std::string& reason, const config::Environment& extra, HookDone done) = 0;
  virtual void setRole(const std::string& group, const std::string& name, LocalRole role) = 0;

  // The agent offers the operator's side while it runs (null when it stops).
  virtual void setClusterControl(ClusterControl* control) = 0;
  // The agent is no longer busy (a shutdown waiting for its lease's revocation may end).
  virtual void serviceIdle() = 0;
};

}  // namespace cluster
