#pragma once
// Whether an operator's switchover or failover of a program may be asked for, judged on
// what etcd shows (View, maintenance included). Pure. Accepted: the handover to request
// (its key tells every node); refused: a common::Error of kind ClusterManaged saying why
// in words (ha.switchover / ha.failover answer it as CLUSTER_MANAGED).

#include <string>

#include "common/result.h"
#include "supervisord/cluster/election.h"

namespace cluster {

// A planned handover from the healthy primary to `node` ("" = the best candidate).
common::Result<Handover> switchoverRequest(const View& view, const std::string& program, const std::string& node);
// A promotion of `node` when there is no healthy primary.
common::Result<Handover> failoverRequest(const View& view, const std::string& node);

}  // namespace cluster
