#pragma once
// The cluster methods of the ha.* namespace: getClusterState, switchover, failover and
// setMaintenance. They talk to the cluster agent through Supervisor::clusterControl();
// on a daemon without [cluster] they answer NOT_CLUSTERED (204). Switchover and
// failover answer once the request is in etcd; the handover itself follows (watch it
// with getClusterState, as `supervisorctl switchover` does).

#include <vector>

#include "common/xmlrpc_value.h"
#include "supervisord/cluster/cluster_report.h"
#include "supervisord/rpc/method_docs.h"

namespace supervisord {
class Supervisor;
}

namespace rpc {

class Dispatcher;

void addHaClusterMethods(Dispatcher& dispatcher, supervisord::Supervisor& supervisor);
const std::vector<MethodDoc>& haClusterMethodDocs();

// The struct ha.getClusterState answers for `report` (a score is "" when absent).
common::xmlrpc::Value clusterState(const cluster::ClusterReport& report);

}  // namespace rpc
