#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "supervisord/events/listener_protocol.h"

using namespace events;
using config::LogLevel;
using Outcome = ListenerProtocol::Outcome;

// The log lines and outcomes were taken from Supervisor 4.2.5's own
// PEventListenerDispatcher and EventListenerPool, driven under /usr/bin/python3 with
// stand-in processes: feed bytes into dispatcher.state_buffer, call
// handle_listener_state_change(), print every logger call (the driver script is in
// the message of the commit that added this file).

namespace {
const std::string kUnknownWarning =
    "l0: has entered the UNKNOWN state and will no longer receive events, this usually indicates the process "
    "violated the eventlistener protocol";

ListenerProtocol busyListener() {
  ListenerProtocol listener("l0");
  (void)listener.feed("READY\n");
  listener.eventSent();
  return listener;
}
}  // namespace

TEST_CASE("listener protocol: a new listener is ACKNOWLEDGED until it writes READY", "[events]") {
  ListenerProtocol listener("l0");
  CHECK(listener.state() == ListenerState::Acknowledged);
  const auto step = listener.feed("READY\n");
  CHECK(listener.state() == ListenerState::Ready);
  CHECK(step.log == std::vector<LogLine>{{LogLevel::Debug, "l0: ACKNOWLEDGED -> READY"}});
  CHECK_FALSE(step.outcome);
}

TEST_CASE("listener protocol: READY split across reads (REA + DY\\n)", "[events]") {
  ListenerProtocol listener("l0");
  CHECK(listener.feed("REA").log.empty());
  CHECK(listener.state() == ListenerState::Acknowledged);
  CHECK(listener.feed("DY\n").log == std::vector<LogLine>{{LogLevel::Debug, "l0: ACKNOWLEDGED -> READY"}});
  CHECK(listener.state() == ListenerState::Ready);
}

TEST_CASE("listener protocol: sending an event makes it BUSY without a log line", "[events]") {
  ListenerProtocol listener("l0");
  (void)listener.feed("READY\n");
  listener.eventSent();
  CHECK(listener.state() == ListenerState::Busy);
}

TEST_CASE("listener protocol: RESULT with its data across reads, OK means processed", "[events]") {
  ListenerProtocol listener = busyListener();
  auto first = listener.feed("RESULT 2\nO");
  CHECK(first.log.empty());
  CHECK_FALSE(first.outcome);
  CHECK(listener.state() == ListenerState::Busy);

  auto second = listener.feed("K");
  CHECK(second.outcome == Outcome::Processed);
  CHECK(second.log == std::vector<LogLine>{{LogLevel::Debug, "l0: event was processed"},
                                           {LogLevel::Debug, "l0: BUSY -> ACKNOWLEDGED"}});
  CHECK(listener.state() == ListenerState::Acknowledged);

  CHECK(listener.feed("READY\n").log == std::vector<LogLine>{{LogLevel::Debug, "l0: ACKNOWLEDGED -> READY"}});
}

TEST_CASE("listener protocol: the RESULT line itself may arrive in pieces", "[events]") {
  ListenerProtocol listener = busyListener();
  CHECK_FALSE(listener.feed("RES").outcome);
  CHECK_FALSE(listener.feed("ULT 2").outcome);
  CHECK_FALSE(listener.feed("\n").outcome);
  CHECK(listener.feed("OK").outcome == Outcome::Processed);
}

TEST_CASE("listener protocol: FAIL rejects the event; READY in the same read follows", "[events]") {
  ListenerProtocol listener = busyListener();
  const auto step = listener.feed("RESULT 4\nFAILREADY\n");
  CHECK(step.outcome == Outcome::Rejected);
  CHECK(step.log == std::vector<LogLine>{{LogLevel::Warn, "l0: event was rejected"},
                                         {LogLevel::Debug, "l0: BUSY -> ACKNOWLEDGED"},
                                         {LogLevel::Debug, "l0: ACKNOWLEDGED -> READY"}});
  CHECK(step.logBeforeOutcome == 2);  // Supervisor re-buffers before it reads READY
  CHECK(listener.state() == ListenerState::Ready);
}

TEST_CASE("listener protocol: any result data but OK is a rejection, even an empty one", "[events]") {
  ListenerProtocol listener = busyListener();
  CHECK(listener.feed("RESULT 3\nok!").outcome == Outcome::Rejected);

  ListenerProtocol empty = busyListener();
  // Like Supervisor, a zero-length result is only looked at once more output arrives.
  CHECK_FALSE(empty.feed("RESULT 0\n").outcome);
  CHECK(empty.feed("READY\n").outcome == Outcome::Rejected);
  CHECK(empty.state() == ListenerState::Ready);
}

TEST_CASE("listener protocol: the length is read as Python's int(), after any 7 bytes", "[events]") {
  ListenerProtocol spaced = busyListener();
  CHECK(spaced.feed("RESULT  +2 \r\nOK").outcome == Outcome::Processed);
  ListenerProtocol underscores = busyListener();
  CHECK(underscores.feed("RESULT 1_0\nFAILFAILXX").outcome == Outcome::Rejected);
  ListenerProtocol otherWord = busyListener();  // Supervisor never checks the word RESULT
  CHECK(otherWord.feed("ANSWER 2\nOK").outcome == Outcome::Processed);
}

TEST_CASE("listener protocol: a bad RESULT line rejects the event and the listener goes UNKNOWN", "[events]") {
  ListenerProtocol listener = busyListener();
  const auto step = listener.feed("RESULT two\n");
  CHECK(step.outcome == Outcome::Rejected);
  CHECK(step.log == std::vector<LogLine>{{LogLevel::Warn, "l0: bad result line: 'RESULT two'"},
                                         {LogLevel::Debug, "l0: BUSY -> UNKNOWN"},
                                         {LogLevel::Warn, kUnknownWarning}});
  CHECK(step.logBeforeOutcome == 3);
  CHECK(listener.state() == ListenerState::Unknown);
}

TEST_CASE("listener protocol: output while READY is a protocol violation", "[events]") {
  ListenerProtocol listener("l0");
  (void)listener.feed("READY\n");
  const auto step = listener.feed("oops\n");
  CHECK(step.log == std::vector<LogLine>{{LogLevel::Debug, "l0: READY -> UNKNOWN"}, {LogLevel::Warn, kUnknownWarning}});
  CHECK_FALSE(step.outcome);
  CHECK(listener.state() == ListenerState::Unknown);
}

TEST_CASE("listener protocol: something else than READY after ACKNOWLEDGED is one too", "[events]") {
  ListenerProtocol listener("l0");
  const auto step = listener.feed("hello world\n");
  CHECK(step.log ==
        std::vector<LogLine>{{LogLevel::Debug, "l0: ACKNOWLEDGED -> UNKNOWN"}, {LogLevel::Warn, kUnknownWarning}});
  CHECK(listener.state() == ListenerState::Unknown);
}

TEST_CASE("listener protocol: READY twice in a row: the second is spurious", "[events]") {
  ListenerProtocol listener("l0");
  (void)listener.feed("READY\nREADY\n");
  CHECK(listener.state() == ListenerState::Unknown);
}

TEST_CASE("listener protocol: an UNKNOWN listener stays UNKNOWN whatever it writes", "[events]") {
  ListenerProtocol listener("l0");
  (void)listener.feed("garbage");
  REQUIRE(listener.state() == ListenerState::Unknown);
  const auto step = listener.feed("READY\n");
  CHECK(step.log.empty());
  CHECK(listener.state() == ListenerState::Unknown);
}

TEST_CASE("listener protocol: state names and codes are Supervisor's", "[events]") {
  CHECK(listenerStateName(ListenerState::Ready) == "READY");
  CHECK(listenerStateName(ListenerState::Busy) == "BUSY");
  CHECK(listenerStateName(ListenerState::Acknowledged) == "ACKNOWLEDGED");
  CHECK(listenerStateName(ListenerState::Unknown) == "UNKNOWN");
  CHECK(static_cast<int>(ListenerState::Ready) == 10);
  CHECK(static_cast<int>(ListenerState::Busy) == 20);
  CHECK(static_cast<int>(ListenerState::Acknowledged) == 30);
  CHECK(static_cast<int>(ListenerState::Unknown) == 40);
}
