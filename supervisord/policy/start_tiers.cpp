#include "supervisord/policy/start_tiers.h"

#include <algorithm>

namespace policy {

std::vector<Tier> blockingTiers(const Tier& tier, const std::vector<TierMember>& members) {
  std::vector<Tier> blocking;
  for (const TierMember& m : members)
    if (m.tier < tier && m.autostart && !m.ready) blocking.push_back(m.tier);
  std::sort(blocking.begin(), blocking.end());
  blocking.erase(std::unique(blocking.begin(), blocking.end()), blocking.end());
  return blocking;
}

bool tierMayStart(const Tier& tier, const std::vector<TierMember>& members) {
  return std::none_of(members.begin(), members.end(),
                      [&](const TierMember& m) { return m.tier < tier && m.autostart && !m.ready; });
}

}  // namespace policy
