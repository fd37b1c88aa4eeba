// The [cluster] section and the cluster hooks (ours) as a user writes them in
// supervisord.conf, through the public loadConfig().

#include <catch2/catch.hpp>

#include "config_fixture.h"
#include "supervisord/config/config_report.h"

using namespace config;

namespace {

const std::string kProgram = "[program:db]\ncommand=/bin/cat\nrole=promotable\n";

common::Result<Config> loadCluster(ConfigDirectory& d, const std::string& clusterKeys,
                                   const std::string& program = kProgram) {
  return d.load("[supervisord]\n" + program + "[cluster]\n" + clusterKeys);
}

// The error of a config that must not load, with the file path replaced by "F".
std::string errorOf(ConfigDirectory& d, const std::string& clusterKeys) {
  auto c = loadCluster(d, clusterKeys);
  REQUIRE_FALSE(c.ok());
  std::string message = c.error();
  const std::string file = d.configFile();
  if (message.starts_with(file)) message = "F" + message.substr(file.size());
  return message;
}

}  // namespace

TEST_CASE("cluster: no [cluster] section means one node with local hooks only", "[config][cluster]") {
  ConfigDirectory d;
  auto c = d.load("[supervisord]\n" + kProgram);
  REQUIRE(c.ok());
  CHECK_FALSE(c->cluster.has_value());
  CHECK(configJson(*c).find("cluster") == std::string::npos);
}

TEST_CASE("cluster: the defaults, with only name and etcd", "[config][cluster]") {
  ConfigDirectory d;
  auto c = loadCluster(d, "name=demo\netcd=http://127.0.0.1:2379\n");
  INFO((c.ok() ? "" : c.error()));
  REQUIRE(c.ok());
  CHECK(c->warnings.empty());
  REQUIRE(c->cluster);
  const ClusterConfig& k = *c->cluster;
  CHECK(k.name == "demo");
  CHECK(k.node == "node1");  // the host name
  CHECK(k.advertise == "node1");
  CHECK(k.etcd == std::vector<EtcdEndpoint>{{"127.0.0.1", 2379}});
  CHECK(k.leaseTtl == 10);
  CHECK(k.fenceMargin == 3);
  CHECK(k.noQuorumPolicy == NoQuorumPolicy::Demote);
  CHECK(k.settle == 1);
  CHECK(k.primaryStartTimeout == 300);
  CHECK(k.requestTimeout == 1);
  CHECK(k.watchdogMode == WatchdogMode::Off);
  CHECK(k.watchdogDevice == "/dev/watchdog");
  CHECK(k.minCandidates == 1);
}

TEST_CASE("cluster: lease_ttl alone is valid for every value, with fence_margin and etcd_timeout following it",
          "[config][cluster]") {
  struct Expected {
    int leaseTtl;
    double fenceMargin;
    double etcdTimeout;
  };
  // fence_margin: 30% of lease_ttl, at least 1 s; etcd_timeout: 1 s, or half of what is left.
  for (const Expected e : {Expected{2, 1, 0.5}, Expected{3, 1, 1}, Expected{4, 1.2, 1}, Expected{10, 3, 1},
                           Expected{60, 18, 1}}) {
    ConfigDirectory d;
    auto c = loadCluster(d, "name=demo\netcd=http://127.0.0.1:2379\nlease_ttl=" + std::to_string(e.leaseTtl) + "\n");
    INFO("lease_ttl " << e.leaseTtl << ": " << (c.ok() ? "" : c.error()));
    REQUIRE(c.ok());
    CHECK(c->cluster->fenceMargin == Approx(e.fenceMargin));
    CHECK(c->cluster->requestTimeout == Approx(e.etcdTimeout));
  }
}

TEST_CASE("cluster: every key, with expansions", "[config][cluster]") {
  ConfigDirectory d;
  auto c = loadCluster(d,
                       "name = shop\nnode = %(host_node_name)s-a\n"
                       "etcd = http://10.0.0.1:2379, 10.0.0.2:2379 http://[::1]:2379/\n"
                       "lease_ttl = 5\nfence_margin = 1500ms\nno_quorum_policy = STOP\nsettle = 0.25\n"
                       "advertise = 10.0.0.9:%(ENV_PGPORT)s\netcd_timeout = 500ms\nprimary_start_timeout = 0\n"
                       "watchdog_mode = Required\nwatchdog_device = /run/%(ENV_PGPORT)s.wd\nmin_candidates = 2\n",
                       kProgram + "follow_command=/bin/true follow\nroute_command=/bin/true route\n"
                                  "notify_command=/bin/true notify\n");
  INFO((c.ok() ? "" : c.error()));
  REQUIRE(c.ok());
  const ClusterConfig& k = *c->cluster;
  CHECK(k.node == "node1-a");
  CHECK(k.etcd == std::vector<EtcdEndpoint>{{"10.0.0.1", 2379}, {"10.0.0.2", 2379}, {"::1", 2379}});
  CHECK(k.leaseTtl == 5);
  CHECK(k.fenceMargin == 1.5);
  CHECK(k.noQuorumPolicy == NoQuorumPolicy::Stop);
  CHECK(k.settle == 0.25);
  CHECK(k.advertise == "10.0.0.9:5432");
  CHECK(k.requestTimeout == 0.5);
  CHECK(k.primaryStartTimeout == 0);
  CHECK(k.watchdogMode == WatchdogMode::Required);
  CHECK(k.watchdogDevice == "/run/5432.wd");
  CHECK(k.minCandidates == 2);
  const PolicyConfig& p = c->groups.at(0).processes.at(0).policy;
  CHECK(p.followCommand == "/bin/true follow");
  CHECK(p.routeCommand == "/bin/true route");
  CHECK(p.notifyCommand == "/bin/true notify");
  CHECK(configSummary(*c).find("cluster: shop, node node1-a (advertise 10.0.0.9:5432), etcd "
                               "http://10.0.0.1:2379,http://10.0.0.2:2379,http://[::1]:2379, lease_ttl 5 s, "
                               "fence_margin 1.5 s, no_quorum_policy stop, settle 0.25 s, watchdog required "
                               "(/run/5432.wd)") != std::string::npos);
}

TEST_CASE("cluster: bad values name the file, line, section and key", "[config][cluster]") {
  ConfigDirectory d;
  CHECK(errorOf(d, "etcd=127.0.0.1:2379\n") == "F:5: [cluster]: section [cluster] has no name value");
  CHECK(errorOf(d, "name=demo\n") ==
        "F:5: [cluster]: section [cluster] has no etcd value (the etcd endpoints)");
  CHECK(errorOf(d, "name=my cluster\netcd=127.0.0.1:2379\n") ==
        "F:6: [cluster] name: invalid 'name' value 'my cluster' (expected a name of letters, digits, '-', '_' or '.')");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nnode=a/b\n") ==
        "F:8: [cluster] node: invalid 'node' value 'a/b' (expected a name of letters, digits, '-', '_' or '.')");
  CHECK(errorOf(d, "name=demo\netcd=https://127.0.0.1:2379\n") ==
        "F:7: [cluster] etcd: invalid 'etcd' endpoint 'https://127.0.0.1:2379' (https is not supported; use http://)");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1\n") ==
        "F:7: [cluster] etcd: invalid 'etcd' value '127.0.0.1' (expected http://<host>:<port> endpoints separated "
        "by commas)");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nlease_ttl=1\n") ==
        "F:8: [cluster] lease_ttl: invalid 'lease_ttl' value '1' (expected a duration >= 2 s, in seconds or with "
        "ms, s, m or h)");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nprimary_start_timeout=-1\n") ==
        "F:8: [cluster] primary_start_timeout: invalid 'primary_start_timeout' value '-1' (expected a duration "
        ">= 0, in seconds or with ms, s, m or h)");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nlease_ttl=2.5\n") ==
        "F:8: [cluster] lease_ttl: invalid 'lease_ttl' value '2.5' (expected whole seconds (etcd leases count in "
        "seconds))");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nlease_ttl=3\nfence_margin=3\n") ==
        "F:9: [cluster] fence_margin: fence_margin (3 s) must be less than lease_ttl (3 s): a primary fences "
        "itself before its lease can expire");
  // A fence_margin the user wrote leaves etcd_timeout's default too little room.
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nlease_ttl=2\nfence_margin=1.95\n") ==
        "F:9: [cluster] fence_margin: etcd_timeout (0.05 s) must be at most half of lease_ttl - fence_margin (0.05 "
        "s): a lease is renewed at least twice before the fence");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nno_quorum_policy=ignore\n") ==
        "F:8: [cluster] no_quorum_policy: invalid 'no_quorum_policy' value 'ignore' (expected demote, stop or "
        "freeze)");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nlease_ttl=3\nfence_margin=1\netcd_timeout=1.5\n") ==
        "F:10: [cluster] etcd_timeout: etcd_timeout (1.5 s) must be at most half of lease_ttl - fence_margin (2 "
        "s): a lease is renewed at least twice before the fence");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nmin_candidates=0\n") ==
        "F:8: [cluster] min_candidates: invalid 'min_candidates' value '0' (expected a whole number from 1 to 1000)");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nwatchdog_mode=on\n") ==
        "F:8: [cluster] watchdog_mode: invalid 'watchdog_mode' value 'on' (expected off, automatic or required)");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nwatchdog_device=watchdog\n") ==
        "F:8: [cluster] watchdog_device: invalid 'watchdog_device' value 'watchdog' (expected an absolute path)");
  // The watchdog fires at lease_ttl - 1 s: the fence must come before it.
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nlease_ttl=3\nfence_margin=1\nwatchdog_mode=automatic\n") ==
        "F:9: [cluster] fence_margin: watchdog_mode = automatic needs fence_margin > 1 s (it is 1 s): the watchdog "
        "fires 1 s before the lease expires, and the fence must demote a primary cut off from etcd before that");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nlease_ttl=3\nwatchdog_mode=required\n") ==
        "F:9: [cluster] watchdog_mode: watchdog_mode = required needs fence_margin > 1 s (it is 1 s): the watchdog "
        "fires 1 s before the lease expires, and the fence must demote a primary cut off from etcd before that");
  CHECK(errorOf(d, "name=demo\netcd=127.0.0.1:2379\nno_quorum_policy=freeze\nwatchdog_mode=required\n") ==
        "F:9: [cluster] watchdog_mode: watchdog_mode needs no_quorum_policy = demote or stop: with freeze a primary "
        "without quorum keeps running, and the watchdog would reset its node");
}

TEST_CASE("cluster: follow, route and notify commands need role = promotable", "[config][cluster]") {
  ConfigDirectory d;
  auto c = d.load("[supervisord]\n[program:web]\ncommand=/bin/cat\nfollow_command=/bin/true\n");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error() == d.configFile() +
                         ":4: [program:web] follow_command: follow_command needs role = promotable (this program's "
                         "role is none)");
}

TEST_CASE("cluster: an unknown key in [cluster] is a warning", "[config][cluster]") {
  ConfigDirectory d;
  auto c = loadCluster(d, "name=demo\netcd=127.0.0.1:2379\nlease=3\n");
  REQUIRE(c.ok());
  REQUIRE(c->warnings.size() == 1);
  CHECK(c->warnings[0] == d.configFile() + ":8: unknown key 'lease' in [cluster] (ignored)");
}
