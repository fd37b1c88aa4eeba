#pragma once
// The [cluster] section (ours): this node's place in a cluster of supervisords that
// keep one primary of each promotable program through etcd (README.md, "Cluster mode").
// Absent section: the daemon runs on one node with local hooks only.

#include <string>
#include <vector>

namespace config {

// What a primary does when it cannot renew its etcd lease in time (Pacemaker's
// no-quorum-policy): demote (run demote_command, keep running read-only), stop
// (stop the program; started again when quorum returns) or freeze (do nothing).
enum class NoQuorumPolicy { Demote, Stop, Freeze };

// Whether a primary arms a watchdog device (Patroni's watchdog.mode): off; automatic
// (when the device cannot be armed, promote anyway, with a warning); required (never
// promote without it).
enum class WatchdogMode { Off, Automatic, Required };

struct EtcdEndpoint {
  std::string host;
  int port = 0;
  bool operator==(const EtcdEndpoint&) const = default;
};

struct ClusterConfig {
  std::string name;                  // the cluster: etcd keys live under /supervisor-ha/<name>/
  std::string node;                  // this node's name (default: the host name)
  std::vector<EtcdEndpoint> etcd;    // etcd client endpoints, tried in turn
  double leaseTtl = 10;              // seconds of etcd lease; a dead node's keys vanish after it
  double fenceMargin = 3;            // a primary fences this long before its lease could expire
  NoQuorumPolicy noQuorumPolicy = NoQuorumPolicy::Demote;
  double settle = 1;                 // seconds candidates wait for every score before electing
  std::string advertise;             // this node's address for hooks (default: the node name)
  double requestTimeout = 1;         // seconds per etcd request and endpoint (etcd_timeout)
  double primaryStartTimeout = 300;  // seconds a crashed primary may take to run again before
                                     // it gives up the leader key (0: at once; Patroni's
                                     // master_start_timeout)
  int minCandidates = 1;             // an election needs this many candidates (this node included)
  WatchdogMode watchdogMode = WatchdogMode::Off;
  std::string watchdogDevice = "/dev/watchdog";  // fed while this node is primary and its lease fresh
  bool operator==(const ClusterConfig&) const = default;
};

}  // namespace config
