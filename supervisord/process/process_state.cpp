#include "supervisord/process/process_state.h"

namespace process {

std::string_view stateName(ProcessState state) {
  switch (state) {
    case ProcessState::Stopped: return "STOPPED";
    case ProcessState::Starting: return "STARTING";
    case ProcessState::Running: return "RUNNING";
    case ProcessState::Backoff: return "BACKOFF";
    case ProcessState::Stopping: return "STOPPING";
    case ProcessState::Exited: return "EXITED";
    case ProcessState::Fatal: return "FATAL";
    case ProcessState::Unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::optional<ProcessState> processStateFromCode(int code) {
  for (ProcessState state : kAllProcessStates)
    if (static_cast<int>(state) == code) return state;
  return std::nullopt;
}

bool isStoppedState(ProcessState state) {
  return state == ProcessState::Stopped || state == ProcessState::Exited || state == ProcessState::Fatal ||
         state == ProcessState::Unknown;
}

bool isRunningState(ProcessState state) {
  return state == ProcessState::Running || state == ProcessState::Backoff || state == ProcessState::Starting;
}

bool isSignallableState(ProcessState state) {
  return state == ProcessState::Running || state == ProcessState::Starting || state == ProcessState::Stopping;
}

std::string_view supervisorStateName(SupervisorState state) {
  switch (state) {
    case SupervisorState::Fatal: return "FATAL";
    case SupervisorState::Running: return "RUNNING";
    case SupervisorState::Restarting: return "RESTARTING";
    case SupervisorState::Shutdown: return "SHUTDOWN";
  }
  return "FATAL";
}

}  // namespace process
