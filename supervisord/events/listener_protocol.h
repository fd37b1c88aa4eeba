#pragma once
// The event-listener protocol of one listener process, as Supervisor's
// PEventListenerDispatcher runs it on the listener's stdout. Entirely passive: the
// caller feeds it every byte the listener writes to stdout (in any pieces), tells it
// when an event was written to the listener's stdin, and reads back the listener
// state, the log lines Supervisor would write, and whether the event in flight was
// processed or rejected. A new ListenerProtocol per spawn (a new dispatcher).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisord/config/config_model.h"

namespace events {

// Supervisor's EventListenerStates, with its codes.
enum class ListenerState : int {
  Ready = 10,         // waiting for an event
  Busy = 20,          // an event was sent, no RESULT yet
  Acknowledged = 30,  // just started, or answered; waiting for READY
  Unknown = 40,       // broke the protocol: never sent anything again until respawned
};

// "READY", "BUSY", "ACKNOWLEDGED", "UNKNOWN".
std::string_view listenerStateName(ListenerState state);

// A line for supervisord's own log, at Supervisor's level and in its words.
struct LogLine {
  config::LogLevel level;
  std::string message;
  bool operator==(const LogLine&) const = default;
};

class ListenerProtocol {
 public:
  // What became of the event in flight, once the listener answered.
  enum class Outcome {
    Processed,  // RESULT with data OK
    Rejected,   // RESULT with other data, or a bad RESULT line: re-buffer the event
  };

  struct Step {
    std::vector<LogLine> log;
    std::optional<Outcome> outcome;  // at most one per feed: the next event waits for READY
    // Supervisor acts on the outcome (re-buffers a rejected event, with its own log
    // line) right after log[0, logBeforeOutcome); the rest of `log` comes after.
    std::size_t logBeforeOutcome = 0;
  };

  explicit ListenerProtocol(std::string processName);

  ListenerState state() const { return state_; }

  // REQUIRES: state() == Ready. The event's envelope was written to the listener's
  // stdin; Supervisor switches to BUSY without a log line.
  void eventSent();

  // Bytes the listener wrote to stdout.
  Step feed(std::string_view bytes);

 private:
  void handleStateChange(Step& step);
  void handleResult(Step& step);
  void changeState(ListenerState next, Step& step);
  void setOutcome(Outcome outcome, Step& step);

  std::string processName_;
  ListenerState state_ = ListenerState::Acknowledged;
  std::string stateBuffer_;
  std::string result_;
  // Python's int() of the RESULT length, once the RESULT line is complete.
  std::optional<std::int64_t> resultLength_;
};

// The bytes Supervisor writes to a listener's stdin for one event:
// `ver:3.0 server:<identifier> serial:<serial> pool:<pool> poolserial:<n>
// eventname:<NAME> len:<n>\n<payload>`. As in Supervisor (a Python str), len counts
// the payload's code points, not its bytes; the two differ only for non-ASCII text.
std::string eventEnvelope(std::string_view identifier, std::uint64_t serial, std::string_view poolName,
                          std::uint64_t poolSerial, std::string_view eventName, std::string_view payload);

}  // namespace events
