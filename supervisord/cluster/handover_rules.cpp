#include "supervisord/cluster/handover_rules.h"

#include <algorithm>

namespace cluster {

namespace {

common::Error refused(std::string why) { return common::makeError(common::ErrorKind::ClusterManaged, std::move(why)); }

// The primary is the leader key's node, running and done promoting.
bool healthyPrimary(const View& view) {
  if (!view.leader) return false;
  auto leader = view.members.find(view.leader->node);
  return leader != view.members.end() && leader->second.health == Health::Up &&
         leader->second.role == MemberRole::Primary;
}

bool candidateNamed(const View& view, const std::string& node) {
  auto target = view.members.find(node);
  return target != view.members.end() && isCandidate(target->second);
}

common::Error notACandidate(const std::string& node) {
  return refused(node + " is not a candidate (not running, no score, or not eligible)");
}

}  // namespace

common::Result<Handover> switchoverRequest(const View& view, const std::string& program, const std::string& node) {
  if (view.maintenance) return refused("the cluster is in maintenance");
  if (!view.leader) return refused(program + " has no primary (use failover)");
  const std::string& primary = view.leader->node;
  if (!healthyPrimary(view)) return refused("the primary " + primary + " is not healthy (use failover)");
  if (node == primary) return refused(node + " is already the primary");
  if (!node.empty()) {
    if (!candidateNamed(view, node)) return notACandidate(node);
  } else if (std::none_of(view.members.begin(), view.members.end(),
                          [&](const auto& entry) { return entry.first != primary && isCandidate(entry.second); })) {
    return refused("no other node is a candidate");
  }
  return Handover{primary, node};
}

common::Result<Handover> failoverRequest(const View& view, const std::string& node) {
  if (view.maintenance) return refused("the cluster is in maintenance");
  if (healthyPrimary(view)) return refused("the primary " + view.leader->node + " is healthy (use switchover)");
  if (!candidateNamed(view, node)) return notACandidate(node);
  return Handover{view.leader ? view.leader->node : std::string(), node};
}

}  // namespace cluster
