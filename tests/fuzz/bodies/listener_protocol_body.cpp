#include "supervisord/events/listener_protocol.h"
#include "tests/fuzz/bodies/contract.h"
#include "tests/fuzz/fuzz_bodies.h"

namespace fuzz {

// The input is what a listener writes to stdout, in pieces: a NUL byte ends a piece
// and, when the listener is READY, stands for an event written to its stdin; a
// \x01 byte only ends a piece. So "READY\n\0RESULT 2\nOK" is one whole exchange.
void listenerProtocol(std::string_view input) {
  using events::ListenerState;
  events::ListenerProtocol listener("fuzz");
  auto feed = [&](std::string_view piece) {
    const ListenerState before = listener.state();
    const auto step = listener.feed(piece);
    require(step.logBeforeOutcome <= step.log.size(), "logBeforeOutcome is within the step's log");
    if (step.outcome) require(before == ListenerState::Busy, "an outcome only for an event in flight");
    if (before == ListenerState::Unknown)
      require(listener.state() == ListenerState::Unknown, "UNKNOWN is left only by a respawn");
  };
  std::size_t start = 0;
  for (std::size_t i = 0; i <= input.size(); ++i) {
    if (i < input.size() && input[i] != '\0' && input[i] != '\x01') continue;
    if (i > start) feed(input.substr(start, i - start));
    if (i < input.size() && input[i] == '\0' && listener.state() == ListenerState::Ready) {
      listener.eventSent();
      require(listener.state() == ListenerState::Busy, "a sent event makes the listener BUSY");
    }
    start = i + 1;
  }
}

}  // namespace fuzz
