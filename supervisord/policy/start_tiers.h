#pragma once
// start_order = ready: priorities become start tiers. A tier is every process with
// the same (group priority, process priority); a process may autostart only once every
// autostarting process of the tiers before it is ready. Pure.

#include <utility>
#include <vector>

namespace policy {

using Tier = std::pair<int, int>;  // (group priority, process priority): Supervisor's start order

struct TierMember {
  Tier tier;
  bool autostart = true;  // only autostarting processes gate later tiers
  bool ready = false;     // RUNNING (startsecs passed or readiness probe succeeded), or exited as expected
};

// Whether a process of `tier` may autostart now.
bool tierMayStart(const Tier& tier, const std::vector<TierMember>& members);

// The tiers before `tier` that still hold it back (for the log), ascending.
std::vector<Tier> blockingTiers(const Tier& tier, const std::vector<TierMember>& members);

}  // namespace policy
