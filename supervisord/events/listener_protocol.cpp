#include "supervisord/events/listener_protocol.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "common/python_str.h"
#include "supervisord/events/event_types.h"

namespace events {
namespace {

constexpr std::string_view kReadyToken = "READY\n";
constexpr std::size_t kResultTokenStartLength = 7;  // "RESULT " (never checked, only skipped)

bool isPythonWhitespace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Python's int(b"...") in base 10: surrounding whitespace, a sign, digits with single
// underscores between them. Values beyond int64 saturate (no listener sends that much).
std::optional<std::int64_t> parsePythonInt(std::string_view text) {
  while (!text.empty() && isPythonWhitespace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isPythonWhitespace(text.back())) text.remove_suffix(1);
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t value = 0;
  bool previousWasDigit = false;
  for (char c : text) {
    if (c == '_') {
      if (!previousWasDigit) return std::nullopt;
      previousWasDigit = false;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    value = value > (kMax - digit) / 10 ? kMax : value * 10 + digit;
    previousWasDigit = true;
  }
  if (!previousWasDigit) return std::nullopt;  // trailing underscore
  return negative ? -value : value;
}

}  // namespace

std::string_view listenerStateName(ListenerState state) {
  switch (state) {
    case ListenerState::Ready: return "READY";
    case ListenerState::Busy: return "BUSY";
    case ListenerState::Acknowledged: return "ACKNOWLEDGED";
    case ListenerState::Unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

ListenerProtocol::ListenerProtocol(std::string processName) : processName_(std::move(processName)) {}

void ListenerProtocol::eventSent() { state_ = ListenerState::Busy; }

ListenerProtocol::Step ListenerProtocol::feed(std::string_view bytes) {
  Step step;
  stateBuffer_.append(bytes);
  handleStateChange(step);
  return step;
}

// PEventListenerDispatcher.handle_listener_state_change, its recursion as a loop.
void ListenerProtocol::handleStateChange(Step& step) {
  while (!stateBuffer_.empty()) {
    switch (state_) {
      case ListenerState::Unknown:  // a fatal state: output is ignored
        stateBuffer_.clear();
        return;

      case ListenerState::Acknowledged:
        if (stateBuffer_.size() < kReadyToken.size()) return;  // not enough to decide yet
        if (stateBuffer_.starts_with(kReadyToken)) {
          changeState(ListenerState::Ready, step);
          stateBuffer_.erase(0, kReadyToken.size());
        } else {
          changeState(ListenerState::Unknown, step);
          stateBuffer_.clear();
        }
        continue;

      case ListenerState::Ready:  // spurious output: Supervisor is strict about it
        changeState(ListenerState::Unknown, step);
        stateBuffer_.clear();
        return;

      case ListenerState::Busy:
        if (!resultLength_) {
          const std::size_t newline = stateBuffer_.find('\n');
          if (newline == std::string::npos) return;  // no complete RESULT line yet
          const std::string line = stateBuffer_.substr(0, newline);
          stateBuffer_.erase(0, newline + 1);
          const std::string_view length =
              std::string_view(line).substr(std::min(line.size(), kResultTokenStartLength));
          resultLength_ = parsePythonInt(length);
          if (!resultLength_) {
            step.log.push_back({config::LogLevel::Warn,
                                processName_ + ": bad result line: '" + textOrUndecodable(line) + "'"});
            changeState(ListenerState::Unknown, step);
            stateBuffer_.clear();
            setOutcome(Outcome::Rejected, step);
            return;
          }
        } else if (*resultLength_ < 0) {
          // Supervisor never completes such a result (it recurses until Python's
          // recursion limit); the listener stays BUSY and its output is dropped.
          stateBuffer_.clear();
          return;
        } else {
          const auto needed = static_cast<std::size_t>(*resultLength_) - result_.size();
          const std::size_t taken = std::min(needed, stateBuffer_.size());
          result_.append(stateBuffer_, 0, taken);
          stateBuffer_.erase(0, taken);
          if (result_.size() == static_cast<std::size_t>(*resultLength_)) {
            handleResult(step);
            result_.clear();
            resultLength_.reset();
          }
        }
        continue;
    }
  }
}

// handle_result() with Supervisor's default_handler: b"OK" accepts, anything else rejects.
void ListenerProtocol::handleResult(Step& step) {
  if (result_ == "OK") {
    step.log.push_back({config::LogLevel::Debug, processName_ + ": event was processed"});
    changeState(ListenerState::Acknowledged, step);
    setOutcome(Outcome::Processed, step);
  } else {
    step.log.push_back({config::LogLevel::Warn, processName_ + ": event was rejected"});
    changeState(ListenerState::Acknowledged, step);
    setOutcome(Outcome::Rejected, step);
  }
}

void ListenerProtocol::changeState(ListenerState next, Step& step) {
  step.log.push_back({config::LogLevel::Debug, processName_ + ": " + std::string(listenerStateName(state_)) +
                                                   " -> " + std::string(listenerStateName(next))});
  state_ = next;
  if (next == ListenerState::Unknown)
    step.log.push_back({config::LogLevel::Warn,
                        processName_ +
                            ": has entered the UNKNOWN state and will no longer receive events, this usually "
                            "indicates the process violated the eventlistener protocol"});
}

void ListenerProtocol::setOutcome(Outcome outcome, Step& step) {
  step.outcome = outcome;
  step.logBeforeOutcome = step.log.size();
}

std::string eventEnvelope(std::string_view identifier, std::uint64_t serial, std::string_view poolName,
                          std::uint64_t poolSerial, std::string_view eventName, std::string_view payload) {
  const std::size_t length = common::decodeUtf8(payload).size();  // Python's len() of a str
  std::string envelope = "ver:3.0 server:";
  envelope.append(identifier);
  envelope += " serial:" + std::to_string(serial) + " pool:";
  envelope.append(poolName);
  envelope += " poolserial:" + std::to_string(poolSerial) + " eventname:";
  envelope.append(eventName);
  envelope += " len:" + std::to_string(length) + "\n";
  envelope.append(payload);
  return envelope;
}

}  // namespace events
