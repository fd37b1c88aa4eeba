#include "supervisord/process/process_group.h"

namespace process {

ProcessGroup::ProcessGroup(ProcessHost& host, config::ProcessGroupConfig config) : config_(std::move(config)) {
  for (const auto& processConfig : config_.processes)
    processes_.push_back(std::make_unique<Process>(host, processConfig));
}

Process* ProcessGroup::find(const std::string& processName) const {
  for (const auto& p : processes_)
    if (p->config().name == processName) return p.get();
  return nullptr;
}

void ProcessGroup::stopAll() {
  for (auto it = processes_.rbegin(); it != processes_.rend(); ++it) {
    Process& p = **it;
    if (p.state() == ProcessState::Running || p.state() == ProcessState::Starting)
      (void)p.stop();  // RUNNING and STARTING always take a stop
    else if (p.state() == ProcessState::Backoff)
      p.giveUp();
  }
}

std::vector<Process*> ProcessGroup::unstoppedProcesses() const {
  std::vector<Process*> out;
  for (const auto& p : processes_)
    if (!isStoppedState(p->state())) out.push_back(p.get());
  return out;
}

void ProcessGroup::reopenLogs() {
  for (const auto& p : processes_) p->reopenLogs();
}

}  // namespace process
