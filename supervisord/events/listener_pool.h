#pragma once
// ListenerPool: the decisions of one [eventlistener:x] pool, Supervisor's
// EventListenerPool without its I/O. It buffers the events the bus delivers (at
// most buffer_size, dropping the oldest), numbers them per pool, sends each to the
// first RUNNING listener that is READY (one event in flight per listener), and
// re-buffers an event at the head when its listener rejects it or dies while BUSY.
// The caller reports listener spawns, process states, exits and stdout bytes; the
// pool answers through PoolEffects (bytes for a listener's stdin, log lines), at
// once and in order; effects must not call back into the pool. Single-threaded,
// no timers: Supervisor dispatches on its next loop pass, this pool at once.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "supervisord/events/event_bus.h"
#include "supervisord/events/event_types.h"
#include "supervisord/events/listener_protocol.h"
#include "supervisord/process/process_state.h"

namespace events {

struct PoolEffects {
  // Queue `bytes` for listener `listener`'s stdin. Return false when that stdin is
  // already closed (Supervisor's EPIPE): the pool then tries the next READY listener
  // and leaves this one's state as it was.
  std::function<bool(std::size_t listener, std::string_view bytes)> writeToStdin;
  // A line for supervisord's log, at its level (callers filter by loglevel).
  std::function<void(const LogLine& line)> log;
};

class ListenerPool {
 public:
  // `listenerNames` are the pool's process names in the pool's order (Supervisor's
  // processes dict order); listeners are addressed by their index in it.
  // `identifier` is [supervisord] identifier (the envelope's `server:` field).
  // REQUIRES: bufferSize >= 1 (the config loader rejects anything else).
  ListenerPool(std::string poolName, std::string identifier, std::size_t bufferSize,
               std::vector<std::string> listenerNames, PoolEffects effects);

  const std::string& name() const { return poolName_; }

  // An event from the bus (_acceptEvent). Its global serial must be set: subscribe
  // with subscribePool(), which asks the bus for Numbering::GlobalSerial.
  // A first delivery gets the next pool serial; a second delivery of the same event
  // (a pool subscribed to both PROCESS_STATE and PROCESS_STATE_RUNNING) keeps its
  // pool serial and is buffered again, exactly as Supervisor does.
  void accept(const Event& event);

  // Listener `listener` was spawned: a fresh protocol, in ACKNOWLEDGED.
  void listenerSpawned(std::size_t listener);
  // The listener's process state changed; only RUNNING listeners receive events.
  void listenerStateChanged(std::size_t listener, process::ProcessState state);
  // The listener's process was reaped. An event it had not answered is re-buffered
  // at the head (Supervisor's EventRejectedEvent from Subprocess.finish).
  void listenerExited(std::size_t listener);
  // Bytes the listener wrote to its stdout.
  void listenerOutput(std::size_t listener, std::string_view bytes);

  ListenerState listenerState(std::size_t listener) const;
  // Global serials of the buffered events, oldest (next to send) first.
  std::vector<std::uint64_t> bufferedSerials() const;
  // The global serial of the event listener `listener` is processing, if any.
  std::optional<std::uint64_t> inFlightSerial(std::size_t listener) const;

 private:
  struct BufferedEvent {
    Event event;  // serial set
    std::uint64_t poolSerial;
  };
  struct Listener {
    std::string name;
    ListenerProtocol protocol;
    bool running = false;
    std::optional<BufferedEvent> inFlight;
  };

  void buffer(BufferedEvent entry, bool head);
  void rebuffer(BufferedEvent entry);
  void transition();
  void dispatch();
  bool dispatchEvent(const BufferedEvent& entry);
  std::uint64_t nextPoolSerial();
  void log(config::LogLevel level, std::string message);

  std::string poolName_;
  std::string identifier_;
  std::size_t bufferSize_;
  std::vector<Listener> listeners_;
  PoolEffects effects_;
  std::deque<BufferedEvent> buffer_;
  std::optional<std::uint64_t> lastPoolSerial_;
  // The last event delivered by the bus and the pool serial it got, to recognise a
  // second delivery of the same event within one publish.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> lastAccepted_;
};

// Subscribes `pool` to each of `eventTypes` (the pool's events= list), once per
// type as Supervisor does, with global serial numbering. Unsubscribe the returned
// ids before the pool goes away (removeProcessGroup, reload).
std::vector<EventBus::SubscriptionId> subscribePool(EventBus& bus, ListenerPool& pool,
                                                    std::span<const EventType> eventTypes);

}  // namespace events
