#pragma once
// LeaseTimes: what this node can tell of its etcd lease from its own steady clock, without
// asking etcd. Pure: times in, answers out (the tests drive it with a fake clock).
//
// A grant, or a renewal confirmed by etcd, sent at t means etcd keeps the lease until
// t + lease_ttl at least (the TTL restarted no earlier than t). From the latest such t:
//   quorum    until t + lease_ttl - fence_margin: a primary may go on acting as one; then
//             it fences (no_quorum_policy), fence_margin before anyone else can win the key;
//   overdue   from t + lease_ttl: the lease may be gone in etcd, and renewals that still
//             reach etcd unanswered would keep it (and a fenced primary's key) alive, so
//             the node gives it up;
//   keepalive every (lease_ttl - fence_margin) / 3, at least 0.1 s: three tries per fence.

namespace cluster {

class LeaseTimes {
 public:
  LeaseTimes(double leaseTtl, double fenceMargin) : ttl_(leaseTtl), margin_(fenceMargin) {}

  void granted(double sentAt) { renewedAt_ = sentAt; }  // a new lease
  void renewed(double sentAt);                           // an older renewal changes nothing

  double lastRenewal() const { return renewedAt_; }
  double fenceWindow() const { return ttl_ - margin_; }
  double fenceAt() const { return renewedAt_ + fenceWindow(); }
  bool quorum(double now) const { return now < fenceAt(); }
  bool overdue(double now) const { return now >= renewedAt_ + ttl_; }
  double left(double now) const;  // seconds the lease lasts at least (0 when overdue)
  double keepaliveInterval() const;

 private:
  double ttl_;
  double margin_;
  double renewedAt_ = 0;
};

}  // namespace cluster
