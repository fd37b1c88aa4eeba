// Where cluster mode keeps its state in etcd, and how the values read back.

#include <catch2/catch.hpp>

#include "supervisord/cluster/cluster_keys.h"

using namespace cluster;
using Kind = ClusterKeys::Located::Kind;

TEST_CASE("cluster keys: the layout under /supervisor-ha/<cluster>/", "[cluster][keys]") {
  const ClusterKeys keys("shop");
  CHECK(keys.prefix() == "/supervisor-ha/shop/");
  CHECK(keys.maintenance() == "/supervisor-ha/shop/maintenance");
  CHECK(keys.leader("db:mysqld") == "/supervisor-ha/shop/programs/db:mysqld/leader");
  CHECK(keys.member("mysqld", "n2") == "/supervisor-ha/shop/programs/mysqld/members/n2");
  CHECK(keys.members("mysqld") == "/supervisor-ha/shop/programs/mysqld/members/");
  CHECK(keys.handover("mysqld") == "/supervisor-ha/shop/programs/mysqld/handover");
}

TEST_CASE("cluster keys: every key says what it is about; others are not ours", "[cluster][keys]") {
  const ClusterKeys keys("shop");
  auto member = keys.locate(keys.member("db:mysqld", "n2"));
  REQUIRE(member);
  CHECK(member->kind == Kind::Member);
  CHECK(member->program == "db:mysqld");
  CHECK(member->node == "n2");
  auto leader = keys.locate(keys.leader("mysqld"));
  REQUIRE(leader);
  CHECK((leader->kind == Kind::Leader && leader->program == "mysqld"));
  CHECK(keys.locate(keys.handover("mysqld"))->kind == Kind::Handover);
  CHECK(keys.locate(keys.maintenance())->kind == Kind::Maintenance);
  for (const char* other : {"/supervisor-ha/shop/", "/supervisor-ha/shop/programs/", "/supervisor-ha/shop/programs//leader",
                            "/supervisor-ha/shop/programs/mysqld", "/supervisor-ha/shop/programs/mysqld/members/",
                            "/supervisor-ha/shop/programs/mysqld/members/n1/x", "/supervisor-ha/shop/programs/mysqld/lock",
                            "/supervisor-ha/other/maintenance", "/elsewhere"}) {
    INFO(other);
    CHECK_FALSE(keys.locate(other));
  }
}

TEST_CASE("cluster keys: values round-trip, and foreign values are ignored", "[cluster][keys]") {
  const Member m{"n2", "10.0.0.2:3306", Health::Up, MemberRole::Replica, -120, false};
  CHECK(decodeMember("n2", encodeMember(m)) == m);
  Member scoreless = m;
  scoreless.score.reset();
  CHECK(decodeMember("n2", encodeMember(scoreless)) == scoreless);
  CHECK(decodeMember("n9", encodeMember(m))->node == "n9");  // the key decides whose entry it is
  Member fresh = m;
  fresh.freshScore = true;
  CHECK(decodeMember("n2", encodeMember(fresh)) == fresh);
  // An entry without "fresh" (written before it existed) is not fresh: its node is waited for.
  CHECK_FALSE(decodeMember("n2", R"({"health":"up","role":"replica","score":5})")->freshScore);

  auto leader = decodeLeader(encodeLeader("n1", "10.0.0.1:3306"));
  REQUIRE(leader);
  CHECK((leader->node == "n1" && leader->address == "10.0.0.1:3306"));

  auto handover = decodeHandover(encodeHandover({"n1", "n3"}));
  REQUIRE(handover);
  CHECK((handover->from == "n1" && handover->to == "n3"));

  for (const char* bad : {"", "on", "[]", "{\"node\":3}", "{", "null"}) {
    INFO(bad);
    CHECK_FALSE(decodeLeader(bad));
  }
  CHECK_FALSE(decodeMember("n1", "not json"));
  // Unknown health or role words read as the safe side: down, replica.
  auto odd = decodeMember("n1", R"({"health":"great","role":"king","score":"7"})");
  REQUIRE(odd);
  CHECK(odd->health == Health::Down);
  CHECK(odd->role == MemberRole::Replica);
  CHECK_FALSE(odd->score);
}
