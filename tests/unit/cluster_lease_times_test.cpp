// What a node tells of its etcd lease from its own clock (cluster/lease_times.h), on a
// fake clock: lease_ttl 3, fence_margin 1 unless a test says otherwise.

#include <catch2/catch.hpp>

#include "supervisord/cluster/lease_times.h"

using cluster::LeaseTimes;

TEST_CASE("lease times: quorum lasts lease_ttl - fence_margin after the renewal was sent, not answered",
          "[cluster][lease]") {
  LeaseTimes t(3, 1);
  t.granted(100);
  CHECK(t.quorum(101.99));
  CHECK_FALSE(t.quorum(102));  // the fence comes fence_margin before etcd could expire it
  CHECK(t.fenceAt() == Approx(102));
  t.renewed(101.5);  // sent at 101.5, answered later: counts from when it was sent
  CHECK(t.quorum(103.49));
  CHECK_FALSE(t.quorum(103.5));
  CHECK(t.left(102) == Approx(2.5));
}

TEST_CASE("lease times: an answer to an older renewal arriving late changes nothing", "[cluster][lease]") {
  LeaseTimes t(3, 1);
  t.granted(100);
  t.renewed(101);
  t.renewed(100.5);  // sent before the last one, answered after it
  CHECK(t.lastRenewal() == Approx(101));
  CHECK(t.fenceAt() == Approx(103));
}

TEST_CASE("lease times: with no renewal confirmed for lease_ttl the lease is overdue (given up)",
          "[cluster][lease]") {
  LeaseTimes t(3, 1);
  t.granted(100);
  CHECK_FALSE(t.overdue(102.99));
  CHECK(t.overdue(103));  // renewals may still reach etcd unanswered: this node stops counting on it
  CHECK(t.left(104) == 0);
  t.granted(104);  // a new lease starts afresh, even before the old renewal time
  CHECK_FALSE(t.overdue(104.5));
  CHECK(t.quorum(104.5));
}

TEST_CASE("lease times: three keepalives per fence window, never faster than 0.1 s", "[cluster][lease]") {
  CHECK(LeaseTimes(10, 3).keepaliveInterval() == Approx(7.0 / 3));
  CHECK(LeaseTimes(3, 1).keepaliveInterval() == Approx(2.0 / 3));
  CHECK(LeaseTimes(2, 1.9).keepaliveInterval() == Approx(0.1));
}
