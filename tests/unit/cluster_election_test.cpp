// The election rules of one promotable program on one node (cluster/election.h),
// driven with a fake clock and hand-made etcd views.

#include <catch2/catch.hpp>

#include "supervisord/cluster/election.h"

using namespace cluster;
using Kind = Action::Kind;

namespace {

Member member(const std::string& node, long long score, Health health = Health::Up,
              MemberRole role = MemberRole::Replica) {
  return Member{node, node + ":3306", health, role, score, true, true};
}

// Scores are fresh (taken for the election under way) unless a test says otherwise.
Local up(long long score) { return Local{Health::Up, score, true, true}; }

Leader leader(const std::string& node, long long revision, bool mine = false) {
  return Leader{node, node + ":3306", revision, mine};
}

std::vector<Kind> kinds(const std::vector<Action>& actions) {
  std::vector<Kind> out;
  for (const auto& a : actions) out.push_back(a.kind);
  return out;
}

ElectionSettings settings(const std::string& node) { return ElectionSettings{node, 0.5, 10, false}; }

// Runs n1's election from "no leader" to Primary; returns the view with n1's key.
View electN1(Election& e, double& now) {
  View view;
  view.members = {{"n1", member("n1", 0)}, {"n2", member("n2", -5)}};
  REQUIRE(kinds(e.observe(view, up(0), now)) == std::vector<Kind>{Kind::RefreshScore});
  now += 0.5;
  REQUIRE(kinds(e.observe(view, up(0), now)) == std::vector<Kind>{Kind::Acquire});
  view.leader = leader("n1", 7, true);
  REQUIRE(kinds(e.acquired(true, view, up(0), now)) == std::vector<Kind>{Kind::Promote});
  CHECK(e.role() == MemberRole::Promoting);
  REQUIRE(kinds(e.promoted(true, view, up(0), now)) == std::vector<Kind>{Kind::Route});
  REQUIRE(e.role() == MemberRole::Primary);
  return view;
}

}  // namespace

TEST_CASE("election: without a leader the best candidate settles, takes the key, promotes, then routes",
          "[cluster][election]") {
  Election e(settings("n1"));
  double now = 100;
  electN1(e, now);
  CHECK(e.phaseName() == "primary");
}

TEST_CASE("election: a candidate waits the whole settle before it tries", "[cluster][election]") {
  Election e(settings("n1"));
  View view;
  view.members = {{"n1", member("n1", 0)}};
  CHECK(kinds(e.observe(view, up(0), 100)) == std::vector<Kind>{Kind::RefreshScore});
  CHECK(e.nextDeadline(100) == Approx(100.5));
  CHECK(e.observe(view, up(0), 100.4).empty());
  CHECK(kinds(e.observe(view, up(0), 100.5)) == std::vector<Kind>{Kind::Acquire});
}

TEST_CASE("election: after settle, a candidate waits for every candidate's election score, then decides on them",
          "[cluster][election]") {
  Election e(settings("n1"));  // settle 0.5, scoreWait 10
  View view;
  Member n2 = member("n2", -5);
  n2.freshScore = false;  // n2's score_command for this election has not answered yet
  view.members = {{"n1", member("n1", 0)}, {"n2", n2}};
  Local mine = up(0);
  mine.freshScore = false;
  REQUIRE(kinds(e.observe(view, mine, 100)) == std::vector<Kind>{Kind::RefreshScore});
  CHECK(e.observe(view, mine, 100.5).empty());  // neither score is fresh
  CHECK(e.phaseName() == "settling");
  CHECK(e.nextDeadline(100.5) == Approx(110.5));  // settle + scoreWait at most
  mine.freshScore = true;
  CHECK(e.observe(view, mine, 100.6).empty());  // n2's still missing
  // n2's election score says it received more than it had told before: it is the best.
  view.members["n2"] = member("n2", 3);
  CHECK(e.observe(view, mine, 100.7).empty());
  CHECK(e.phaseName() == "replica");
}

TEST_CASE("election: a candidate whose score never comes is waited for settle + scoreWait, no longer",
          "[cluster][election]") {
  Election e(settings("n1"));
  View view;
  Member n2 = member("n2", -5);
  n2.freshScore = false;
  view.members = {{"n1", member("n1", 0)}, {"n2", n2}};
  REQUIRE(kinds(e.observe(view, up(0), 100)) == std::vector<Kind>{Kind::RefreshScore});
  CHECK(e.observe(view, up(0), 110.4).empty());
  CHECK(kinds(e.observe(view, up(0), 110.5)) == std::vector<Kind>{Kind::Acquire});
}

TEST_CASE("election: an Acquire refused for a view behind etcd is decided again on the view that caught up",
          "[cluster][election]") {
  Election e(settings("n1"));
  View view;
  view.members = {{"n1", member("n1", 0)}, {"n2", member("n2", -5)}};
  REQUIRE(kinds(e.observe(view, up(0), 100)) == std::vector<Kind>{Kind::RefreshScore});
  REQUIRE(kinds(e.observe(view, up(0), 100.5)) == std::vector<Kind>{Kind::Acquire});
  CHECK(e.observe(view, up(0), 100.6).empty());  // waiting for the outcome
  // Nothing changed that matters: it tries again at once.
  CHECK(kinds(e.reconsider(view, up(0), 100.7)) == std::vector<Kind>{Kind::Acquire});
  // n2's entry had a better score the view had not seen yet: n2's election.
  view.members["n2"] = member("n2", 5);
  CHECK(e.reconsider(view, up(0), 100.8).empty());
  CHECK(e.phaseName() == "replica");
  CHECK(e.reconsider(view, up(0), 100.9).empty());  // only an Acquire in flight is reconsidered
}

TEST_CASE("election: a worse candidate does not try, and follows the winner", "[cluster][election]") {
  Election e(settings("n2"));
  View view;
  view.members = {{"n1", member("n1", 0)}, {"n2", member("n2", -5)}};
  e.observe(view, up(-5), 100);
  CHECK(e.observe(view, up(-5), 100.5).empty());
  CHECK(e.role() == MemberRole::Replica);
  view.leader = leader("n1", 7);
  view.members["n1"].role = MemberRole::Promoting;
  CHECK(e.observe(view, up(-5), 100.6).empty());  // not while it is still promoting
  view.members["n1"].role = MemberRole::Primary;
  auto actions = e.observe(view, up(-5), 100.6);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].kind == Kind::Follow);
  CHECK(actions[0].node == "n1");
  CHECK(actions[0].address == "n1:3306");
  e.followed(true, "n1", 7);
  CHECK(e.observe(view, up(-5), 101).empty());  // once per tenure
}

TEST_CASE("election: once the winner holds the key, the next election does not wait out the last one's hold-off",
          "[cluster][election]") {
  Election e(settings("n2"));
  View view;
  view.members = {{"n1", member("n1", 0)}, {"n2", member("n2", -5)}};
  e.observe(view, up(-5), 100);
  CHECK(e.observe(view, up(-5), 100.5).empty());  // n1 is the better one: n2 holds off
  CHECK(e.nextDeadline(100.5) == Approx(102));     // settle + 1 s, in case n1 never takes it
  view.leader = leader("n1", 7);
  view.members["n1"].role = MemberRole::Primary;
  e.observe(view, up(-5), 100.6);
  e.followed(true, "n1", 7);
  // n1 fails at once; its entry goes with its key: n2 is now the only candidate.
  view.leader.reset();
  view.members.erase("n1");
  CHECK(kinds(e.observe(view, up(-5), 100.7)) == std::vector<Kind>{Kind::RefreshScore});
  CHECK(kinds(e.observe(view, up(-5), 101.2)) == std::vector<Kind>{Kind::Acquire});
}

TEST_CASE("election: equal scores go to the smallest node name", "[cluster][election]") {
  View view;
  view.members = {{"n1", member("n1", 0)}, {"n2", member("n2", 0)}, {"n3", member("n3", 0)}};
  Election n2(settings("n2"));
  n2.observe(view, up(0), 100);
  CHECK(n2.observe(view, up(0), 101).empty());
  Election n1(settings("n1"));
  n1.observe(view, up(0), 100);
  CHECK(kinds(n1.observe(view, up(0), 101)) == std::vector<Kind>{Kind::Acquire});
}

TEST_CASE("election: only a running program with a score and quorum is a candidate", "[cluster][election]") {
  View view;
  for (Local local : {Local{Health::Recovering, 0, true}, Local{Health::Up, std::nullopt, true},
                      Local{Health::Up, 0, false}, Local{Health::Down, 0, true}}) {
    Election e(settings("n1"));
    CHECK(e.observe(view, local, 100).empty());
    CHECK(e.observe(view, local, 200).empty());
  }
  // Nor are other nodes' entries that are not up, scoreless or ineligible.
  Election e(settings("n1"));
  view.members = {{"n2", member("n2", 50, Health::Recovering)},
                  {"n3", Member{"n3", "", Health::Up, MemberRole::Replica, std::nullopt, true}},
                  {"n4", Member{"n4", "", Health::Up, MemberRole::Replica, 90, false}}};
  e.observe(view, up(-100), 100);
  CHECK(kinds(e.observe(view, up(-100), 101)) == std::vector<Kind>{Kind::Acquire});
}

TEST_CASE("election: losing the race means following the winner", "[cluster][election]") {
  Election e(settings("n1"));
  View view;
  e.observe(view, up(0), 100);
  e.observe(view, up(0), 101);
  view.leader = leader("n3", 9);
  view.members = {{"n3", member("n3", 5, Health::Up, MemberRole::Primary)}};
  auto actions = e.acquired(false, view, up(0), 101.1);
  CHECK(kinds(actions) == std::vector<Kind>{Kind::Follow});
  CHECK(e.role() == MemberRole::Replica);
}

TEST_CASE("election: a primary that loses quorum fences; with freeze it stays primary", "[cluster][election]") {
  for (bool freeze : {false, true}) {
    INFO("freeze " << freeze);
    ElectionSettings s = settings("n1");
    s.freezeWithoutQuorum = freeze;
    Election e(s);
    double now = 100;
    View view = electN1(e, now);
    Local lost = up(0);
    lost.quorum = false;
    CHECK(kinds(e.observe(view, lost, now + 1)) == std::vector<Kind>{Kind::Fence});
    CHECK(e.role() == (freeze ? MemberRole::Primary : MemberRole::Replica));
    CHECK(e.observe(view, lost, now + 2).empty());  // once
    // Quorum returns while the key is still ours: frozen carries on, demoted gives it up.
    auto back = e.observe(view, up(0), now + 3);
    if (freeze) {
      CHECK(kinds(back) == std::vector<Kind>{Kind::Unfence});
      CHECK(e.role() == MemberRole::Primary);
    } else {
      REQUIRE(kinds(back) == std::vector<Kind>{Kind::Unfence, Kind::Release});
      CHECK(back[1].revision == 7);
      CHECK(e.role() == MemberRole::Replica);
    }
  }
}

TEST_CASE("election: a primary whose program is down releases the key at once", "[cluster][election]") {
  Election e(settings("n1"));
  double now = 100;
  View view = electN1(e, now);
  auto actions = e.observe(view, Local{Health::Down, std::nullopt, true}, now + 1);
  REQUIRE(kinds(actions) == std::vector<Kind>{Kind::Release});
  CHECK(actions[0].revision == 7);
  CHECK(e.role() == MemberRole::Replica);
}

TEST_CASE("election: a primary not running again within primary_start_timeout gives the key to the election",
          "[cluster][election]") {
  const Local recovering{Health::Recovering, std::nullopt, true};
  SECTION("0: at once") {
    ElectionSettings s = settings("n1");
    s.primaryStartTimeout = 0;
    Election e(s);
    double now = 100;
    View view = electN1(e, now);
    auto actions = e.observe(view, recovering, now + 1);
    REQUIRE(kinds(actions) == std::vector<Kind>{Kind::Release});
    CHECK(actions[0].revision == 7);
    CHECK(e.role() == MemberRole::Replica);
  }
  SECTION("5 s: kept while it restarts, given up when the time is out") {
    ElectionSettings s = settings("n1");
    s.primaryStartTimeout = 5;
    Election e(s);
    double now = 100;
    View view = electN1(e, now);
    CHECK(e.observe(view, recovering, 101).empty());
    CHECK(e.nextDeadline(101) == Approx(106));
    CHECK(e.observe(view, recovering, 105.9).empty());
    CHECK(kinds(e.observe(view, recovering, 106)) == std::vector<Kind>{Kind::Release});
  }
  SECTION("5 s: back in time, promoted again, and the next crash gets 5 s of its own") {
    ElectionSettings s = settings("n1");
    s.primaryStartTimeout = 5;
    Election e(s);
    double now = 100;
    View view = electN1(e, now);
    CHECK(e.observe(view, recovering, 101).empty());
    REQUIRE(kinds(e.observe(view, up(0), 104)) == std::vector<Kind>{Kind::Promote});
    REQUIRE(kinds(e.promoted(true, view, up(0), 104.1)) == std::vector<Kind>{Kind::Route});
    CHECK(e.observe(view, recovering, 200).empty());
    CHECK(e.observe(view, recovering, 204.9).empty());
    CHECK(kinds(e.observe(view, recovering, 205)) == std::vector<Kind>{Kind::Release});
  }
}

TEST_CASE("election: a primary restarted locally keeps the key and is promoted again", "[cluster][election]") {
  Election e(settings("n1"));
  double now = 100;
  View view = electN1(e, now);
  CHECK(e.observe(view, Local{Health::Recovering, std::nullopt, true}, now + 1).empty());
  CHECK(e.role() == MemberRole::Primary);
  CHECK(kinds(e.observe(view, up(0), now + 2)) == std::vector<Kind>{Kind::Promote});
  CHECK(kinds(e.promoted(true, view, up(0), now + 3)) == std::vector<Kind>{Kind::Route});
}

TEST_CASE("election: a primary that finds its key gone demotes without releasing", "[cluster][election]") {
  Election e(settings("n1"));
  double now = 100;
  View view = electN1(e, now);
  view.leader.reset();
  CHECK(kinds(e.observe(view, up(0), now + 1)) == std::vector<Kind>{Kind::Demote});
  CHECK(e.role() == MemberRole::Demoting);
  CHECK(e.observe(view, up(0), now + 2).empty());  // waits for the hook
  CHECK(kinds(e.demoted(true, view, up(0), now + 3)) == std::vector<Kind>{Kind::RefreshScore});
}

TEST_CASE("election: a switchover demotes, releases, and the target wins", "[cluster][election]") {
  Election e(settings("n1"));
  double now = 100;
  View view = electN1(e, now);
  view.handover = Handover{"n1", "n3"};
  CHECK(kinds(e.observe(view, up(0), now + 1)) == std::vector<Kind>{Kind::Demote});
  auto after = e.demoted(true, view, up(0), now + 2);
  REQUIRE(kinds(after).at(0) == Kind::Release);
  view.leader.reset();
  // n1 is excluded; n3 is chosen over a better-scored n2.
  view.members = {{"n1", member("n1", 10)}, {"n2", member("n2", 5)}, {"n3", member("n3", -1)}};
  Election n2(settings("n2"));
  Election n3(settings("n3"));
  n2.observe(view, up(5), now);
  n3.observe(view, up(-1), now);
  CHECK(n2.observe(view, up(5), now + 1).empty());
  CHECK(kinds(n3.observe(view, up(-1), now + 1)) == std::vector<Kind>{Kind::Acquire});
  view.leader = leader("n3", 12, true);
  n3.acquired(true, view, up(-1), now + 1);
  CHECK(kinds(n3.promoted(true, view, up(-1), now + 2)) == std::vector<Kind>{Kind::Route, Kind::ClearHandover});
}

TEST_CASE("election: a handover to an ineligible target goes to the best other candidate", "[cluster][election]") {
  View view;
  view.handover = Handover{"n1", "n9"};
  view.members = {{"n1", member("n1", 10)}, {"n2", member("n2", 5)}, {"n3", member("n3", -1)}};
  Election n2(settings("n2"));
  n2.observe(view, up(5), 100);
  CHECK(kinds(n2.observe(view, up(5), 101)) == std::vector<Kind>{Kind::Acquire});
}

TEST_CASE("election: a failed promotion gives the key back and sits out a while", "[cluster][election]") {
  Election e(settings("n1"));
  View view;
  e.observe(view, up(0), 100);
  e.observe(view, up(0), 100.5);
  view.leader = leader("n1", 7, true);
  e.acquired(true, view, up(0), 100.5);
  CHECK(kinds(e.promoted(false, view, up(0), 101)) == std::vector<Kind>{Kind::Demote});
  CHECK_FALSE(e.eligible(101));
  auto after = e.demoted(true, view, up(0), 102);
  REQUIRE(kinds(after) == std::vector<Kind>{Kind::Release});
  view.leader.reset();
  CHECK(e.observe(view, up(0), 105).empty());          // not a candidate yet
  CHECK(e.nextDeadline(105) == Approx(111));
  CHECK(kinds(e.observe(view, up(0), 111)) == std::vector<Kind>{Kind::RefreshScore});
}

TEST_CASE("election: a program that dies during its promotion is demoted and the key given back",
          "[cluster][election]") {
  Election e(settings("n1"));
  View view;
  e.observe(view, up(0), 100);
  e.observe(view, up(0), 100.5);
  view.leader = leader("n1", 7, true);
  e.acquired(true, view, up(0), 100.5);
  const Local died{Health::Recovering, std::nullopt, true};
  CHECK(kinds(e.promoted(true, view, died, 101)) == std::vector<Kind>{Kind::Demote});
  auto after = e.demoted(true, view, died, 102);
  REQUIRE(kinds(after) == std::vector<Kind>{Kind::Release});
  CHECK(after[0].revision == 7);
  CHECK(e.role() == MemberRole::Replica);
}

TEST_CASE("election: a primary that cannot be demoted is stopped", "[cluster][election]") {
  Election e(settings("n1"));
  double now = 100;
  View view = electN1(e, now);
  view.handover = Handover{"n1", ""};
  e.observe(view, up(0), now + 1);
  auto after = e.demoted(false, view, up(0), now + 2);
  REQUIRE(after.size() >= 2);
  CHECK(after[0].kind == Kind::StopProgram);
  CHECK(after[1].kind == Kind::Release);
}

TEST_CASE("election: in maintenance nothing happens automatically", "[cluster][election]") {
  Election e(settings("n1"));
  double now = 100;
  View view = electN1(e, now);
  view.maintenance = true;
  view.leader.reset();
  CHECK(e.observe(view, Local{Health::Down, std::nullopt, false}, now + 1).empty());
  CHECK(e.role() == MemberRole::Primary);
}

TEST_CASE("election: a replica holding a stale key of its own releases it once", "[cluster][election]") {
  Election e(settings("n1"));
  View view;
  view.leader = leader("n1", 3, true);
  auto actions = e.observe(view, up(0), 100);
  REQUIRE(kinds(actions) == std::vector<Kind>{Kind::Release});
  CHECK(actions[0].revision == 3);
  CHECK(e.observe(view, up(0), 100.1).empty());
}

TEST_CASE("election: with min_candidates, too few candidates in sight elect nobody", "[cluster][election]") {
  ElectionSettings two = settings("n2");
  two.minCandidates = 2;
  Election e(two);
  View view;
  view.members = {{"n2", member("n2", -5)}};  // n1 (the old primary) gone, n3 down
  double now = 100;
  REQUIRE(kinds(e.observe(view, up(-5), now)) == std::vector<Kind>{Kind::RefreshScore});
  now += 0.5;
  CHECK(e.observe(view, up(-5), now).empty());  // alone: no Acquire
  CHECK(e.role() == MemberRole::Replica);
  // n3 comes back with less: now two can be compared, and n2 is the best.
  view.members["n3"] = member("n3", -10);
  now += 2;
  REQUIRE(kinds(e.observe(view, up(-5), now)) == std::vector<Kind>{Kind::RefreshScore});
  now += 0.5;
  CHECK(kinds(e.observe(view, up(-5), now)) == std::vector<Kind>{Kind::Acquire});
}

TEST_CASE("election: a release etcd did not carry out is asked for again", "[cluster][election]") {
  Election e(settings("n1"));
  double now = 100;
  View view = electN1(e, now);
  // The primary's program goes down while etcd has no quorum: the release fails.
  REQUIRE(kinds(e.observe(view, Local{Health::Down, std::nullopt, true}, now + 1)) == std::vector<Kind>{Kind::Release});
  CHECK(e.observe(view, Local{Health::Down, std::nullopt, true}, now + 1.1).empty());  // one at a time
  e.releaseFailed();
  auto again = e.observe(view, Local{Health::Down, std::nullopt, true}, now + 2);
  REQUIRE(kinds(again) == std::vector<Kind>{Kind::Release});
  CHECK(again[0].revision == 7);
}

TEST_CASE("election: a key naming this node under an older lease is a stale view, never followed",
          "[cluster][election]") {
  Election e(settings("n1"));
  View view;
  view.leader = leader("n1", 3, false);  // not under this node's current lease
  view.members = {{"n1", member("n1", 0, Health::Up, MemberRole::Primary)}};
  CHECK(e.observe(view, up(0), 100).empty());
  // Once the view shows the real leader, it follows that one.
  view.leader = leader("n2", 9);
  view.members["n2"] = member("n2", 0, Health::Up, MemberRole::Primary);
  CHECK(kinds(e.observe(view, up(0), 101)) == std::vector<Kind>{Kind::Follow});
}

TEST_CASE("election: a replica whose program restarted follows the primary again", "[cluster][election]") {
  Election e(settings("n2"));
  View view;
  view.leader = leader("n1", 7);
  view.members = {{"n1", member("n1", 0, Health::Up, MemberRole::Primary)}};
  CHECK(kinds(e.observe(view, up(0), 100)) == std::vector<Kind>{Kind::Follow});
  e.followed(true, "n1", 7);
  CHECK(e.observe(view, Local{Health::Recovering, std::nullopt, true}, 101).empty());
  CHECK(kinds(e.observe(view, up(0), 102)) == std::vector<Kind>{Kind::Follow});
  // A failed follow is tried again at the next change.
  e.followed(false, "n1", 7);
  CHECK(kinds(e.observe(view, up(0), 103)) == std::vector<Kind>{Kind::Follow});
}

TEST_CASE("election: notify_command's pre and post for each role change", "[cluster][election]") {
  using N = std::vector<Notification>;
  CHECK(notificationsFor(MemberRole::Replica, MemberRole::Promoting) == N{{"pre", "promote"}});
  CHECK(notificationsFor(MemberRole::Promoting, MemberRole::Primary) == N{{"post", "promote"}});
  CHECK(notificationsFor(MemberRole::Primary, MemberRole::Demoting) == N{{"pre", "demote"}});
  CHECK(notificationsFor(MemberRole::Demoting, MemberRole::Replica) == N{{"post", "demote"}});
  CHECK(notificationsFor(MemberRole::Primary, MemberRole::Replica) == N{{"pre", "demote"}, {"post", "demote"}});
  CHECK(notificationsFor(std::nullopt, MemberRole::Replica).empty());
  CHECK(notificationsFor(MemberRole::Replica, MemberRole::Replica).empty());
}
