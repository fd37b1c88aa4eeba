#include "supervisord/rpc/ha_cluster_methods.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/ha_keys.h"
#include "supervisord/daemon/supervisor.h"
#include "supervisord/rpc/dispatcher.h"
#include "supervisord/rpc/faults.h"

namespace rpc {

namespace {

using cluster::ClusterControl;
using supervisord::Supervisor;

Fault notClustered() { return rpcError(Faults::NOT_CLUSTERED, "this supervisord has no [cluster] section"); }

// The cluster agent's refusals as faults: an unknown program is BAD_NAME, an etcd
// failure FAILED, a refusal CLUSTER_MANAGED, the last two with their reason.
Outcome controlOutcome(const common::Result<void>& result, const std::string& program) {
  if (result) return Value(true);
  const common::ErrorKind kind = result.errorKind();
  return rpcError(faultFor(kind), kind == common::ErrorKind::NoSuchProcess ? program : result.error());
}

// Runs one ClusterControl request; the reply waits for its `done`.
template <typename Request>
Reply deferred(const std::string& program, Request request) {
  auto answer = std::make_shared<std::optional<Outcome>>();
  request([answer, program](common::Result<void> result) { *answer = controlOutcome(result, program); });
  if (*answer) return std::visit([](auto&& v) -> Reply { return std::move(v); }, std::move(**answer));
  return Poll{[answer]() { return *answer; }, std::chrono::milliseconds(20)};
}

}  // namespace

// Built member by member: g++ 12 warns (-Wmaybe-uninitialized, wrongly) on nested
// initializer lists of Values.
Value clusterState(const cluster::ClusterReport& report) {
  Value::Array programs;
  for (const auto& program : report.programs) {
    Value::Array members;
    for (const auto& m : program.members) {
      Value::Struct member;
      member[ha_keys::kNode] = m.node;
      member[ha_keys::kAddress] = m.address;
      member[ha_keys::kHealth] = m.health;
      member[ha_keys::kRole] = m.role;
      member[ha_keys::kScore] = m.score ? Value(*m.score) : Value("");
      member[ha_keys::kEligible] = m.eligible;
      members.emplace_back(std::move(member));
    }
    Value::Struct entry;
    entry[ha_keys::kName] = program.name;
    entry[ha_keys::kLeader] = program.leader;
    entry[ha_keys::kLeaderAddress] = program.leaderAddress;
    entry[ha_keys::kPhase] = program.phase;
    entry[ha_keys::kHandover] = program.handover;
    entry[ha_keys::kMembers] = Value(std::move(members));
    programs.emplace_back(std::move(entry));
  }
  Value::Struct state;
  state[ha_keys::kCluster] = report.cluster;
  state[ha_keys::kNode] = report.node;
  state[ha_keys::kAddress] = report.address;
  state[ha_keys::kConnected] = report.connected;
  state[ha_keys::kLeaseTtl] = report.leaseTtl;
  state[ha_keys::kLeaseLeft] = report.leaseLeft;
  state[ha_keys::kMaintenance] = report.maintenance;
  state[ha_keys::kEndpoint] = report.endpoint;
  state[ha_keys::kPrograms] = Value(std::move(programs));
  return Value(std::move(state));
}

const std::vector<MethodDoc>& haClusterMethodDocs() {
  static const std::vector<MethodDoc> docs = {
      {"ha.failover",
       {"boolean", "string", "string"},
       "Make a node the primary of a promotable program when there is no\n"
       "healthy primary. Refused (CLUSTER_MANAGED, 203) while a healthy primary\n"
       "exists (use ha.switchover), in maintenance, or when the node is not a\n"
       "candidate (its copy is not running or has no score). The answer comes\n"
       "once the request is in etcd; the promotion follows.\n"
       "\n"
       "@param string name The promotable program (or 'group:name')\n"
       "@param string node The node to promote\n"
       "@return boolean result     Always True unless error"},
      {"ha.getClusterState",
       {"struct"},
       "Get what this node sees of the cluster: cluster, node, address,\n"
       "connected (its etcd lease is fresh), lease_ttl, lease_left (seconds\n"
       "before it would fence), maintenance, endpoint (the etcd endpoint that\n"
       "answered last) and programs: for each promotable program its name,\n"
       "leader (node, '' when none), leader_address, phase (this node's\n"
       "election phase), handover ('from -> to' of a pending switchover) and\n"
       "members (structs: node, address, health, role, score ('' when none),\n"
       "eligible). Fault NOT_CLUSTERED (204) without a [cluster] section.\n"
       "\n"
       "@return struct result     A structure describing the cluster"},
      {"ha.setMaintenance",
       {"boolean", "boolean"},
       "Turn the cluster's maintenance mode on or off. In maintenance no node\n"
       "takes any automatic action (no election, no demotion, no fencing):\n"
       "operators are in charge.\n"
       "\n"
       "@param boolean on True to turn maintenance on, False to turn it off\n"
       "@return boolean result     Always True unless error"},
      {"ha.switchover",
       {"boolean", "string", "string"},
       "Hand the primary role of a promotable program over, cleanly: the\n"
       "primary demotes and releases the leader key, and the node given (or,\n"
       "with '', the best-scored other candidate) promotes. Refused\n"
       "(CLUSTER_MANAGED, 203) without a healthy primary (use ha.failover), in\n"
       "maintenance, or when the node is not a candidate. The answer comes once\n"
       "the request is in etcd; the handover follows.\n"
       "\n"
       "@param string name The promotable program (or 'group:name')\n"
       "@param string node The node to promote, or '' for the best candidate\n"
       "@return boolean result     Always True unless error"},
  };
  return docs;
}

void addHaClusterMethods(Dispatcher& d, Supervisor& s) {
  d.add("ha.getClusterState", 0, 0, [&s](const Params&) -> Reply {
    ClusterControl* control = s.clusterControl();
    if (!control) return notClustered();
    return clusterState(control->clusterReport());
  });
  d.add("ha.switchover", 1, 2, [&s](const Params& params) -> Reply {
    ClusterControl* control = s.clusterControl();
    if (!control) return notClustered();
    auto name = params.string(0);
    auto node = params.size() > 1 ? params.string(1) : std::optional<std::string>("");
    if (!name || !node) return rpcError(Faults::INCORRECT_PARAMETERS);
    return deferred(*name, [&](ClusterControl::Done done) { control->switchover(*name, *node, std::move(done)); });
  });
  d.add("ha.failover", 2, 2, [&s](const Params& params) -> Reply {
    ClusterControl* control = s.clusterControl();
    if (!control) return notClustered();
    auto name = params.string(0);
    auto node = params.string(1);
    if (!name || !node || node->empty()) return rpcError(Faults::INCORRECT_PARAMETERS);
    return deferred(*name, [&](ClusterControl::Done done) { control->failover(*name, *node, std::move(done)); });
  });
  d.add("ha.setMaintenance", 1, 1, [&s](const Params& params) -> Reply {
    ClusterControl* control = s.clusterControl();
    if (!control) return notClustered();
    const bool on = params.truthy(0, false);
    return deferred("", [&](ClusterControl::Done done) { control->setMaintenance(on, std::move(done)); });
  });
}

}  // namespace rpc
