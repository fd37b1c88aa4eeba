#pragma once
// ClusterControl: the operator's side of cluster mode (ha.getClusterState, ha.switchover,
// ha.failover, ha.setMaintenance), offered by the cluster agent while it runs. `done`
// runs once, on the loop: an error is "no such program: x" or a refusal in words.

#include <functional>
#include <string>

#include "common/result.h"
#include "supervisord/cluster/cluster_report.h"

namespace cluster {

class ClusterControl {
 public:
  using Done = std::function<void(common::Result<void>)>;
  virtual ~ClusterControl() = default;
  virtual ClusterReport clusterReport() const = 0;
  // A planned handover from the healthy primary to `node` ("" = the best candidate).
  virtual void switchover(const std::string& program, const std::string& node, Done done) = 0;
  // A promotion of `node` when there is no healthy primary.
  virtual void failover(const std::string& program, const std::string& node, Done done) = 0;
  virtual void setMaintenance(bool on, Done done) = 0;
};

}  // namespace cluster
