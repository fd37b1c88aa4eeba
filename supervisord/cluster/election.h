#pragma once
// Election: this node's part in keeping one primary of one promotable program across
// the cluster. Pure: it takes what etcd shows (View), how the local copy of the program
// is doing (Local) and the time, and answers with Actions for the shell to carry out
// (ClusterNode runs hooks and etcd calls, then reports their outcome back here).
//
// The rules (README.md, "Cluster mode"): a node promotes only after winning the leader
// key; a primary that loses the key, or its lease (quorum), stops acting as primary
// before the key can pass to anyone else; without a leader, every healthy candidate
// waits `settle` and every other candidate's score for this election (at most `scoreWait`
// more), and only the best (highest score, ties: smallest node name) tries.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cluster {

// The local copy of the program: Up (RUNNING), Recovering (being started or restarted by
// its policy), Down (will not run again without an operator: FATAL, STOPPED, EXITED).
enum class Health { Up, Recovering, Down };

// The role a node publishes for the program.
enum class MemberRole { Replica, Promoting, Primary, Demoting };

std::string healthName(Health health);    // "up", "recovering", "down"
std::string roleName(MemberRole role);    // "replica", "promoting", "primary", "demoting"
std::optional<Health> healthFromName(const std::string& name);
std::optional<MemberRole> roleFromName(const std::string& name);

// One node's published entry for the program (under that node's lease).
struct Member {
  std::string node;
  std::string address;
  Health health = Health::Down;
  MemberRole role = MemberRole::Replica;
  std::optional<long long> score;  // nullopt: never promote
  bool eligible = true;            // false for a while after a failed promotion
  bool freshScore = false;         // `score` was taken for the election under way (Local::freshScore)
  bool operator==(const Member&) const = default;
};

// A member that may win an election: running, scored, eligible, not primary.
bool isCandidate(const Member& member);

struct Leader {
  std::string node;
  std::string address;
  long long createRevision = 0;  // tells one tenure from the next
  bool mine = false;             // created under this node's current lease
};

// A planned handover (switchover, failover): the candidates exclude `from`, and when
// `to` is an eligible candidate, only `to` may take the key.
struct Handover {
  std::string from;
  std::string to;
};

// What etcd shows for the program.
struct View {
  std::optional<Leader> leader;
  std::map<std::string, Member> members;  // by node, this node's own entry included
  std::optional<Handover> handover;
  bool maintenance = false;  // cluster-wide: no automatic action
};

// How this node is doing.
struct Local {
  Health health = Health::Down;
  std::optional<long long> score;
  bool quorum = false;  // this node's lease was renewed within lease_ttl - fence_margin
  // `score` comes from a score_command run asked for by this election's RefreshScore
  // (reason "election"): taken after the leader key went, it is what the node will run with.
  bool freshScore = false;
};

struct Action {
  enum class Kind {
    RefreshScore,  // run score_command now (a leader is missing)
    Acquire,       // create the leader key under this node's lease, if absent
    Promote,       // run promote_command; report promoted()
    Route,         // run route_command (after a promotion)
    Demote,        // run demote_command; report demoted()
    Release,       // delete the leader key if it still is the one created at `revision`
    Follow,        // run follow_command towards node/address; report followed()
    Fence,         // lost quorum as primary: apply no_quorum_policy
    Unfence,       // quorum is back after a fence: undo what the policy stopped
    StopProgram,   // a primary that could not be demoted must not keep running
    ClearHandover  // the handover is done: delete its key
  };
  Kind kind;
  std::string node;      // Follow: the primary
  std::string address;   // Follow: the primary's address
  std::string reason;    // Demote, Release, Fence: why (logged, SUPERVISOR_REASON)
  long long revision = 0;  // Release: the leader key's create revision
  bool operator==(const Action&) const = default;
};

struct ElectionSettings {
  std::string node;        // this node
  double settle = 1;       // seconds candidates wait before electing
  double retryDelay = 10;  // seconds a failed promotion keeps this node out (the lease TTL)
  bool freezeWithoutQuorum = false;  // no_quorum_policy = freeze: a fenced primary stays primary
  double primaryStartTimeout = 300;  // a primary restarting locally keeps the key this long
  int minCandidates = 1;   // no election with fewer candidates in sight (this node included)
  // After `settle`, seconds a candidate waits for the fresh score of every candidate in sight
  // (its own included) before it decides with the scores it has (the lease TTL: a node that
  // cannot tell its score within it is as good as gone).
  double scoreWait = 10;
};

class Election {
 public:
  explicit Election(ElectionSettings settings) : settings_(std::move(settings)) {}

  // Anything changed (etcd, the local program, quorum) or nextDeadline() came.
  std::vector<Action> observe(const View& view, const Local& local, double now);

  // Outcomes of the actions that report back.
  std::vector<Action> acquired(bool won, const View& view, const Local& local, double now);
  // The Acquire was refused because a candidate's entry changed after the view it was
  // decided on (etcd compared): decide again, on a view that has caught up.
  std::vector<Action> reconsider(const View& view, const Local& local, double now);
  std::vector<Action> promoted(bool ok, const View& view, const Local& local, double now);
  std::vector<Action> demoted(bool ok, const View& view, const Local& local, double now);
  void followed(bool ok, const std::string& node, long long revision);
  // A Release that etcd did not carry out (unreachable, no quorum): the next observe()
  // that still sees this node's key asks for it again.
  void releaseFailed() { releasing_ = false; }

  // What this node publishes for the program.
  MemberRole role() const;
  bool eligible(double now) const { return now >= ineligibleUntil_; }
  // When observe() must run again even if nothing changes; nullopt = no need.
  std::optional<double> nextDeadline(double now) const;
  // "replica", "settling", "acquiring", "promoting", "primary", "demoting", "fenced".
  std::string phaseName() const;

 private:
  enum class Phase { Replica, Settling, Acquiring, Promoting, Primary, Demoting, Fenced };

  struct Candidate {
    std::string node;
    long long score;
    bool fresh;
  };
  bool candidate(const Local& local, double now) const;
  std::vector<Candidate> candidates(const View& view, const Local& local, double now) const;
  std::optional<std::string> best(const View& view, const Local& local, double now) const;

  ElectionSettings settings_;
  Phase phase_ = Phase::Replica;
  double settleUntil_ = 0;
  double nextAttempt_ = 0;
  double ineligibleUntil_ = 0;
  bool releaseAfterDemote_ = false;
  bool repromote_ = false;         // the primary's program restarted: promote it again when up
  std::optional<double> recoveringSince_;  // when the primary's program last stopped running
  bool fenceAfterPromote_ = false;
  bool frozen_ = false;            // fenced with freeze: still acting as primary
  bool releasing_ = false;         // a Release of our stale key is in flight
  std::optional<std::pair<std::string, long long>> followed_;  // leader node and revision we follow
  bool following_ = false;
};

// The notify_command runs a node's role change sets off, on every node: "pre"/"post"
// with "promote"/"demote", or none.
struct Notification {
  std::string type;       // "pre" or "post"
  std::string operation;  // "promote" or "demote"
  bool operator==(const Notification&) const = default;
};
std::vector<Notification> notificationsFor(std::optional<MemberRole> before, MemberRole after);

}  // namespace cluster
