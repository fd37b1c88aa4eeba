#include "supervisord/events/event_bus.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace events {

EventBus::SubscriptionId EventBus::subscribe(EventType type, Callback callback, Numbering numbering) {
  const SubscriptionId id = nextId_++;
  subscriptions_.push_back(Subscription{id, type, numbering, std::move(callback)});
  return id;
}

void EventBus::unsubscribe(SubscriptionId id) {
  std::erase_if(subscriptions_, [id](const Subscription& s) { return s.id == id; });
}

void EventBus::publish(Event event) {
  // Walk a snapshot of the ids so callbacks may change the subscriptions.
  std::vector<SubscriptionId> ids;
  ids.reserve(subscriptions_.size());
  for (const Subscription& s : subscriptions_)
    if (subscriptionMatches(s.type, event.type)) ids.push_back(s.id);

  for (SubscriptionId id : ids) {
    auto it = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                           [id](const Subscription& s) { return s.id == id; });
    if (it == subscriptions_.end()) continue;  // unsubscribed by an earlier callback
    if (it->numbering == Numbering::GlobalSerial && !event.serial) event.serial = nextSerial();
    Callback callback = it->callback;  // the callback may unsubscribe itself
    callback(event);
  }
}

bool EventBus::hasSubscribers(EventType published) const {
  return std::any_of(subscriptions_.begin(), subscriptions_.end(),
                     [published](const Subscription& s) { return subscriptionMatches(s.type, published); });
}

std::uint64_t EventBus::nextSerial() {
  // process.py new_serial(): counts from 0 and wraps to 0 after sys.maxsize.
  const std::uint64_t maxint = std::numeric_limits<std::int64_t>::max();
  lastSerial_ = (!lastSerial_ || *lastSerial_ == maxint) ? 0 : *lastSerial_ + 1;
  return *lastSerial_;
}

}  // namespace events
