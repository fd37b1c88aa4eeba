#pragma once
// Supervisor's XML-RPC fault codes (xmlrpc.Faults) and its fault strings:
// RPCError(code, extra) reads "NAME" or "NAME: extra" ("BAD_NAME: foo").
// Codes 200 and up are ours (the ha.* namespace); Supervisor uses none of them.

#include <optional>
#include <string>

#include "common/result.h"
#include "common/xmlrpc_value.h"

namespace rpc {

namespace Faults {
inline constexpr int UNKNOWN_METHOD = 1;
inline constexpr int INCORRECT_PARAMETERS = 2;
inline constexpr int BAD_ARGUMENTS = 3;
inline constexpr int SIGNATURE_UNSUPPORTED = 4;
inline constexpr int SHUTDOWN_STATE = 6;
inline constexpr int BAD_NAME = 10;
inline constexpr int BAD_SIGNAL = 11;
inline constexpr int NO_FILE = 20;
inline constexpr int NOT_EXECUTABLE = 21;
inline constexpr int FAILED = 30;
inline constexpr int ABNORMAL_TERMINATION = 40;
inline constexpr int SPAWN_ERROR = 50;
inline constexpr int ALREADY_STARTED = 60;
inline constexpr int NOT_RUNNING = 70;
inline constexpr int SUCCESS = 80;
inline constexpr int ALREADY_ADDED = 90;
inline constexpr int STILL_RUNNING = 91;
inline constexpr int CANT_REREAD = 92;
// ha.* (supervisor-ha only):
// ha.promote/ha.demote of a process without role = promotable.
inline constexpr int NOT_PROMOTABLE = 200;
// The promote/demote hook ran and failed: "HOOK_FAILED: <namespec>: <description>"
// ("exit status 1", "timed out after 5 s", "spawn error: ...").
inline constexpr int HOOK_FAILED = 201;
// A promote or demote of that process is running already.
inline constexpr int BUSY = 202;
// In a cluster the election decides roles: ha.promote/ha.demote are refused (use
// ha.switchover), and so is a switchover or failover the cluster's state rules out.
inline constexpr int CLUSTER_MANAGED = 203;
// ha.getClusterState and the other cluster methods on a daemon without [cluster].
inline constexpr int NOT_CLUSTERED = 204;
}  // namespace Faults

// The fault for an error of the layers below (common/result.h): the one table.
int faultFor(common::ErrorKind kind);

// "BAD_NAME" for 10; "UNKNOWN" for a code Supervisor does not define.
std::string faultName(int code);
// The code of a fault name ("BAD_ARGUMENTS" -> 3), if it is one.
std::optional<int> faultCode(const std::string& name);

// RPCError(code, extra): {code, "NAME"} or {code, "NAME: extra"}.
common::xmlrpc::Fault rpcError(int code, const std::optional<std::string>& extra = std::nullopt);

}  // namespace rpc
