#pragma once
// The member names of the ha.* structs (ha.getClusterState, ha.getPolicyState), written
// once: rpc/ encodes them, supervisorctl decodes them. README.md lists what each holds.

namespace ha_keys {

inline constexpr const char* kActive = "active";
inline constexpr const char* kAddress = "address";
inline constexpr const char* kBackoff = "backoff";
inline constexpr const char* kBudgetLimit = "budget_limit";
inline constexpr const char* kBudgetUsed = "budget_used";
inline constexpr const char* kBudgetWindow = "budget_window";
inline constexpr const char* kChecks = "checks";
inline constexpr const char* kCluster = "cluster";
inline constexpr const char* kConnected = "connected";
inline constexpr const char* kConsecutiveFailures = "consecutive_failures";
inline constexpr const char* kDescription = "description";
inline constexpr const char* kEligible = "eligible";
inline constexpr const char* kEndpoint = "endpoint";
inline constexpr const char* kEscalation = "escalation";
inline constexpr const char* kFinished = "finished";
inline constexpr const char* kGroup = "group";
inline constexpr const char* kGroupBudgetLimit = "group_budget_limit";
inline constexpr const char* kGroupBudgetUsed = "group_budget_used";
inline constexpr const char* kGroupStrategy = "group_strategy";
inline constexpr const char* kHandover = "handover";
inline constexpr const char* kHealth = "health";
inline constexpr const char* kHook = "hook";
inline constexpr const char* kHooks = "hooks";
inline constexpr const char* kKind = "kind";
inline constexpr const char* kLastCheck = "last_check";
inline constexpr const char* kLastDetail = "last_detail";
inline constexpr const char* kLastOk = "last_ok";
inline constexpr const char* kLeader = "leader";
inline constexpr const char* kLeaderAddress = "leader_address";
inline constexpr const char* kLeaseLeft = "lease_left";
inline constexpr const char* kLeaseTtl = "lease_ttl";
inline constexpr const char* kMaintenance = "maintenance";
inline constexpr const char* kMembers = "members";
inline constexpr const char* kName = "name";
inline constexpr const char* kNextDelay = "next_delay";
inline constexpr const char* kNode = "node";
inline constexpr const char* kOk = "ok";
inline constexpr const char* kOnBudgetSpent = "on_budget_spent";
inline constexpr const char* kOutput = "output";
inline constexpr const char* kPhase = "phase";
inline constexpr const char* kProbes = "probes";
inline constexpr const char* kPrograms = "programs";
inline constexpr const char* kReason = "reason";
inline constexpr const char* kRetryAt = "retry_at";
inline constexpr const char* kRole = "role";
inline constexpr const char* kScore = "score";
inline constexpr const char* kSpec = "spec";
inline constexpr const char* kStarted = "started";
inline constexpr const char* kTries = "tries";

}  // namespace ha_keys
