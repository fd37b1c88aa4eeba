#pragma once
// EventBus: synchronous publish/subscribe, Supervisor's events.subscribe/notify.
// publish() calls every subscriber whose type matches (abstract types receive their
// subtypes) in order of subscription, before it returns; single-threaded, on the loop.
// Subscribers may publish or (un)subscribe from inside a callback: a nested publish
// is delivered at once, a subscriber removed during a publish gets no later callback,
// and one added during a publish first hears the next publish.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "supervisord/events/event_types.h"

namespace events {

class EventBus {
 public:
  using Callback = std::function<void(const Event&)>;
  using SubscriptionId = std::uint64_t;

  // Whether a subscriber needs the event's global serial (Event::serial). Listener
  // pools do: Supervisor numbers an event when the first pool buffers it, so events
  // nobody listens for leave no gaps in the numbers listeners see.
  enum class Numbering { None, GlobalSerial };

  SubscriptionId subscribe(EventType type, Callback callback, Numbering numbering = Numbering::None);
  void unsubscribe(SubscriptionId id);

  void publish(Event event);

  // True when some subscriber would receive an event of this (concrete) type; the
  // daemon arms TICK timers only for ticks someone listens to.
  bool hasSubscribers(EventType published) const;

  // The last global serial handed out, if any (Supervisor's GlobalSerial.serial).
  std::optional<std::uint64_t> lastSerial() const { return lastSerial_; }

 private:
  struct Subscription {
    SubscriptionId id;
    EventType type;
    Numbering numbering;
    Callback callback;
  };

  std::uint64_t nextSerial();

  std::vector<Subscription> subscriptions_;
  SubscriptionId nextId_ = 1;
  std::optional<std::uint64_t> lastSerial_;
};

}  // namespace events
