#include "supervisord/events/event_types.h"

#include <cstdio>
#include <utility>

#include "common/python_str.h"

namespace events {
namespace {

struct TypeInfo {
  EventType type;
  std::string_view name;
  std::optional<EventType> parent;
  bool abstract;
};

constexpr TypeInfo kTypes[] = {
    {EventType::Event, "EVENT", std::nullopt, true},
    {EventType::ProcessState, "PROCESS_STATE", EventType::Event, true},
    {EventType::ProcessStateStopped, "PROCESS_STATE_STOPPED", EventType::ProcessState, false},
    {EventType::ProcessStateExited, "PROCESS_STATE_EXITED", EventType::ProcessState, false},
    {EventType::ProcessStateStarting, "PROCESS_STATE_STARTING", EventType::ProcessState, false},
    {EventType::ProcessStateStopping, "PROCESS_STATE_STOPPING", EventType::ProcessState, false},
    {EventType::ProcessStateBackoff, "PROCESS_STATE_BACKOFF", EventType::ProcessState, false},
    {EventType::ProcessStateFatal, "PROCESS_STATE_FATAL", EventType::ProcessState, false},
    {EventType::ProcessStateRunning, "PROCESS_STATE_RUNNING", EventType::ProcessState, false},
    {EventType::ProcessStateUnknown, "PROCESS_STATE_UNKNOWN", EventType::ProcessState, false},
    {EventType::ProcessCommunication, "PROCESS_COMMUNICATION", EventType::Event, true},
    {EventType::ProcessCommunicationStdout, "PROCESS_COMMUNICATION_STDOUT", EventType::ProcessCommunication, false},
    {EventType::ProcessCommunicationStderr, "PROCESS_COMMUNICATION_STDERR", EventType::ProcessCommunication, false},
    {EventType::ProcessLog, "PROCESS_LOG", EventType::Event, true},
    {EventType::ProcessLogStdout, "PROCESS_LOG_STDOUT", EventType::ProcessLog, false},
    {EventType::ProcessLogStderr, "PROCESS_LOG_STDERR", EventType::ProcessLog, false},
    {EventType::RemoteCommunication, "REMOTE_COMMUNICATION", EventType::Event, false},
    {EventType::SupervisorStateChange, "SUPERVISOR_STATE_CHANGE", EventType::Event, true},
    {EventType::SupervisorStateChangeRunning, "SUPERVISOR_STATE_CHANGE_RUNNING", EventType::SupervisorStateChange,
     false},
    {EventType::SupervisorStateChangeStopping, "SUPERVISOR_STATE_CHANGE_STOPPING", EventType::SupervisorStateChange,
     false},
    {EventType::Tick, "TICK", EventType::Event, true},
    {EventType::Tick5, "TICK_5", EventType::Tick, false},
    {EventType::Tick60, "TICK_60", EventType::Tick, false},
    {EventType::Tick3600, "TICK_3600", EventType::Tick, false},
    {EventType::ProcessGroup, "PROCESS_GROUP", EventType::Event, true},
    {EventType::ProcessGroupAdded, "PROCESS_GROUP_ADDED", EventType::ProcessGroup, false},
    {EventType::ProcessGroupRemoved, "PROCESS_GROUP_REMOVED", EventType::ProcessGroup, false},
    {EventType::Policy, "POLICY", EventType::Event, true},
    {EventType::PolicyHookResult, "POLICY_HOOK_RESULT", EventType::Policy, false},
    {EventType::PolicyEscalation, "POLICY_ESCALATION", EventType::Policy, false},
};

const TypeInfo& info(EventType type) {
  // kTypes is in enum order.
  return kTypes[static_cast<std::size_t>(type)];
}

bool isUnder(EventType type, EventType ancestor) { return subscriptionMatches(ancestor, type); }

}  // namespace

std::string_view eventName(EventType type) { return info(type).name; }

std::optional<EventType> eventTypeFromName(std::string_view name) {
  for (const TypeInfo& entry : kTypes)
    if (entry.name == name) return entry.type;
  return std::nullopt;
}

std::optional<EventType> parentType(EventType type) { return info(type).parent; }

bool isAbstract(EventType type) { return info(type).abstract; }

bool subscriptionMatches(EventType subscribed, EventType published) {
  for (std::optional<EventType> type = published; type; type = parentType(*type))
    if (*type == subscribed) return true;
  return false;
}

EventType processStateEventType(process::ProcessState state) {
  switch (state) {
    case process::ProcessState::Stopped: return EventType::ProcessStateStopped;
    case process::ProcessState::Starting: return EventType::ProcessStateStarting;
    case process::ProcessState::Running: return EventType::ProcessStateRunning;
    case process::ProcessState::Backoff: return EventType::ProcessStateBackoff;
    case process::ProcessState::Stopping: return EventType::ProcessStateStopping;
    case process::ProcessState::Exited: return EventType::ProcessStateExited;
    case process::ProcessState::Fatal: return EventType::ProcessStateFatal;
    case process::ProcessState::Unknown: return EventType::ProcessStateUnknown;
  }
  return EventType::ProcessStateUnknown;
}

Event processStateEvent(process::ProcessState to, std::string processName, std::string groupName,
                        process::ProcessState fromState, int tries, bool expected, long pid) {
  Event event;
  event.type = processStateEventType(to);
  event.processName = std::move(processName);
  event.groupName = std::move(groupName);
  event.fromState = fromState;
  event.tries = tries;
  event.expected = expected;
  event.pid = pid;
  return event;
}

Event processLogEvent(Channel channel, std::string processName, std::string groupName, long pid,
                      std::string data) {
  Event event;
  event.type = channel == Channel::Stdout ? EventType::ProcessLogStdout : EventType::ProcessLogStderr;
  event.processName = std::move(processName);
  event.groupName = std::move(groupName);
  event.pid = pid;
  event.data = std::move(data);
  return event;
}

Event processCommunicationEvent(Channel channel, std::string processName, std::string groupName, long pid,
                                std::string data) {
  Event event = processLogEvent(channel, std::move(processName), std::move(groupName), pid, std::move(data));
  event.type = channel == Channel::Stdout ? EventType::ProcessCommunicationStdout
                                          : EventType::ProcessCommunicationStderr;
  return event;
}

Event remoteCommunicationEvent(std::string type, std::string data) {
  Event event;
  event.type = EventType::RemoteCommunication;
  event.remoteType = std::move(type);
  event.data = std::move(data);
  return event;
}

Event supervisorRunningEvent() {
  Event event;
  event.type = EventType::SupervisorStateChangeRunning;
  return event;
}

Event supervisorStoppingEvent() {
  Event event;
  event.type = EventType::SupervisorStateChangeStopping;
  return event;
}

Event tickEvent(int period, std::int64_t when) {
  Event event;
  event.type = period == 5 ? EventType::Tick5 : period == 60 ? EventType::Tick60 : EventType::Tick3600;
  event.when = when;
  return event;
}

Event processGroupAddedEvent(std::string groupName) {
  Event event;
  event.type = EventType::ProcessGroupAdded;
  event.groupName = std::move(groupName);
  return event;
}

Event processGroupRemovedEvent(std::string groupName) {
  Event event = processGroupAddedEvent(std::move(groupName));
  event.type = EventType::ProcessGroupRemoved;
  return event;
}

Event policyHookResultEvent(std::string processName, std::string groupName, std::string hook, bool ok,
                            std::string description) {
  Event event;
  event.type = EventType::PolicyHookResult;
  event.processName = std::move(processName);
  event.groupName = std::move(groupName);
  event.hook = std::move(hook);
  event.ok = ok;
  event.data = std::move(description);
  return event;
}

Event policyEscalationEvent(std::string processName, std::string groupName, std::string reason) {
  Event event;
  event.type = EventType::PolicyEscalation;
  event.processName = std::move(processName);
  event.groupName = std::move(groupName);
  event.data = std::move(reason);
  return event;
}

std::string payload(const Event& event) {
  const EventType type = event.type;
  if (isUnder(type, EventType::ProcessState)) {
    // ProcessStateEvent.payload(): name:value pairs joined by single spaces.
    std::string text = "processname:" + event.processName + " groupname:" + event.groupName +
                       " from_state:" + std::string(process::stateName(event.fromState));
    switch (type) {
      case EventType::ProcessStateStarting:
      case EventType::ProcessStateBackoff:
        text += " tries:" + std::to_string(event.tries);
        break;
      case EventType::ProcessStateExited:
        text += " expected:" + std::string(event.expected ? "1" : "0") + " pid:" + std::to_string(event.pid);
        break;
      case EventType::ProcessStateRunning:
      case EventType::ProcessStateStopping:
      case EventType::ProcessStateStopped:
        text += " pid:" + std::to_string(event.pid);
        break;
      default:  // FATAL, UNKNOWN: nothing extra
        break;
    }
    return text;
  }
  if (isUnder(type, EventType::ProcessLog)) {
    const char* channel = type == EventType::ProcessLogStdout ? "stdout" : "stderr";
    return "processname:" + event.processName + " groupname:" + event.groupName +
           " pid:" + std::to_string(event.pid) + " channel:" + channel + "\n" + textOrUndecodable(event.data);
  }
  if (isUnder(type, EventType::ProcessCommunication)) {
    return "processname:" + event.processName + " groupname:" + event.groupName +
           " pid:" + std::to_string(event.pid) + "\n" + textOrUndecodable(event.data);
  }
  if (type == EventType::RemoteCommunication) return "type:" + event.remoteType + "\n" + event.data;
  if (isUnder(type, EventType::Tick)) return "when:" + std::to_string(event.when);
  if (isUnder(type, EventType::ProcessGroup)) return "groupname:" + event.groupName + "\n";
  // Ours, shaped like PROCESS_COMMUNICATION: a header line childutils.eventdata() splits, then the text.
  if (type == EventType::PolicyHookResult)
    return "processname:" + event.processName + " groupname:" + event.groupName + " hook:" + event.hook +
           " ok:" + (event.ok ? "1" : "0") + "\n" + event.data;
  if (type == EventType::PolicyEscalation)
    return "processname:" + event.processName + " groupname:" + event.groupName + "\n" + event.data;
  return "";  // SUPERVISOR_STATE_CHANGE_*
}

std::string textOrUndecodable(std::string_view data) {
  // decodeUtf8 turns every byte outside a strictly valid sequence into U+DC80..U+DCFF
  // (surrogateescape); a valid sequence never decodes to a surrogate.
  for (char32_t codePoint : common::decodeUtf8(data))
    if (codePoint >= 0xDC80 && codePoint <= 0xDCFF) return "Undecodable: " + pythonBytesRepr(data);
  return std::string(data);
}

std::string pythonBytesRepr(std::string_view bytes) {
  // bytes.__repr__: single quotes unless the bytes hold ' and no ".
  const bool doubleQuote =
      bytes.find('\'') != std::string_view::npos && bytes.find('"') == std::string_view::npos;
  const char quote = doubleQuote ? '"' : '\'';
  std::string out = "b";
  out += quote;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == static_cast<unsigned char>(quote) || byte == '\\') {
      out += '\\';
      out += c;
    } else if (byte == '\t') {
      out += "\\t";
    } else if (byte == '\n') {
      out += "\\n";
    } else if (byte == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte >= 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", byte);
      out += hex;
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

}  // namespace events
