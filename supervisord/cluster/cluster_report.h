#pragma once
// ClusterReport: what this node sees of the cluster right now, for ha.getClusterState
// and `supervisorctl cluster`. A snapshot of plain values, taken on the loop.

#include <optional>
#include <string>
#include <vector>

namespace cluster {

struct MemberReport {
  std::string node;
  std::string address;
  std::string health;            // "up", "recovering", "down"
  std::string role;              // "replica", "promoting", "primary", "demoting"
  std::optional<long long> score;  // nullopt: never promote
  bool eligible = true;          // false for a while after a failed promotion
};

// One promotable program.
struct ProgramReport {
  std::string name;           // namespec
  std::string leader;         // node holding the leader key; "" = none
  std::string leaderAddress;
  std::string phase;          // this node's election phase: "replica", "settling", "primary", …
  std::string handover;       // "from -> to" of a pending switchover/failover; "" = none
  std::vector<MemberReport> members;  // by node name
};

struct ClusterReport {
  std::string cluster;
  std::string node;
  std::string address;
  bool connected = false;    // this node's lease is fresh (it has quorum)
  double leaseTtl = 0;
  double leaseLeft = 0;      // seconds before this node would fence (0 when not connected)
  bool maintenance = false;
  std::string endpoint;      // the etcd endpoint that answered last
  std::vector<ProgramReport> programs;
};

}  // namespace cluster
