#pragma once
// Supervisor 4.2.5's event types (supervisor/events.py) and the Event value the
// bus carries. Names, hierarchy and payload text are what listeners see on their
// stdin, so they match Supervisor byte for byte; a subscription to an abstract
// type (EVENT, PROCESS_STATE, TICK, ...) receives every subtype, as isinstance does.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "supervisord/process/process_state.h"

namespace events {

// In the order of Supervisor's EventTypes class; abstract types marked.
enum class EventType {
  Event,  // abstract: every event
  ProcessState,  // abstract
  ProcessStateStopped,
  ProcessStateExited,
  ProcessStateStarting,
  ProcessStateStopping,
  ProcessStateBackoff,
  ProcessStateFatal,
  ProcessStateRunning,
  ProcessStateUnknown,
  ProcessCommunication,  // abstract
  ProcessCommunicationStdout,
  ProcessCommunicationStderr,
  ProcessLog,  // abstract
  ProcessLogStdout,
  ProcessLogStderr,
  RemoteCommunication,
  SupervisorStateChange,  // abstract
  SupervisorStateChangeRunning,
  SupervisorStateChangeStopping,
  Tick,  // abstract
  Tick5,
  Tick60,
  Tick3600,
  ProcessGroup,  // abstract
  ProcessGroupAdded,
  ProcessGroupRemoved,
  // Ours (restart policies): not in Supervisor.
  Policy,  // abstract
  PolicyHookResult,
  PolicyEscalation,
};

inline constexpr EventType kAllEventTypes[] = {
    EventType::Event,
    EventType::ProcessState,
    EventType::ProcessStateStopped,
    EventType::ProcessStateExited,
    EventType::ProcessStateStarting,
    EventType::ProcessStateStopping,
    EventType::ProcessStateBackoff,
    EventType::ProcessStateFatal,
    EventType::ProcessStateRunning,
    EventType::ProcessStateUnknown,
    EventType::ProcessCommunication,
    EventType::ProcessCommunicationStdout,
    EventType::ProcessCommunicationStderr,
    EventType::ProcessLog,
    EventType::ProcessLogStdout,
    EventType::ProcessLogStderr,
    EventType::RemoteCommunication,
    EventType::SupervisorStateChange,
    EventType::SupervisorStateChangeRunning,
    EventType::SupervisorStateChangeStopping,
    EventType::Tick,
    EventType::Tick5,
    EventType::Tick60,
    EventType::Tick3600,
    EventType::ProcessGroup,
    EventType::ProcessGroupAdded,
    EventType::ProcessGroupRemoved,
    EventType::Policy,
    EventType::PolicyHookResult,
    EventType::PolicyEscalation,
};

// "PROCESS_STATE_RUNNING", "TICK_5", "EVENT", ... (the `eventname:` header field
// and the names accepted in [eventlistener:x] events=).
std::string_view eventName(EventType type);
// The type with that exact (upper-case) name, if any.
std::optional<EventType> eventTypeFromName(std::string_view name);
// The direct supertype: PROCESS_STATE for PROCESS_STATE_RUNNING, EVENT for
// PROCESS_STATE, nothing for EVENT.
std::optional<EventType> parentType(EventType type);
// EVENT, PROCESS_STATE, PROCESS_COMMUNICATION, PROCESS_LOG, SUPERVISOR_STATE_CHANGE,
// TICK and PROCESS_GROUP are never published themselves, only subscribed to.
bool isAbstract(EventType type);
// True when a subscriber to `subscribed` receives an event of type `published`:
// the same type or one of its supertypes (Python's isinstance(event, type)).
bool subscriptionMatches(EventType subscribed, EventType published);

// The PROCESS_STATE_* type announcing a transition into `state`.
EventType processStateEventType(process::ProcessState state);

enum class Channel { Stdout, Stderr };

// One event as published. Only the fields its type uses are meaningful; build it
// with the functions below. Text fields are UTF-8 (or raw bytes for `data`).
struct Event {
  EventType type = EventType::Event;
  // PROCESS_STATE_*, PROCESS_LOG_*, PROCESS_COMMUNICATION_*; groupName also PROCESS_GROUP_*.
  std::string processName;
  std::string groupName;
  // PROCESS_STATE_*: values taken when the event is made (Supervisor renders them
  // eagerly so a later pid change does not leak into a buffered event).
  process::ProcessState fromState = process::ProcessState::Stopped;
  int tries = 0;          // STARTING, BACKOFF: the process's backoff counter
  bool expected = true;   // EXITED
  long pid = 0;           // EXITED, RUNNING, STOPPING, STOPPED, PROCESS_LOG_*, PROCESS_COMMUNICATION_*
  // PROCESS_LOG_*, PROCESS_COMMUNICATION_*, REMOTE_COMMUNICATION.
  std::string data;
  std::string remoteType;  // REMOTE_COMMUNICATION
  std::string hook;        // POLICY_HOOK_RESULT: "pre_start", "promote", …
  bool ok = false;         // POLICY_HOOK_RESULT
  std::int64_t when = 0;   // TICK_*: the start of the new timeslice, epoch seconds
  // The global serial (`serial:` header field), set by the bus the first time the
  // event reaches an event-listener pool; events no pool buffers consume none.
  std::optional<std::uint64_t> serial;
};

// A process entered `to` from `fromState`. `tries` is the process's backoff
// counter, `expected` whether an exit code was in exitcodes, `pid` its pid.
Event processStateEvent(process::ProcessState to, std::string processName, std::string groupName,
                        process::ProcessState fromState, int tries, bool expected, long pid);
Event processLogEvent(Channel channel, std::string processName, std::string groupName, long pid,
                      std::string data);
Event processCommunicationEvent(Channel channel, std::string processName, std::string groupName, long pid,
                                std::string data);
Event remoteCommunicationEvent(std::string type, std::string data);
Event supervisorRunningEvent();
Event supervisorStoppingEvent();
// REQUIRES: period is 5, 60 or 3600.
Event tickEvent(int period, std::int64_t when);
Event processGroupAddedEvent(std::string groupName);
Event processGroupRemovedEvent(std::string groupName);
// Ours. POLICY_HOOK_RESULT: a hook finished; `data` is its description ("exit status 0").
// POLICY_ESCALATION: restarts no longer help; `data` is the reason.
Event policyHookResultEvent(std::string processName, std::string groupName, std::string hook, bool ok,
                            std::string description);
Event policyEscalationEvent(std::string processName, std::string groupName, std::string reason);

// The payload text a listener receives after the header line, as Supervisor's
// event.payload() renders it, UTF-8 encoded.
std::string payload(const Event& event);

// Python's as_string(data) for bytes that should be UTF-8, or, when they are not
// strictly valid UTF-8, Supervisor's fallback "Undecodable: b'...'" (repr of the bytes).
std::string textOrUndecodable(std::string_view data);
// Python's repr() of a bytes object: b'a\n\xff', b"it's".
std::string pythonBytesRepr(std::string_view bytes);

}  // namespace events
