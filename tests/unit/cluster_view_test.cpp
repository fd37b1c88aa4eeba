// What `supervisorctl cluster` prints for an ha.getClusterState answer.

#include <catch2/catch.hpp>

#include "supervisorctl/cluster_view.h"

using common::xmlrpc::Value;
using namespace supervisorctl;

namespace {

Value member(const std::string& node, const std::string& health, const std::string& role, Value score,
             bool eligible = true) {
  return Value(Value::Struct{{"node", node},      {"address", "10.0.0." + node.substr(1) + ":3306"},
                             {"health", health},  {"role", role},
                             {"score", score},    {"eligible", eligible}});
}

Value state() {
  Value::Array members = {member("n1", "up", "primary", Value(0)), member("n2", "up", "replica", Value(-120)),
                          member("n3", "recovering", "replica", Value(""), false)};
  Value::Array programs = {Value(Value::Struct{{"name", "mysqld"},
                                               {"leader", "n1"},
                                               {"leader_address", "10.0.0.1:3306"},
                                               {"phase", "replica"},
                                               {"handover", ""},
                                               {"members", Value(members)}})};
  return Value(Value::Struct{{"cluster", "shop"},        {"node", "n2"},
                             {"address", "10.0.0.2:3306"}, {"connected", true},
                             {"lease_ttl", 10.0},        {"lease_left", 8.25},
                             {"maintenance", false},     {"endpoint", "http://10.0.0.9:2379"},
                             {"programs", Value(programs)}});
}

}  // namespace

TEST_CASE("cluster view: nodes, roles, scores and the lease", "[supervisorctl][cluster]") {
  const ClusterView view = decodeClusterState(state());
  CHECK(formatCluster(view) ==
        std::vector<std::string>{
            "cluster shop  node n2 (10.0.0.2:3306)  connected, lease 8.2s of 10.0s  etcd http://10.0.0.9:2379",
            "mysqld  primary n1 (10.0.0.1:3306)  (this node: replica)",
            "  n1  10.0.0.1:3306  up          primary  score 0",
            "  n2  10.0.0.2:3306  up          replica  score -120",
            "  n3  10.0.0.3:3306  recovering  replica  score none  not eligible",
        });
  CHECK(primaryOf(view, "mysqld") == "n1");
  CHECK(primaryOf(view, "other").empty());
}

TEST_CASE("cluster view: maintenance, no primary, a handover, not connected", "[supervisorctl][cluster]") {
  Value s = state();
  Value::Struct fields = s.asStruct();
  fields["maintenance"] = true;
  fields["connected"] = false;
  Value::Struct program = fields["programs"].asArray()[0].asStruct();
  program["leader"] = "";
  program["handover"] = "n1 -> n3";
  program["members"] = Value(Value::Array{});
  fields["programs"] = Value(Value::Array{Value(program)});
  const ClusterView view = decodeClusterState(Value(fields));
  CHECK(formatCluster(view) == std::vector<std::string>{
                                   "cluster shop  node n2 (10.0.0.2:3306)  NOT CONNECTED  etcd http://10.0.0.9:2379",
                                   "maintenance on: no automatic action",
                                   "mysqld  no primary  handover n1 -> n3  (this node: replica)",
                               });
  CHECK(primaryOf(view, "mysqld").empty());
}

TEST_CASE("cluster view: mistyped members read as empty", "[supervisorctl][cluster]") {
  const ClusterView view = decodeClusterState(Value(Value::Struct{{"cluster", 3}, {"programs", "x"}}));
  CHECK(view.cluster.empty());
  CHECK(view.programs.empty());
}
