#pragma once
// The states of a supervised process and of supervisord itself, with Supervisor
// 4.2.5's numbers and names (supervisor/states.py). The numbers travel over
// XML-RPC (`state`, `statecode`) and the names in events and supervisorctl, so
// both must stay exactly as they are.

#include <optional>
#include <string_view>

namespace process {

enum class ProcessState : int {
  Stopped = 0,
  Starting = 10,
  Running = 20,
  Backoff = 30,
  Stopping = 40,
  Exited = 100,
  Fatal = 200,
  Unknown = 1000,
};

// All process states in the order of their codes (the rows of the state table).
inline constexpr ProcessState kAllProcessStates[] = {
    ProcessState::Stopped, ProcessState::Starting, ProcessState::Running, ProcessState::Backoff,
    ProcessState::Stopping, ProcessState::Exited,  ProcessState::Fatal,   ProcessState::Unknown,
};

// "STOPPED", "STARTING", … as getProcessStateDescription() spells them.
std::string_view stateName(ProcessState state);
// The state with that code, if any (for codes read back from the API).
std::optional<ProcessState> processStateFromCode(int code);

// Supervisor's groupings (states.py). A process is "stopped" for removeProcessGroup
// and shutdown when in STOPPED_STATES, "running" for startProcess/stopProcess when
// in RUNNING_STATES, and may be signalled when in SIGNALLABLE_STATES.
bool isStoppedState(ProcessState state);      // STOPPED, EXITED, FATAL, UNKNOWN
bool isRunningState(ProcessState state);      // RUNNING, BACKOFF, STARTING
bool isSignallableState(ProcessState state);  // RUNNING, STARTING, STOPPING

// supervisord's own state, its "mood" (SupervisorStates).
enum class SupervisorState : int {
  Fatal = 2,
  Running = 1,
  Restarting = 0,
  Shutdown = -1,
};

// "FATAL", "RUNNING", "RESTARTING", "SHUTDOWN" (getSupervisorStateDescription()).
std::string_view supervisorStateName(SupervisorState state);

}  // namespace process
