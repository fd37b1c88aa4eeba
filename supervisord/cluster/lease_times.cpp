#include "supervisord/cluster/lease_times.h"

#include <algorithm>

namespace cluster {

void LeaseTimes::renewed(double sentAt) { renewedAt_ = std::max(renewedAt_, sentAt); }

double LeaseTimes::left(double now) const { return std::max(0.0, renewedAt_ + ttl_ - now); }

double LeaseTimes::keepaliveInterval() const { return std::max(0.1, fenceWindow() / 3); }

}  // namespace cluster
