#include "supervisord/events/listener_pool.h"

#include <limits>
#include <stdexcept>
#include <utility>

namespace events {

ListenerPool::ListenerPool(std::string poolName, std::string identifier, std::size_t bufferSize,
                           std::vector<std::string> listenerNames, PoolEffects effects)
    : poolName_(std::move(poolName)),
      identifier_(std::move(identifier)),
      bufferSize_(bufferSize),
      effects_(std::move(effects)) {
  for (std::string& name : listenerNames) {
    ListenerProtocol protocol(name);
    listeners_.push_back(Listener{std::move(name), std::move(protocol), false, std::nullopt});
  }
}

void ListenerPool::accept(const Event& event) {
  if (!event.serial) throw std::logic_error("ListenerPool::accept: event without a global serial");
  if (lastAccepted_ && lastAccepted_->first == *event.serial) {
    // The same event again: _acceptEvent finds the pool in event.pool_serials.
    log(config::LogLevel::Debug, "rebuffering event " + std::to_string(*event.serial) + " for pool " + poolName_ +
                                     " (buf size=" + std::to_string(buffer_.size()) +
                                     ", max=" + std::to_string(bufferSize_) + ")");
    buffer(BufferedEvent{event, lastAccepted_->second}, /*head=*/false);
  } else {
    const std::uint64_t poolSerial = nextPoolSerial();
    lastAccepted_ = {*event.serial, poolSerial};
    buffer(BufferedEvent{event, poolSerial}, /*head=*/false);
  }
  transition();
}

void ListenerPool::listenerSpawned(std::size_t listener) {
  Listener& entry = listeners_.at(listener);
  if (entry.inFlight) listenerExited(listener);  // the caller missed the exit; do not lose the event
  entry.protocol = ListenerProtocol(entry.name);
}

void ListenerPool::listenerStateChanged(std::size_t listener, process::ProcessState state) {
  listeners_.at(listener).running = state == process::ProcessState::Running;
  transition();
}

void ListenerPool::listenerExited(std::size_t listener) {
  Listener& entry = listeners_.at(listener);
  entry.running = false;
  if (entry.inFlight) {
    BufferedEvent event = std::move(*entry.inFlight);
    entry.inFlight.reset();
    rebuffer(std::move(event));
  }
  transition();
}

void ListenerPool::listenerOutput(std::size_t listener, std::string_view bytes) {
  Listener& entry = listeners_.at(listener);
  ListenerProtocol::Step step = entry.protocol.feed(bytes);
  const std::size_t logBeforeOutcome = step.outcome ? step.logBeforeOutcome : step.log.size();
  for (std::size_t i = 0; i < logBeforeOutcome; ++i) log(step.log[i].level, std::move(step.log[i].message));
  if (step.outcome) {
    std::optional<BufferedEvent> event = std::move(entry.inFlight);
    entry.inFlight.reset();
    if (*step.outcome == ListenerProtocol::Outcome::Rejected && event) rebuffer(std::move(*event));
  }
  for (std::size_t i = logBeforeOutcome; i < step.log.size(); ++i)
    log(step.log[i].level, std::move(step.log[i].message));
  transition();
}

ListenerState ListenerPool::listenerState(std::size_t listener) const {
  return listeners_.at(listener).protocol.state();
}

std::vector<std::uint64_t> ListenerPool::bufferedSerials() const {
  std::vector<std::uint64_t> serials;
  for (const BufferedEvent& entry : buffer_) serials.push_back(*entry.event.serial);
  return serials;
}

std::optional<std::uint64_t> ListenerPool::inFlightSerial(std::size_t listener) const {
  const Listener& entry = listeners_.at(listener);
  if (!entry.inFlight) return std::nullopt;
  return entry.inFlight->event.serial;
}

// The tail of _acceptEvent: drop the oldest when full, then insert.
void ListenerPool::buffer(BufferedEvent entry, bool head) {
  if (buffer_.size() >= bufferSize_ && !buffer_.empty()) {
    const std::uint64_t discarded = *buffer_.front().event.serial;
    buffer_.pop_front();
    log(config::LogLevel::Error,
        "pool " + poolName_ + " event buffer overflowed, discarding event " + std::to_string(discarded));
  }
  if (head)
    buffer_.push_front(std::move(entry));
  else
    buffer_.push_back(std::move(entry));
}

// _acceptEvent(event, head=True) for an event this pool numbered already: it keeps
// both its serials.
void ListenerPool::rebuffer(BufferedEvent entry) {
  log(config::LogLevel::Debug, "rebuffering event " + std::to_string(*entry.event.serial) + " for pool " +
                                   poolName_ + " (buf size=" + std::to_string(buffer_.size()) +
                                   ", max=" + std::to_string(bufferSize_) + ")");
  buffer(std::move(entry), /*head=*/true);
}

// EventListenerPool.transition(): dispatch when some RUNNING listener is READY.
void ListenerPool::transition() {
  for (const Listener& listener : listeners_)
    if (listener.running && listener.protocol.state() == ListenerState::Ready) {
      dispatch();
      return;
    }
}

void ListenerPool::dispatch() {
  while (!buffer_.empty()) {
    BufferedEvent entry = std::move(buffer_.front());
    buffer_.pop_front();
    if (!dispatchEvent(entry)) {
      // Nobody could take it: back to the head, and stop for now.
      rebuffer(std::move(entry));
      break;
    }
  }
}

bool ListenerPool::dispatchEvent(const BufferedEvent& entry) {
  const std::uint64_t serial = *entry.event.serial;
  for (std::size_t index = 0; index < listeners_.size(); ++index) {
    Listener& listener = listeners_[index];
    if (!listener.running || listener.protocol.state() != ListenerState::Ready) continue;
    const std::string envelope = eventEnvelope(identifier_, serial, poolName_, entry.poolSerial,
                                               eventName(entry.event.type), payload(entry.event));
    if (!effects_.writeToStdin(index, envelope)) {
      log(config::LogLevel::Debug, "epipe occurred while sending event " + std::to_string(serial) +
                                       " to listener " + listener.name + ", listener state unchanged");
      continue;
    }
    listener.protocol.eventSent();
    listener.inFlight = entry;
    log(config::LogLevel::Debug, "event " + std::to_string(serial) + " sent to listener " + listener.name);
    return true;
  }
  return false;
}

std::uint64_t ListenerPool::nextPoolSerial() {
  // new_serial(): from 0, wrapping to 0 after sys.maxsize.
  const std::uint64_t maxint = std::numeric_limits<std::int64_t>::max();
  lastPoolSerial_ = (!lastPoolSerial_ || *lastPoolSerial_ == maxint) ? 0 : *lastPoolSerial_ + 1;
  return *lastPoolSerial_;
}

void ListenerPool::log(config::LogLevel level, std::string message) {
  if (effects_.log) effects_.log(LogLine{level, std::move(message)});
}

std::vector<EventBus::SubscriptionId> subscribePool(EventBus& bus, ListenerPool& pool,
                                                    std::span<const EventType> eventTypes) {
  std::vector<EventBus::SubscriptionId> ids;
  for (EventType type : eventTypes)
    ids.push_back(bus.subscribe(type, [&pool](const Event& event) { pool.accept(event); },
                                EventBus::Numbering::GlobalSerial));
  return ids;
}

}  // namespace events
