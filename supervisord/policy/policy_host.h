#pragma once
// PolicyHost: what the restart-policy shell (RestartPolicies) needs of the daemon, and
// nothing more: the loop, the clock, the log, the spawner, the groups, and two reports
// (the daemon turns them into events). Supervisor implements it, as it implements
// process::ProcessHost for a Process: the policy shell never holds a Supervisor&.

#include <optional>
#include <string>
#include <vector>

#include "supervisord/config/config_model.h"
#include "supervisord/policy/hook.h"
#include "supervisord/process/process_host.h"

namespace process {
class ProcessGroup;
class Spawner;
}  // namespace process

namespace policy {

class ChildWatch;

class PolicyHost {
 public:
  virtual ~PolicyHost() = default;

  virtual boost::asio::io_context& io() = 0;
  virtual process::Spawner& spawner() = 0;
  virtual ChildWatch& childWatch() = 0;  // reaps the hooks' and exec probes' children
  virtual process::WallTime now() const = 0;
  virtual bool supervisorRunning() const = 0;  // not stopping: scores and probes go on
  virtual void log(config::LogLevel level, const std::string& text) = 0;
  virtual bool logEnabled(config::LogLevel level) const = 0;
  virtual const config::Environment& baseEnvironment() const = 0;
  virtual std::optional<std::string> serverUrl() const = 0;
  virtual const config::Config& config() const = 0;
  virtual std::vector<process::ProcessGroup*> groups() const = 0;  // ascending priority
  virtual process::ProcessGroup* findGroup(const std::string& name) const = 0;

  // A process's escalation chain reached its Publish step (PROCESS_ESCALATION event).
  virtual void escalated(const std::string& name, const std::string& group, const std::string& reason) = 0;
  // A hook finished (POLICY_HOOK_RESULT event).
  virtual void hookFinished(const std::string& name, const std::string& group, Hook hook, bool ok,
                            const std::string& description) = 0;
};

}  // namespace policy
