#include "supervisord/cluster/election.h"

#include <algorithm>

namespace cluster {

std::string healthName(Health health) {
  switch (health) {
    case Health::Up: return "up";
    case Health::Recovering: return "recovering";
    case Health::Down: return "down";
  }
  return "down";
}

std::string roleName(MemberRole role) {
  switch (role) {
    case MemberRole::Replica: return "replica";
    case MemberRole::Promoting: return "promoting";
    case MemberRole::Primary: return "primary";
    case MemberRole::Demoting: return "demoting";
  }
  return "replica";
}

std::optional<Health> healthFromName(const std::string& name) {
  for (Health h : {Health::Up, Health::Recovering, Health::Down})
    if (healthName(h) == name) return h;
  return std::nullopt;
}

std::optional<MemberRole> roleFromName(const std::string& name) {
  for (MemberRole r : {MemberRole::Replica, MemberRole::Promoting, MemberRole::Primary, MemberRole::Demoting})
    if (roleName(r) == name) return r;
  return std::nullopt;
}

namespace {

Action make(Action::Kind kind, std::string reason = {}) {
  Action a{kind, {}, {}, std::move(reason), 0};
  return a;
}

}  // namespace

MemberRole Election::role() const {
  switch (phase_) {
    case Phase::Promoting: return MemberRole::Promoting;
    case Phase::Primary: return MemberRole::Primary;
    case Phase::Demoting: return MemberRole::Demoting;
    case Phase::Fenced: return frozen_ ? MemberRole::Primary : MemberRole::Replica;
    default: return MemberRole::Replica;
  }
}

std::string Election::phaseName() const {
  switch (phase_) {
    case Phase::Replica: return "replica";
    case Phase::Settling: return "settling";
    case Phase::Acquiring: return "acquiring";
    case Phase::Promoting: return "promoting";
    case Phase::Primary: return "primary";
    case Phase::Demoting: return "demoting";
    case Phase::Fenced: return "fenced";
  }
  return "replica";
}

bool Election::candidate(const Local& local, double now) const {
  return local.health == Health::Up && local.score.has_value() && local.quorum && eligible(now);
}

bool isCandidate(const Member& m) {
  return m.health == Health::Up && m.score && m.eligible && m.role == MemberRole::Replica;
}

std::vector<Election::Candidate> Election::candidates(const View& view, const Local& local, double now) const {
  std::vector<Candidate> all;
  if (candidate(local, now)) all.push_back({settings_.node, *local.score, local.freshScore});
  for (const auto& [node, m] : view.members) {
    if (node == settings_.node) continue;  // our own entry may lag behind `local`
    if (isCandidate(m)) all.push_back({node, *m.score, m.freshScore});
  }
  return all;
}

std::optional<std::string> Election::best(const View& view, const Local& local, double now) const {
  const std::vector<Candidate> all = candidates(view, local, now);
  // Too few to compare: the one with the newest data may be among those missing (with one
  // semi-sync acknowledgement, an acknowledged row may be on one replica only).
  if (static_cast<int>(all.size()) < settings_.minCandidates) return std::nullopt;
  std::vector<Candidate> chosen = all;
  if (view.handover) {
    std::erase_if(chosen, [&](const Candidate& c) { return c.node == view.handover->from; });
    auto target = std::find_if(chosen.begin(), chosen.end(),
                               [&](const Candidate& c) { return c.node == view.handover->to; });
    if (target != chosen.end()) chosen = {*target};
    if (chosen.empty()) chosen = all;  // better the old primary again than none
  }
  if (chosen.empty()) return std::nullopt;
  auto winner = std::min_element(chosen.begin(), chosen.end(), [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score > b.score : a.node < b.node;
  });
  return winner->node;
}

std::vector<Action> Election::observe(const View& view, const Local& local, double now) {
  std::vector<Action> out;
  if (view.maintenance) return out;  // operators are in charge: no automatic action
  const bool leaderMine = view.leader && view.leader->mine;
  if (!view.leader || !leaderMine) releasing_ = false;
  if (local.health != Health::Up) followed_.reset();  // a restarted replica follows again

  switch (phase_) {
    case Phase::Replica:
      if (view.leader) {
        // The hold-off after a lost election was for the winner to take the key; it has
        // one now, so when that key goes the next election starts at once.
        nextAttempt_ = 0;
        if (leaderMine) {
          if (!releasing_) {  // a key this node cannot stand behind: give it up
            releasing_ = true;
            Action a = make(Action::Kind::Release, "this node is not acting as primary");
            a.revision = view.leader->createRevision;
            out.push_back(a);
          }
          return out;
        }
        // A key naming this node under another (older) lease is a view not yet updated
        // (the lease expired, and with it the key): never follow oneself.
        if (view.leader->node == settings_.node) return out;
        // Follow a primary once its promotion is done (its entry says so), not while it
        // still applies what it received: a failed promotion would leave us pointing at it.
        const auto tenure = std::make_pair(view.leader->node, view.leader->createRevision);
        const auto entry = view.members.find(view.leader->node);
        const bool promoted = entry != view.members.end() && entry->second.role == MemberRole::Primary;
        if (local.health == Health::Up && promoted && !following_ && followed_ != tenure) {
          following_ = true;
          Action a = make(Action::Kind::Follow);
          a.node = view.leader->node;
          a.address = view.leader->address;
          a.revision = view.leader->createRevision;
          out.push_back(a);
        }
        return out;
      }
      if (candidate(local, now) && now >= nextAttempt_) {
        phase_ = Phase::Settling;
        settleUntil_ = now + settings_.settle;
        out.push_back(make(Action::Kind::RefreshScore));
      }
      return out;

    case Phase::Settling:
      if (view.leader || !candidate(local, now)) {
        phase_ = Phase::Replica;
        return observe(view, local, now);
      }
      if (now < settleUntil_) return out;
      if (now < settleUntil_ + settings_.scoreWait) {
        // A score taken before the leader key went may be short of what that node holds
        // now (a replica receives until its election score stops it): wait for them all.
        const auto all = candidates(view, local, now);
        if (!std::all_of(all.begin(), all.end(), [](const Candidate& c) { return c.fresh; })) return out;
      }
      if (best(view, local, now) == settings_.node) {
        phase_ = Phase::Acquiring;
        out.push_back(make(Action::Kind::Acquire));
      } else {
        // The best candidate should take the key within a settle or so; if it does not
        // (it died meanwhile), settle again: its entry leaves with its lease.
        phase_ = Phase::Replica;
        nextAttempt_ = now + settings_.settle + 1;
      }
      return out;

    case Phase::Acquiring:
    case Phase::Demoting:
      return out;  // waiting for the outcome

    case Phase::Promoting:
      if (!local.quorum) fenceAfterPromote_ = true;
      return out;

    case Phase::Primary:
      if (!leaderMine) {
        phase_ = Phase::Demoting;
        releaseAfterDemote_ = false;
        out.push_back(make(Action::Kind::Demote, "lost the leader key"));
        return out;
      }
      if (!local.quorum) {
        phase_ = Phase::Fenced;
        frozen_ = settings_.freezeWithoutQuorum;
        out.push_back(make(Action::Kind::Fence, "could not renew the etcd lease in time"));
        return out;
      }
      if (view.handover && view.handover->from == settings_.node) {
        phase_ = Phase::Demoting;
        releaseAfterDemote_ = true;
        out.push_back(make(Action::Kind::Demote, "switchover"));
        return out;
      }
      if (local.health == Health::Down) {
        // Not running and not coming back: the key goes at once, so the failover starts now.
        phase_ = Phase::Replica;
        recoveringSince_.reset();
        Action a = make(Action::Kind::Release, "the primary's program is down");
        a.revision = view.leader->createRevision;
        out.push_back(a);
        releasing_ = true;
        return out;
      }
      if (local.health == Health::Recovering) {
        if (!recoveringSince_) recoveringSince_ = now;
        if (now - *recoveringSince_ < settings_.primaryStartTimeout) {
          repromote_ = true;  // restarted locally: it comes back as a replica
          return out;
        }
        // Not back in time (at once with primary_start_timeout = 0): the election decides,
        // and this node is a candidate like the others once its program runs again.
        phase_ = Phase::Replica;
        repromote_ = false;
        recoveringSince_.reset();
        Action a = make(Action::Kind::Release, "the primary's program did not run again within primary_start_timeout");
        a.revision = view.leader->createRevision;
        out.push_back(a);
        releasing_ = true;
        return out;
      }
      recoveringSince_.reset();
      if (repromote_) {
        repromote_ = false;
        phase_ = Phase::Promoting;
        out.push_back(make(Action::Kind::Promote, "restarted"));
      }
      return out;

    case Phase::Fenced:
      if (!local.quorum) return out;
      phase_ = Phase::Replica;
      out.push_back(make(Action::Kind::Unfence));
      if (frozen_ && leaderMine) {  // the lease survived: carry on as primary
        frozen_ = false;
        phase_ = Phase::Primary;
        return out;
      }
      frozen_ = false;
      for (auto& a : observe(view, local, now)) out.push_back(std::move(a));
      return out;
  }
  return out;
}

std::vector<Action> Election::acquired(bool won, const View& view, const Local& local, double now) {
  if (phase_ != Phase::Acquiring) return {};
  if (won) {
    phase_ = Phase::Promoting;
    fenceAfterPromote_ = false;
    recoveringSince_.reset();
    return {make(Action::Kind::Promote, "elected")};
  }
  phase_ = Phase::Replica;
  nextAttempt_ = now + settings_.settle + 1;
  return observe(view, local, now);
}

std::vector<Action> Election::reconsider(const View& view, const Local& local, double now) {
  if (phase_ != Phase::Acquiring) return {};
  phase_ = Phase::Settling;  // settleUntil_ has passed: decides at once
  return observe(view, local, now);
}

std::vector<Action> Election::promoted(bool ok, const View& view, const Local& local, double now) {
  if (phase_ != Phase::Promoting) return {};
  if (!ok) {
    // Give the key back and stay out of the next elections for a while (Patroni: a
    // failed pre_promote skips the races for a TTL).
    phase_ = Phase::Demoting;
    releaseAfterDemote_ = true;
    ineligibleUntil_ = now + settings_.retryDelay;
    return {make(Action::Kind::Demote, "promote_command failed")};
  }
  if (local.health != Health::Up) {
    // Its program died while the hook ran (Pacemaker: a failed promoted instance is
    // demoted first): undo the promotion and give the key back.
    phase_ = Phase::Demoting;
    releaseAfterDemote_ = true;
    return {make(Action::Kind::Demote, "the program stopped during its promotion")};
  }
  phase_ = Phase::Primary;
  std::vector<Action> out;
  if (fenceAfterPromote_ || !local.quorum) {
    fenceAfterPromote_ = false;
    return observe(view, local, now);  // Primary without quorum: fences at once
  }
  out.push_back(make(Action::Kind::Route));
  if (view.handover) out.push_back(make(Action::Kind::ClearHandover));
  for (auto& a : observe(view, local, now)) out.push_back(std::move(a));
  return out;
}

std::vector<Action> Election::demoted(bool ok, const View& view, const Local& local, double now) {
  if (phase_ != Phase::Demoting) return {};
  std::vector<Action> out;
  if (!ok) out.push_back(make(Action::Kind::StopProgram, "demote_command failed"));
  phase_ = Phase::Replica;
  if (releaseAfterDemote_ && view.leader && view.leader->mine) {
    Action a = make(Action::Kind::Release, "demoted");
    a.revision = view.leader->createRevision;
    out.push_back(a);
    releasing_ = true;
  }
  releaseAfterDemote_ = false;
  for (auto& a : observe(view, local, now)) out.push_back(std::move(a));
  return out;
}

void Election::followed(bool ok, const std::string& node, long long revision) {
  following_ = false;
  if (ok) followed_ = std::make_pair(node, revision);
}

std::optional<double> Election::nextDeadline(double now) const {
  std::optional<double> next;
  auto consider = [&](double t) {
    if (t > now && (!next || t < *next)) next = t;
  };
  if (phase_ == Phase::Settling) {
    consider(settleUntil_);
    consider(settleUntil_ + settings_.scoreWait);
  }
  if (phase_ == Phase::Replica) consider(nextAttempt_);
  if (phase_ == Phase::Primary && recoveringSince_) consider(*recoveringSince_ + settings_.primaryStartTimeout);
  consider(ineligibleUntil_);
  return next;
}

std::vector<Notification> notificationsFor(std::optional<MemberRole> before, MemberRole after) {
  const MemberRole from = before.value_or(MemberRole::Replica);
  if (from == after) return {};
  std::vector<Notification> out;
  auto add = [&](const char* type, const char* operation) { out.push_back({type, operation}); };
  if (from == MemberRole::Promoting) add("post", "promote");  // done or failed
  if (from == MemberRole::Demoting) add("post", "demote");
  if (after == MemberRole::Promoting) add("pre", "promote");
  if (after == MemberRole::Demoting) add("pre", "demote");
  if (after == MemberRole::Primary && from == MemberRole::Replica) {
    add("pre", "promote");
    add("post", "promote");
  }
  if (after == MemberRole::Replica && from == MemberRole::Primary) {
    add("pre", "demote");
    add("post", "demote");
  }
  return out;
}

}  // namespace cluster
