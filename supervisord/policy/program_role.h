#pragma once
// The role of a process with role = promotable on this node (ha.getPolicyState's "role",
// the hooks' SUPERVISOR_ROLE): replica until a promotion succeeds. One enum for the local
// role; the cluster publishes its own richer view of it (cluster::MemberRole).

#include <string>

namespace policy {

enum class ProgramRole { None, Replica, Primary };

// "" (no role: the process is not promotable), "replica", "primary".
std::string roleText(ProgramRole role);

}  // namespace policy
