#pragma once
// ProcessGroup: the processes of one group ([program:x] with numprocs, or
// [group:x]), in ascending priority, with Supervisor's group operations.

#include <memory>
#include <string>
#include <vector>

#include "supervisord/config/config_model.h"
#include "supervisord/process/process.h"

namespace process {

class ProcessHost;

class ProcessGroup {
 public:
  // REQUIRES: config's AUTO log files are already resolved to paths.
  ProcessGroup(ProcessHost& host, config::ProcessGroupConfig config);

  const config::ProcessGroupConfig& config() const { return config_; }
  const std::string& name() const { return config_.name; }
  int priority() const { return config_.priority; }
  const std::vector<std::unique_ptr<Process>>& processes() const { return processes_; }
  Process* find(const std::string& processName) const;

  // Supervisor's stop_all: in descending priority, RUNNING/STARTING -> stop,
  // BACKOFF -> give up.
  void stopAll();
  // Processes not in a stopped state (STOPPED, EXITED, FATAL, UNKNOWN).
  std::vector<Process*> unstoppedProcesses() const;
  void reopenLogs();

 private:
  config::ProcessGroupConfig config_;
  std::vector<std::unique_ptr<Process>> processes_;
};

}  // namespace process
