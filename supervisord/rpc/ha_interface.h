#pragma once
// The ha.* namespace of the XML-RPC API (ours, not Python Supervisor's): the
// restart policy of each process (getPolicyState, getAllPolicyStates), resetBudget,
// and promote/demote, which answer once the hook child has ended (a deferred
// reply: the loop never waits). Every method works through the Supervisor's
// public operations only; names are namespecs ("name" or "group:name").
//
// Faults: BAD_NAME (no such process), NOT_RUNNING, SHUTDOWN_STATE (promote,
// demote and resetBudget once a shutdown began) and our own codes 200 and up
// (NOT_PROMOTABLE, HOOK_FAILED, BUSY: faults.h).

#include "common/xmlrpc_value.h"
#include "supervisord/policy/policy_report.h"

namespace supervisord {
class Supervisor;
}

namespace rpc {

class Dispatcher;

// Adds every ha.* method to `dispatcher` (their help and signatures are
// haMethodDocs(), method_docs.h). `supervisor` must outlive the dispatcher and
// every Poll it hands out.
void addHaMethods(Dispatcher& dispatcher, supervisord::Supervisor& supervisor);

// The struct ha.getPolicyState answers for `report`: every field under its
// snake_case name, doubles as doubles, counts as ints; the two optional values
// (score, a probe's last_ok) are "" when absent, as Supervisor's XML-RPC has no nil.
common::xmlrpc::Value policyState(const policy::PolicyReport& report);

}  // namespace rpc
