#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "supervisord/events/event_bus.h"
#include "supervisord/events/listener_pool.h"

using namespace events;
using process::ProcessState;

// Every expected trace below (stdin writes and log lines, in order) is what
// Supervisor 4.2.5's own EventListenerPool and PEventListenerDispatcher did in the
// same scenario, run under /usr/bin/python3 with stand-in processes (RUNNING,
// writes recorded, a dying listener doing Subprocess.finish's EventRejectedEvent)
// and a pool.transition() after each step, as supervisord's main loop does. The
// events are PROCESS_STATE_RUNNING for a process named after a letter, no group, pid 7.
// The driver script is in the message of the commit that added this file.
// One known difference is noted where it shows (the pool dispatches at once instead
// of on the next loop pass, which can save Supervisor a "rebuffering" debug line).

namespace {

Event running(const std::string& name) {
  return processStateEvent(ProcessState::Running, name, "", ProcessState::Starting, 0, true, 7);
}

std::string envelope(const std::string& name, int serial, int poolSerial, const std::string& pool = "pool") {
  return "ver:3.0 server:supervisor serial:" + std::to_string(serial) + " pool:" + pool +
         " poolserial:" + std::to_string(poolSerial) + " eventname:PROCESS_STATE_RUNNING len:50\nprocessname:" +
         name + " groupname: from_state:STARTING pid:7";
}

// A pool on a bus, its effects recorded as "write l0 <bytes>" and "<level> <message>".
struct PoolUnderTest {
  EventBus& bus;
  std::vector<std::string> names;
  std::vector<std::string> trace;
  std::set<std::size_t> closedStdin;
  ListenerPool pool;

  PoolUnderTest(EventBus& bus, std::string name, std::size_t bufferSize, std::vector<std::string> listeners,
                std::vector<EventType> types)
      : bus(bus),
        names(listeners),
        pool(std::move(name), "supervisor", bufferSize, std::move(listeners),
             PoolEffects{[this](std::size_t i, std::string_view bytes) {
                           if (closedStdin.count(i)) return false;
                           trace.push_back("write " + names[i] + " " + std::string(bytes));
                           return true;
                         },
                         [this](const LogLine& line) {
                           trace.push_back(std::string(config::logLevelName(line.level)) + " " + line.message);
                         }}) {
    subscribePool(bus, pool, types);
    for (std::size_t i = 0; i < names.size(); ++i) pool.listenerStateChanged(i, ProcessState::Running);
  }

  std::vector<std::string> take() { return std::exchange(trace, {}); }
};

using Trace = std::vector<std::string>;

}  // namespace

TEST_CASE("listener pool: buffering, overflow, dispatch, FAIL and death while BUSY, serials", "[events]") {
  EventBus bus;
  PoolUnderTest pool(bus, "pool", 3, {"l0", "l1"}, {EventType::ProcessState});
  PoolUnderTest other(bus, "other", 10, {"o0"}, {EventType::Tick});

  for (const char* name : {"a", "b", "c", "d", "e"}) bus.publish(running(name));
  bus.publish(tickEvent(5, 1700000005));  // numbered by the other pool: serial 5
  CHECK(pool.take() == Trace{"error pool pool event buffer overflowed, discarding event 0",
                             "error pool pool event buffer overflowed, discarding event 1"});
  CHECK(pool.pool.bufferedSerials() == std::vector<std::uint64_t>{2, 3, 4});
  CHECK(other.pool.bufferedSerials() == std::vector<std::uint64_t>{5});

  pool.pool.listenerOutput(1, "READY\n");
  CHECK(pool.take() == Trace{"debug l1: ACKNOWLEDGED -> READY", "write l1 " + envelope("c", 2, 2),
                             "debug event 2 sent to listener l1",
                             "debug rebuffering event 3 for pool pool (buf size=1, max=3)"});

  pool.pool.listenerOutput(0, "READY\n");
  CHECK(pool.take() == Trace{"debug l0: ACKNOWLEDGED -> READY", "write l0 " + envelope("d", 3, 3),
                             "debug event 3 sent to listener l0",
                             "debug rebuffering event 4 for pool pool (buf size=0, max=3)"});

  SECTION("a rejected event goes back to the head and keeps its serials") {
    pool.pool.listenerOutput(1, "RESULT 4\nFAIL");
    CHECK(pool.take() == Trace{"warn l1: event was rejected", "debug l1: BUSY -> ACKNOWLEDGED",
                               "debug rebuffering event 2 for pool pool (buf size=1, max=3)"});
    CHECK(pool.pool.bufferedSerials() == std::vector<std::uint64_t>{2, 4});

    pool.pool.listenerOutput(1, "READY\n");
    CHECK(pool.take() == Trace{"debug l1: ACKNOWLEDGED -> READY", "write l1 " + envelope("c", 2, 2),
                               "debug event 2 sent to listener l1",
                               "debug rebuffering event 4 for pool pool (buf size=0, max=3)"});

    // A listener that dies while BUSY: its event is re-buffered at the head.
    CHECK(pool.pool.inFlightSerial(0) == 3u);
    pool.pool.listenerExited(0);
    CHECK(pool.take() == Trace{"debug rebuffering event 3 for pool pool (buf size=1, max=3)"});
    CHECK(pool.pool.bufferedSerials() == std::vector<std::uint64_t>{3, 4});
    CHECK_FALSE(pool.pool.inFlightSerial(0));

    pool.pool.listenerOutput(1, "RESULT 2\nOKREADY\n");
    CHECK(pool.take() == Trace{"debug l1: event was processed", "debug l1: BUSY -> ACKNOWLEDGED",
                               "debug l1: ACKNOWLEDGED -> READY", "write l1 " + envelope("d", 3, 3),
                               "debug event 3 sent to listener l1",
                               "debug rebuffering event 4 for pool pool (buf size=0, max=3)"});
    pool.pool.listenerOutput(1, "RESULT 2\nOKREADY\n");
    CHECK(pool.take() == Trace{"debug l1: event was processed", "debug l1: BUSY -> ACKNOWLEDGED",
                               "debug l1: ACKNOWLEDGED -> READY", "write l1 " + envelope("e", 4, 4),
                               "debug event 4 sent to listener l1"});
    pool.pool.listenerOutput(1, "RESULT 2\nOKREADY\n");
    CHECK(pool.take() == Trace{"debug l1: event was processed", "debug l1: BUSY -> ACKNOWLEDGED",
                               "debug l1: ACKNOWLEDGED -> READY"});

    // The global serial counts the tick the other pool took; the pool serial does not.
    bus.publish(running("f"));
    CHECK(pool.take() == Trace{"write l1 " + envelope("f", 6, 5), "debug event 6 sent to listener l1"});
  }
}

TEST_CASE("listener pool: a rejected event re-buffered into a full buffer drops the oldest", "[events]") {
  EventBus bus;
  PoolUnderTest pool(bus, "pool", 2, {"l0"}, {EventType::ProcessState});
  bus.publish(running("a"));
  pool.pool.listenerOutput(0, "READY\n");
  CHECK(pool.take() == Trace{"debug l0: ACKNOWLEDGED -> READY", "write l0 " + envelope("a", 0, 0),
                             "debug event 0 sent to listener l0"});
  bus.publish(running("b"));
  bus.publish(running("c"));
  CHECK(pool.take().empty());

  pool.pool.listenerOutput(0, "RESULT 4\nFAIL");
  CHECK(pool.take() == Trace{"warn l0: event was rejected", "debug l0: BUSY -> ACKNOWLEDGED",
                             "debug rebuffering event 0 for pool pool (buf size=2, max=2)",
                             "error pool pool event buffer overflowed, discarding event 1"});
  CHECK(pool.pool.bufferedSerials() == std::vector<std::uint64_t>{0, 2});
}

TEST_CASE("listener pool: FAIL then READY in one read: re-buffered, then sent again", "[events]") {
  EventBus bus;
  PoolUnderTest pool(bus, "pool", 10, {"l0"}, {EventType::ProcessState});
  pool.pool.listenerOutput(0, "READY\n");
  bus.publish(running("a"));
  bus.publish(running("b"));
  pool.pool.listenerOutput(0, "RESULT 2\nOKREADY\n");
  (void)pool.take();

  pool.pool.listenerOutput(0, "RESULT 4\nFAILREADY\n");
  CHECK(pool.take() == Trace{"warn l0: event was rejected", "debug l0: BUSY -> ACKNOWLEDGED",
                             "debug rebuffering event 1 for pool pool (buf size=0, max=10)",
                             "debug l0: ACKNOWLEDGED -> READY", "write l0 " + envelope("b", 1, 1),
                             "debug event 1 sent to listener l0"});
}

TEST_CASE("listener pool: a bad RESULT line re-buffers the event, and the listener gets no more", "[events]") {
  EventBus bus;
  PoolUnderTest pool(bus, "pool", 10, {"l0"}, {EventType::ProcessState});
  pool.pool.listenerOutput(0, "READY\n");
  bus.publish(running("a"));
  (void)pool.take();

  pool.pool.listenerOutput(0, "RESULT two\n");
  CHECK(pool.take() ==
        Trace{"warn l0: bad result line: 'RESULT two'", "debug l0: BUSY -> UNKNOWN",
              "warn l0: has entered the UNKNOWN state and will no longer receive events, this usually indicates "
              "the process violated the eventlistener protocol",
              "debug rebuffering event 0 for pool pool (buf size=0, max=10)"});
  CHECK(pool.pool.listenerState(0) == ListenerState::Unknown);
  CHECK(pool.pool.bufferedSerials() == std::vector<std::uint64_t>{0});

  // Respawned, it starts over in ACKNOWLEDGED and gets the event once READY and RUNNING.
  pool.pool.listenerExited(0);
  pool.pool.listenerSpawned(0);
  pool.pool.listenerStateChanged(0, ProcessState::Starting);
  CHECK(pool.pool.listenerState(0) == ListenerState::Acknowledged);
  pool.pool.listenerOutput(0, "READY\n");
  CHECK(pool.take() == Trace{"debug l0: ACKNOWLEDGED -> READY"});  // not RUNNING yet: nothing sent
  pool.pool.listenerStateChanged(0, ProcessState::Running);
  CHECK(pool.take() == Trace{"write l0 " + envelope("a", 0, 0), "debug event 0 sent to listener l0"});
}

TEST_CASE("listener pool: the first READY listener in pool order gets the event", "[events]") {
  EventBus bus;
  PoolUnderTest pool(bus, "pool", 10, {"l0", "l1", "l2"}, {EventType::Event});
  pool.pool.listenerOutput(2, "READY\n");
  pool.pool.listenerOutput(1, "READY\n");
  (void)pool.take();
  bus.publish(running("a"));
  bus.publish(running("b"));
  bus.publish(running("c"));
  CHECK(pool.take() == Trace{"write l1 " + envelope("a", 0, 0), "debug event 0 sent to listener l1",
                             "write l2 " + envelope("b", 1, 1), "debug event 1 sent to listener l2"});
  // Supervisor, dispatching on its next loop pass with all three buffered, adds
  // "debug rebuffering event 2 for pool pool (buf size=0, max=10)" here; this pool
  // dispatches as each event arrives and so never tries c: same writes, one debug line less.
  CHECK(pool.pool.bufferedSerials() == std::vector<std::uint64_t>{2});
}

TEST_CASE("listener pool: a listener whose stdin is closed is skipped (EPIPE)", "[events]") {
  EventBus bus;
  PoolUnderTest pool(bus, "pool", 10, {"l0", "l1"}, {EventType::ProcessState});
  pool.closedStdin.insert(0);
  pool.pool.listenerOutput(0, "READY\n");
  pool.pool.listenerOutput(1, "READY\n");
  (void)pool.take();

  bus.publish(running("a"));
  CHECK(pool.take() == Trace{"debug epipe occurred while sending event 0 to listener l0, listener state unchanged",
                             "write l1 " + envelope("a", 0, 0), "debug event 0 sent to listener l1"});
  bus.publish(running("b"));
  CHECK(pool.take() == Trace{"debug epipe occurred while sending event 1 to listener l0, listener state unchanged",
                             "debug rebuffering event 1 for pool pool (buf size=0, max=10)"});
  CHECK(pool.pool.listenerState(0) == ListenerState::Ready);
}

TEST_CASE("listener pool: subscribed to a type and its subtype, an event is buffered twice, as Supervisor",
          "[events]") {
  EventBus bus;
  PoolUnderTest pool(bus, "pool", 10, {"l0"}, {EventType::ProcessState, EventType::ProcessStateRunning});
  bus.publish(running("a"));
  bus.publish(processStateEvent(ProcessState::Exited, "x", "", ProcessState::Running, 0, true, 7));
  CHECK(pool.take() == Trace{"debug rebuffering event 0 for pool pool (buf size=1, max=10)"});
  CHECK(pool.pool.bufferedSerials() == std::vector<std::uint64_t>{0, 0, 1});

  pool.pool.listenerOutput(0, "READY\n");
  pool.pool.listenerOutput(0, "RESULT 2\nOKREADY\n");
  // The same serial and pool serial both times.
  CHECK(pool.take() == Trace{"debug l0: ACKNOWLEDGED -> READY", "write l0 " + envelope("a", 0, 0),
                             "debug event 0 sent to listener l0",
                             "debug rebuffering event 0 for pool pool (buf size=1, max=10)",
                             "debug l0: event was processed", "debug l0: BUSY -> ACKNOWLEDGED",
                             "debug l0: ACKNOWLEDGED -> READY", "write l0 " + envelope("a", 0, 0),
                             "debug event 0 sent to listener l0",
                             "debug rebuffering event 1 for pool pool (buf size=0, max=10)"});
}

TEST_CASE("listener pool: events for an unsubscribed type never reach it", "[events]") {
  EventBus bus;
  PoolUnderTest pool(bus, "pool", 10, {"l0"}, {EventType::Tick60});
  bus.publish(tickEvent(5, 5));
  bus.publish(running("a"));
  CHECK(pool.pool.bufferedSerials().empty());
  CHECK_FALSE(bus.lastSerial());  // nobody numbered them
  bus.publish(tickEvent(60, 60));
  CHECK(pool.pool.bufferedSerials() == std::vector<std::uint64_t>{0});
}
