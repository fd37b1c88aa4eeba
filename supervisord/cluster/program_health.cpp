#include "supervisord/cluster/program_health.h"

namespace cluster {

Health healthOf(process::ProcessState state, bool restartPending) {
  using process::ProcessState;
  switch (state) {
    case ProcessState::Running: return Health::Up;
    case ProcessState::Starting:
    case ProcessState::Backoff:
    case ProcessState::Stopping: return Health::Recovering;
    case ProcessState::Exited: return restartPending ? Health::Recovering : Health::Down;
    case ProcessState::Stopped:
    case ProcessState::Fatal:
    case ProcessState::Unknown: return Health::Down;
  }
  return Health::Down;
}

}  // namespace cluster
