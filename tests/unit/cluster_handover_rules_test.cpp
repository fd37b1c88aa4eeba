// Which switchovers and failovers an operator may ask for (cluster/handover_rules.h), and
// the health a node publishes from its program's state (cluster/program_health.h).

#include <catch2/catch.hpp>

#include "supervisord/cluster/handover_rules.h"
#include "supervisord/cluster/program_health.h"

using namespace cluster;
using process::ProcessState;

namespace {

Member member(const std::string& node, MemberRole role = MemberRole::Replica, Health health = Health::Up,
              std::optional<long long> score = 0) {
  return Member{node, node + ":3306", health, role, score, true, false};
}

// n1 the healthy primary, n2 and n3 replicas that may take over.
View healthy() {
  View view;
  view.leader = Leader{"n1", "n1:3306", 7, false};
  view.members = {{"n1", member("n1", MemberRole::Primary)}, {"n2", member("n2")}, {"n3", member("n3")}};
  return view;
}

std::string refusal(const common::Result<Handover>& result) {
  REQUIRE_FALSE(result);
  CHECK(result.errorKind() == common::ErrorKind::ClusterManaged);
  return result.error();
}

}  // namespace

TEST_CASE("handover rules: a switchover goes from the healthy primary to a named candidate or the best",
          "[cluster][handover]") {
  auto named = switchoverRequest(healthy(), "db", "n3");
  REQUIRE(named);
  CHECK((named->from == "n1" && named->to == "n3"));
  auto best = switchoverRequest(healthy(), "db", "");
  REQUIRE(best);
  CHECK((best->from == "n1" && best->to.empty()));
}

TEST_CASE("handover rules: what a switchover is refused for, in words", "[cluster][handover]") {
  View view = healthy();
  view.maintenance = true;
  CHECK(refusal(switchoverRequest(view, "db", "n2")) == "the cluster is in maintenance");

  view = healthy();
  view.leader.reset();
  CHECK(refusal(switchoverRequest(view, "db", "n2")) == "db has no primary (use failover)");

  view = healthy();
  view.members["n1"].role = MemberRole::Promoting;  // not done promoting
  CHECK(refusal(switchoverRequest(view, "db", "n2")) == "the primary n1 is not healthy (use failover)");
  view = healthy();
  view.members["n1"].health = Health::Recovering;
  CHECK(refusal(switchoverRequest(view, "db", "n2")) == "the primary n1 is not healthy (use failover)");

  CHECK(refusal(switchoverRequest(healthy(), "db", "n1")) == "n1 is already the primary");
  CHECK(refusal(switchoverRequest(healthy(), "db", "n9")) ==
        "n9 is not a candidate (not running, no score, or not eligible)");
  view = healthy();
  view.members["n2"].score.reset();
  CHECK(refusal(switchoverRequest(view, "db", "n2")) ==
        "n2 is not a candidate (not running, no score, or not eligible)");

  view = healthy();
  view.members["n2"].eligible = false;
  view.members["n3"].health = Health::Down;
  CHECK(refusal(switchoverRequest(view, "db", "")) == "no other node is a candidate");
}

TEST_CASE("handover rules: a failover promotes a candidate only when there is no healthy primary",
          "[cluster][handover]") {
  CHECK(refusal(failoverRequest(healthy(), "n2")) == "the primary n1 is healthy (use switchover)");

  View down = healthy();
  down.members["n1"].health = Health::Down;
  auto fromDown = failoverRequest(down, "n2");
  REQUIRE(fromDown);
  CHECK((fromDown->from == "n1" && fromDown->to == "n2"));

  View none = healthy();
  none.leader.reset();
  none.members.erase("n1");
  auto fromNone = failoverRequest(none, "n3");
  REQUIRE(fromNone);
  CHECK((fromNone->from.empty() && fromNone->to == "n3"));
  CHECK(refusal(failoverRequest(none, "n1")) == "n1 is not a candidate (not running, no score, or not eligible)");

  none.maintenance = true;
  CHECK(refusal(failoverRequest(none, "n3")) == "the cluster is in maintenance");
}

TEST_CASE("program health: every process state, and EXITED with and without a restart coming",
          "[cluster][handover]") {
  CHECK(healthOf(ProcessState::Running, false) == Health::Up);
  for (ProcessState s : {ProcessState::Starting, ProcessState::Backoff, ProcessState::Stopping})
    CHECK(healthOf(s, false) == Health::Recovering);
  CHECK(healthOf(ProcessState::Exited, true) == Health::Recovering);
  CHECK(healthOf(ProcessState::Exited, false) == Health::Down);
  for (ProcessState s : {ProcessState::Stopped, ProcessState::Fatal, ProcessState::Unknown})
    CHECK(healthOf(s, false) == Health::Down);
}
