#include "supervisord/events/tick_schedule.h"

#include <cmath>

namespace events {

std::int64_t timeslice(int period, double when) {
  // Python's float % takes the sign of the divisor: the slice start is never after `when`.
  double remainder = std::fmod(when, period);
  if (remainder < 0) remainder += period;
  return static_cast<std::int64_t>(when - remainder);
}

TickSchedule::TickSchedule(double now) {
  for (std::size_t i = 0; i < lastSlice_.size(); ++i) lastSlice_[i] = timeslice(kTickPeriods[i], now);
}

std::vector<Event> TickSchedule::due(double now) {
  std::vector<Event> ticks;
  for (std::size_t i = 0; i < lastSlice_.size(); ++i) {
    const std::int64_t slice = timeslice(kTickPeriods[i], now);
    if (slice != lastSlice_[i]) {  // != as Supervisor: a clock set back ticks too
      lastSlice_[i] = slice;
      ticks.push_back(tickEvent(kTickPeriods[i], slice));
    }
  }
  return ticks;
}

std::vector<int> subscribedTickPeriods(const EventBus& bus) {
  std::vector<int> periods;
  for (int period : kTickPeriods)
    if (bus.hasSubscribers(tickEvent(period, 0).type)) periods.push_back(period);
  return periods;
}

std::optional<double> nextTickTime(double now, std::span<const int> periods) {
  std::optional<double> next;
  for (int period : periods) {
    const double boundary = static_cast<double>(timeslice(period, now) + period);
    if (!next || boundary < *next) next = boundary;
  }
  return next;
}

}  // namespace events
