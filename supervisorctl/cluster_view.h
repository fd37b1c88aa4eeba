#pragma once
// What `supervisorctl cluster` shows: ha.getClusterState decoded without trusting
// its types (a missing or mistyped member reads as "", 0 or absent) and formatted.
// Pure: the text depends on nothing but the argument.
//
//   cluster <name>  node <node> (<address>)  <connected, lease <left>s of <ttl>s|NOT CONNECTED>  etcd <endpoint>
//   [maintenance on: no automatic action]
//   <program>  primary <node> (<address>)|no primary  [handover <from> -> <to>]  (this node: <phase>)
//     <node>  <address>  <health>  <role>  score <n|none>[  not eligible]
//   (the member lines' columns are padded to the widest value)

#include <optional>
#include <string>
#include <vector>

#include "common/xmlrpc_value.h"

namespace supervisorctl {

struct ClusterView {
  struct Member {
    std::string node, address, health, role;
    std::optional<long long> score;
    bool eligible = true;
  };
  struct Program {
    std::string name, leader, leaderAddress, phase, handover;
    std::vector<Member> members;
  };
  std::string cluster, node, address, endpoint;
  bool connected = false;
  double leaseTtl = 0;
  double leaseLeft = 0;
  bool maintenance = false;
  std::vector<Program> programs;
};

ClusterView decodeClusterState(const common::xmlrpc::Value& state);
std::vector<std::string> formatCluster(const ClusterView& view);

// The program's member with role "primary" (after a switchover: the new one), or "".
std::string primaryOf(const ClusterView& view, const std::string& program);

}  // namespace supervisorctl
