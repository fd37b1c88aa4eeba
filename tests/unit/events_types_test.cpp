#include <catch2/catch.hpp>

#include "supervisord/config/process_sections.h"
#include "supervisord/events/event_types.h"
#include "supervisord/events/listener_protocol.h"

using namespace events;
using process::ProcessState;

// Every expected payload below was produced by Supervisor 4.2.5's own classes
// (supervisor/events.py, process.py EventListenerPool._eventEnvelope) under
// /usr/bin/python3, with a stand-in process named "web" in group "webgroup",
// pid 4242 and backoff 3, e.g.
//   events.ProcessStateExitedEvent(p, ProcessStates.RUNNING, False).payload()
// and the printed repr() pasted here as C++ literals.

namespace {
Event stateEvent(ProcessState to, ProcessState from, bool expected = true) {
  return processStateEvent(to, "web", "webgroup", from, /*tries=*/3, expected, /*pid=*/4242);
}
}  // namespace

TEST_CASE("event types: Supervisor's names, and back", "[events]") {
  CHECK(eventName(EventType::Event) == "EVENT");
  CHECK(eventName(EventType::ProcessStateRunning) == "PROCESS_STATE_RUNNING");
  CHECK(eventName(EventType::ProcessCommunicationStderr) == "PROCESS_COMMUNICATION_STDERR");
  CHECK(eventName(EventType::SupervisorStateChangeStopping) == "SUPERVISOR_STATE_CHANGE_STOPPING");
  CHECK(eventName(EventType::Tick3600) == "TICK_3600");
  CHECK(eventName(EventType::ProcessGroupRemoved) == "PROCESS_GROUP_REMOVED");
  for (EventType type : kAllEventTypes) CHECK(eventTypeFromName(eventName(type)) == type);
  CHECK_FALSE(eventTypeFromName("PROCESS_STATE_RUNNING_X"));
  CHECK_FALSE(eventTypeFromName("tick_5"));  // the config loader upper-cases first
  CHECK(std::size(kAllEventTypes) == 27 + 3);  // Supervisor's, and our POLICY, POLICY_HOOK_RESULT, POLICY_ESCALATION
}

TEST_CASE("events= accepts exactly the event types the bus knows", "[events]") {
  // config/ sits below events/ (ARCHITECTURE.md), so it keeps its own list of names.
  std::vector<std::string> names;
  for (EventType type : kAllEventTypes) names.emplace_back(eventName(type));
  CHECK(config::eventTypeNames() == names);
}

TEST_CASE("our policy events: a header line childutils.eventdata() splits, then the text", "[events]") {
  CHECK(eventName(EventType::PolicyHookResult) == "POLICY_HOOK_RESULT");
  CHECK(subscriptionMatches(EventType::Policy, EventType::PolicyEscalation));
  CHECK(isAbstract(EventType::Policy));
  CHECK(payload(policyHookResultEvent("db", "db", "promote", true, "exit status 0")) ==
        "processname:db groupname:db hook:promote ok:1\nexit status 0");
  CHECK(payload(policyEscalationEvent("db", "cluster", "restart budget spent (more than 3 restarts in 60 seconds)")) ==
        "processname:db groupname:cluster\nrestart budget spent (more than 3 restarts in 60 seconds)");
}

TEST_CASE("event types: a subscription to an abstract type receives every subtype", "[events]") {
  for (EventType type : kAllEventTypes) CHECK(subscriptionMatches(EventType::Event, type));
  CHECK(subscriptionMatches(EventType::ProcessState, EventType::ProcessStateRunning));
  CHECK(subscriptionMatches(EventType::ProcessState, EventType::ProcessStateUnknown));
  CHECK(subscriptionMatches(EventType::Tick, EventType::Tick60));
  CHECK(subscriptionMatches(EventType::ProcessLog, EventType::ProcessLogStderr));
  CHECK(subscriptionMatches(EventType::ProcessCommunication, EventType::ProcessCommunicationStdout));
  CHECK(subscriptionMatches(EventType::SupervisorStateChange, EventType::SupervisorStateChangeRunning));
  CHECK(subscriptionMatches(EventType::ProcessGroup, EventType::ProcessGroupAdded));
  CHECK(subscriptionMatches(EventType::Tick5, EventType::Tick5));
}

TEST_CASE("event types: a concrete subscription receives only its own type", "[events]") {
  CHECK_FALSE(subscriptionMatches(EventType::ProcessStateRunning, EventType::ProcessStateExited));
  CHECK_FALSE(subscriptionMatches(EventType::ProcessStateRunning, EventType::ProcessState));
  CHECK_FALSE(subscriptionMatches(EventType::Tick5, EventType::Tick60));
  CHECK_FALSE(subscriptionMatches(EventType::ProcessLog, EventType::ProcessCommunicationStdout));
  CHECK_FALSE(subscriptionMatches(EventType::ProcessState, EventType::ProcessGroupAdded));
  CHECK_FALSE(subscriptionMatches(EventType::Tick, EventType::RemoteCommunication));
}

TEST_CASE("event types: the abstract types and the parents", "[events]") {
  CHECK(isAbstract(EventType::Event));
  CHECK(isAbstract(EventType::ProcessState));
  CHECK(isAbstract(EventType::ProcessLog));
  CHECK(isAbstract(EventType::ProcessCommunication));
  CHECK(isAbstract(EventType::SupervisorStateChange));
  CHECK(isAbstract(EventType::Tick));
  CHECK(isAbstract(EventType::ProcessGroup));
  CHECK_FALSE(isAbstract(EventType::RemoteCommunication));
  CHECK_FALSE(isAbstract(EventType::ProcessStateFatal));
  CHECK(parentType(EventType::RemoteCommunication) == EventType::Event);
  CHECK(parentType(EventType::ProcessStateBackoff) == EventType::ProcessState);
  CHECK_FALSE(parentType(EventType::Event));
}

TEST_CASE("event types: each process state has its PROCESS_STATE_* event", "[events]") {
  CHECK(processStateEventType(ProcessState::Stopped) == EventType::ProcessStateStopped);
  CHECK(processStateEventType(ProcessState::Starting) == EventType::ProcessStateStarting);
  CHECK(processStateEventType(ProcessState::Running) == EventType::ProcessStateRunning);
  CHECK(processStateEventType(ProcessState::Backoff) == EventType::ProcessStateBackoff);
  CHECK(processStateEventType(ProcessState::Stopping) == EventType::ProcessStateStopping);
  CHECK(processStateEventType(ProcessState::Exited) == EventType::ProcessStateExited);
  CHECK(processStateEventType(ProcessState::Fatal) == EventType::ProcessStateFatal);
  CHECK(processStateEventType(ProcessState::Unknown) == EventType::ProcessStateUnknown);
}

TEST_CASE("payload: PROCESS_STATE_* carry from_state plus tries, expected or pid as Supervisor", "[events]") {
  CHECK(payload(stateEvent(ProcessState::Starting, ProcessState::Backoff)) ==
        "processname:web groupname:webgroup from_state:BACKOFF tries:3");
  CHECK(payload(stateEvent(ProcessState::Backoff, ProcessState::Starting)) ==
        "processname:web groupname:webgroup from_state:STARTING tries:3");
  CHECK(payload(stateEvent(ProcessState::Running, ProcessState::Starting)) ==
        "processname:web groupname:webgroup from_state:STARTING pid:4242");
  CHECK(payload(stateEvent(ProcessState::Exited, ProcessState::Running, false)) ==
        "processname:web groupname:webgroup from_state:RUNNING expected:0 pid:4242");
  CHECK(payload(stateEvent(ProcessState::Exited, ProcessState::Running, true)) ==
        "processname:web groupname:webgroup from_state:RUNNING expected:1 pid:4242");
  CHECK(payload(stateEvent(ProcessState::Stopping, ProcessState::Running)) ==
        "processname:web groupname:webgroup from_state:RUNNING pid:4242");
  CHECK(payload(stateEvent(ProcessState::Stopped, ProcessState::Stopping)) ==
        "processname:web groupname:webgroup from_state:STOPPING pid:4242");
  CHECK(payload(stateEvent(ProcessState::Fatal, ProcessState::Backoff)) ==
        "processname:web groupname:webgroup from_state:BACKOFF");
  CHECK(payload(stateEvent(ProcessState::Unknown, ProcessState::Running)) ==
        "processname:web groupname:webgroup from_state:RUNNING");
}

TEST_CASE("payload: PROCESS_LOG_* name the channel, then the data after a newline", "[events]") {
  CHECK(payload(processLogEvent(Channel::Stdout, "web", "webgroup", 4242, "hello\nworld\n")) ==
        "processname:web groupname:webgroup pid:4242 channel:stdout\nhello\nworld\n");
  CHECK(payload(processLogEvent(Channel::Stderr, "web", "webgroup", 4242, "oops")) ==
        "processname:web groupname:webgroup pid:4242 channel:stderr\noops");
  CHECK(payload(processLogEvent(Channel::Stdout, "web", "webgroup", 4242, "caf\xc3\xa9")) ==
        "processname:web groupname:webgroup pid:4242 channel:stdout\ncaf\xc3\xa9");
}

TEST_CASE("payload: data that is not UTF-8 is sent as Supervisor's Undecodable repr", "[events]") {
  CHECK(payload(processLogEvent(Channel::Stdout, "web", "webgroup", 4242, "bad \xff byte\n")) ==
        "processname:web groupname:webgroup pid:4242 channel:stdout\nUndecodable: b'bad \\xff byte\\n'");
  // A cut multi-byte sequence, with a quote: repr switches to double quotes.
  CHECK(payload(processLogEvent(Channel::Stdout, "web", "webgroup", 4242, "it's \xc3")) ==
        "processname:web groupname:webgroup pid:4242 channel:stdout\nUndecodable: b\"it's \\xc3\"");
  CHECK(textOrUndecodable("\xed\xa0\x80") == "Undecodable: b'\\xed\\xa0\\x80'");  // an encoded surrogate
  CHECK(pythonBytesRepr("a\tb\\c\x01\x7f") == "b'a\\tb\\\\c\\x01\\x7f'");
  CHECK(pythonBytesRepr("both ' and \"") == "b'both \\' and \"'");
}

TEST_CASE("payload: PROCESS_COMMUNICATION_* have no channel field", "[events]") {
  CHECK(payload(processCommunicationEvent(Channel::Stdout, "web", "webgroup", 4242, "<data/>")) ==
        "processname:web groupname:webgroup pid:4242\n<data/>");
  Event stderrEvent = processCommunicationEvent(Channel::Stderr, "web", "webgroup", 4242, "x");
  CHECK(stderrEvent.type == EventType::ProcessCommunicationStderr);
  CHECK(payload(stderrEvent) == "processname:web groupname:webgroup pid:4242\nx");
}

TEST_CASE("payload: remote communication, supervisor state, ticks and groups", "[events]") {
  CHECK(payload(remoteCommunicationEvent("alert", "disk full")) == "type:alert\ndisk full");
  CHECK(payload(supervisorRunningEvent()).empty());
  CHECK(payload(supervisorStoppingEvent()).empty());
  CHECK(supervisorRunningEvent().type == EventType::SupervisorStateChangeRunning);
  CHECK(supervisorStoppingEvent().type == EventType::SupervisorStateChangeStopping);
  CHECK(payload(tickEvent(5, 1700000000)) == "when:1700000000");
  CHECK(tickEvent(60, 1699999980).type == EventType::Tick60);
  CHECK(tickEvent(3600, 1699999200).type == EventType::Tick3600);
  CHECK(payload(processGroupAddedEvent("webgroup")) == "groupname:webgroup\n");
  CHECK(payload(processGroupRemovedEvent("webgroup")) == "groupname:webgroup\n");
  CHECK(processGroupRemovedEvent("webgroup").type == EventType::ProcessGroupRemoved);
}

TEST_CASE("envelope: the header line Supervisor writes before the payload", "[events]") {
  const Event running = stateEvent(ProcessState::Running, ProcessState::Starting);
  CHECK(eventEnvelope("supervisor", 7, "listeners", 3, eventName(running.type), payload(running)) ==
        "ver:3.0 server:supervisor serial:7 pool:listeners poolserial:3 eventname:PROCESS_STATE_RUNNING "
        "len:63\nprocessname:web groupname:webgroup from_state:STARTING pid:4242");
}

TEST_CASE("envelope: len counts characters, not bytes, as Supervisor's Python str", "[events]") {
  const Event log = processLogEvent(Channel::Stdout, "web", "webgroup", 4242, "caf\xc3\xa9\n");
  const std::string body = payload(log);
  CHECK(body.size() == 65);
  CHECK(eventEnvelope("supervisor", 0, "listeners", 0, eventName(log.type), body) ==
        "ver:3.0 server:supervisor serial:0 pool:listeners poolserial:0 eventname:PROCESS_LOG_STDOUT "
        "len:64\nprocessname:web groupname:webgroup pid:4242 channel:stdout\ncaf\xc3\xa9\n");
}
