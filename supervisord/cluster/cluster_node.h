#pragma once
// ClusterNode: this daemon's part in a cluster ([cluster] section). It keeps an etcd
// lease alive, publishes a member entry per promotable program (health, role, score),
// watches the cluster's keys, and runs one cluster::Election per promotable program,
// carrying out its decisions: the leader key (create-if-absent, compare-and-delete),
// the promote/demote/follow/route/notify hooks (through its ClusterHost), and the
// no_quorum_policy when the lease cannot be renewed in time (README.md, "Cluster mode").
//
// It runs beside the groups for one run() of the daemon. On shutdown it waits until its
// promotable programs have stopped, then revokes its lease, so its keys (the leader
// key included) vanish at once and a failover starts without waiting for the TTL.
// Everything happens on the daemon's loop; etcd calls are asynchronous and bounded by
// etcd_timeout.

#include <memory>
#include <string>

#include "common/result.h"
#include "supervisord/cluster/cluster_control.h"
#include "supervisord/cluster/cluster_report.h"

namespace cluster {

class ClusterHost;
class EtcdClient;

class ClusterNode final : public ClusterControl {
 public:
  // REQUIRES: host.config().cluster; `host` outlives the node.
  static common::Result<std::unique_ptr<ClusterNode>> open(ClusterHost& host);
  ~ClusterNode() override;
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // Stopping: its programs are stopping, or its lease is being revoked (a shutdown waits;
  // ClusterHost::serviceIdle() tells when it ends).
  bool busy() const;

  // ---- ClusterControl ----
  cluster::ClusterReport clusterReport() const override;
  void switchover(const std::string& program, const std::string& node, Done done) override;
  void failover(const std::string& program, const std::string& node, Done done) override;
  void setMaintenance(bool on, Done done) override;

 private:
  ClusterNode(ClusterHost& host, std::unique_ptr<EtcdClient> client);
  struct State;
  std::unique_ptr<State> state_;  // asio, the etcd client and the elections stay in the .cpp
};

}  // namespace cluster
