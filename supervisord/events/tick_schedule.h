#pragma once
// TickSchedule: when supervisord publishes TICK_5, TICK_60 and TICK_3600, as
// Supervisor's Supervisor.tick() decides it. A tick fires when the timeslice of its
// period (epoch time rounded down to a multiple of the period) differs from the one
// last seen; its `when` is the new slice. The schedule starts from the slice current
// at startup, so the first tick is the next boundary, never an immediate one.
// Pure: the caller passes the time and arms its own timer at nextTickTime(), only for
// periods someone subscribes to, so an idle daemon has no wake-ups.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "supervisord/events/event_bus.h"
#include "supervisord/events/event_types.h"

namespace events {

inline constexpr int kTickPeriods[] = {5, 60, 3600};  // Supervisor's TICK_EVENTS order

// supervisord.timeslice(period, when): int(when - when % period).
std::int64_t timeslice(int period, double when);

class TickSchedule {
 public:
  // Supervisor's first tick(): remembers the current slice of every period.
  explicit TickSchedule(double now);

  // The tick events due at `now`, in TICK_5, TICK_60, TICK_3600 order; at most one
  // per period however many boundaries passed (a suspended machine gets one tick).
  std::vector<Event> due(double now);

 private:
  std::array<std::int64_t, 3> lastSlice_;
};

// The periods of the TICK_* types some subscriber of `bus` receives.
std::vector<int> subscribedTickPeriods(const EventBus& bus);

// The epoch time of the next slice boundary among `periods`, or nothing when no
// period is given (no timer to arm).
std::optional<double> nextTickTime(double now, std::span<const int> periods);

}  // namespace events
