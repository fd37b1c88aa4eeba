#include "supervisord/policy/group_strategy.h"

namespace policy {

std::vector<std::size_t> restartSet(config::GroupStrategy strategy, std::size_t failed, std::size_t memberCount) {
  std::size_t first = failed;
  std::size_t last = failed + 1;
  if (strategy == config::GroupStrategy::OneForAll) first = 0, last = memberCount;
  if (strategy == config::GroupStrategy::RestForOne) last = memberCount;
  std::vector<std::size_t> members;
  for (std::size_t i = first; i < last; ++i) members.push_back(i);
  return members;
}

}  // namespace policy
