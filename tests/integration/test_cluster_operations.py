#!/usr/bin/python3
"""Cluster mode's operator side and its edges, against real etcd and real nodes:
switchover and failover (with their refusals) through supervisorctl, maintenance, the
local ha.promote refused in a cluster, a failed promotion, a clean shutdown handing the
primary over at once, and etcd losing its quorum (no promotion anywhere; the primary
applies no_quorum_policy; an election once quorum returns).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import xmlrpc.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_harness import ClusterNodes, EtcdCluster  # noqa: E402

SUPERVISORCTL = os.path.abspath(os.environ.get(
    "SUPERVISORCTL_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin", "supervisorctl")))
SCORES = {"n1": 0, "n2": -5, "n3": -10}


class Nodes(unittest.TestCase):
    fresh_etcd_per_test = False

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="co-")
        # Class cleanups run even when setUpClass fails; etcd's data is ~370 MB.
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls.etcd = None if cls.fresh_etcd_per_test else EtcdCluster(os.path.join(cls.tmp, "etcd"))
        if cls.etcd:
            cls.addClassCleanup(cls.etcd.close)

    def setUp(self):
        name = self.id().split(".")[-1]
        directory = tempfile.mkdtemp(prefix="t", dir=self.tmp)  # short: socket paths <= 107 bytes
        etcd = self.etcd
        if etcd is None:
            etcd = EtcdCluster(os.path.join(directory, "etcd"))
            self.addCleanup(etcd.close)
        self.cluster_etcd = etcd
        self.nodes = ClusterNodes(directory, etcd, cluster_name=name.replace("_", "-"), start=False,
                                  cluster_options=self.cluster_options())
        self.addCleanup(self.nodes.close)
        for node, score in SCORES.items():
            self.nodes.knob(node, "score", score)
        for node in self.nodes.names:
            self.nodes.start(node)
        self.timeline = self.nodes.timeline
        self.expect(lambda: self.timeline.wait_for_primary("n1", timeout=20))
        self.expect(lambda: self.timeline.wait_for("n3", "follow", "n1", timeout=10))
        self.expect(lambda: self.wait_published_primary("n1"))

    def wait_published_primary(self, primary, timeout=10):
        """Until every node's view has `primary` published as primary (its entry lags its hook)."""
        deadline = time.monotonic() + timeout
        for node in self.nodes.names:
            while True:
                program = self.nodes.rpc(node).ha.getClusterState()["programs"][0]
                roles = {m["node"]: m["role"] for m in program["members"]}
                if program["leader"] == primary and roles.get(primary) == "primary":
                    break
                if time.monotonic() > deadline:
                    raise AssertionError("%s never saw %s published as primary: %s" % (node, primary, program))
                time.sleep(0.05)

    def cluster_options(self):
        return None

    def expect(self, wait):
        try:
            return wait()
        except AssertionError as e:
            raise AssertionError(str(e) + "\n" + self.nodes.diagnostics()) from e

    def ctl(self, node, *args):
        socket = os.path.join(self.nodes.daemon(node).tmp, "supervisor.sock")
        done = subprocess.run([SUPERVISORCTL, "-s", "unix://" + socket] + list(args),
                              capture_output=True, text=True, timeout=60)
        return done.stdout, done.returncode


class Operations(Nodes):
    def test_cluster_shows_nodes_roles_scores_and_the_lease(self):
        self.expect(lambda: self.timeline.wait_for("n2", "follow", "n1", timeout=10))
        out, code = self.ctl("n2", "cluster")
        self.assertEqual(code, 0, out)
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith("cluster test-cluster-shows-nodes-roles-scores-and-the-lease  node n2 "
                                            "(127.0.0.1:5402)  connected, lease "), out)
        self.assertEqual(lines[1], "db  primary n1 (127.0.0.1:5401)  (this node: replica)")
        self.assertEqual(lines[2:], ["  n1  127.0.0.1:5401  up  primary  score 0",
                                     "  n2  127.0.0.1:5402  up  replica  score -5",
                                     "  n3  127.0.0.1:5403  up  replica  score -10"])

    def test_switchover_to_a_named_node_then_to_the_best(self):
        before = time.monotonic()
        out, code = self.ctl("n2", "switchover", "db", "n3")
        self.assertEqual((out, code), ("db: switched over to n3\n", 0))
        demoted = self.expect(lambda: self.timeline.wait_for("n1", "replica", "demoted", after=before))
        promoted = self.expect(lambda: self.timeline.wait_for("n3", "primary", after=before))
        self.assertLess(demoted.time, promoted.time)
        self.expect(lambda: self.timeline.wait_for("n1", "follow", "n3", after=before))
        self.expect(lambda: self.timeline.wait_for("n2", "follow", "n3", after=before))
        self.timeline.assert_never_two_primaries()
        # The handover key is gone once done; a switchover without a node picks the best (n1, 0).
        self.expect(lambda: self.wait_no_handover("n3"))
        self.expect(lambda: self.wait_published_primary("n3"))
        out, code = self.ctl("n1", "switchover", "db")
        self.assertEqual((out, code), ("db: switched over to n1\n", 0))
        self.timeline.assert_never_two_primaries()

    def wait_no_handover(self, node, timeout=10):
        deadline = time.monotonic() + timeout
        while self.nodes.rpc(node).ha.getClusterState()["programs"][0]["handover"]:
            if time.monotonic() > deadline:
                raise AssertionError("the handover key stayed")
            time.sleep(0.1)

    def test_refusals(self):
        self.expect(lambda: self.timeline.wait_for("n2", "follow", "n1", timeout=10))
        cases = [
            (("switchover", "db", "n1"), "db: ERROR (n1 is already the primary)\n"),
            (("switchover", "db", "n9"), "db: ERROR (n9 is not a candidate (not running, no score, or not eligible))\n"),
            (("switchover", "nope"), "nope: ERROR (no such promotable program)\n"),
            (("failover", "db", "n2"), "db: ERROR (the primary n1 is healthy (use switchover))\n"),
            (("failover", "db"), None),
        ]
        for args, expected in cases:
            out, code = self.ctl("n2", *args)
            if expected is None:
                self.assertEqual(code, 2, out)
                self.assertTrue(out.startswith("Error: failover requires a program name and a node"), out)
                continue
            self.assertEqual((out, code), (expected, 1), args)
        rpc = self.nodes.rpc("n1")
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            rpc.ha.promote("db")
        self.assertEqual(caught.exception.faultCode, 203)
        self.assertEqual(caught.exception.faultString,
                         "CLUSTER_MANAGED: db: the cluster decides its role (use switchover)")
        self.assertEqual(self.timeline.current_primary(), "n1")

    def test_maintenance_stops_every_automatic_action(self):
        out, code = self.ctl("n3", "maintenance", "on")
        self.assertEqual((out, code), ("maintenance on: no automatic action in the cluster\n", 0))
        self.expect(lambda: self.wait_maintenance("n1", True))
        before = time.monotonic()
        self.nodes.rpc("n1").supervisor.stopProcess("db")  # the primary stops: no failover now
        time.sleep(3)
        self.assertEqual([e for e in self.timeline.events() if e.event == "primary" and e.time > before], [])
        out, code = self.ctl("n2", "switchover", "db")
        self.assertEqual((out, code), ("db: ERROR (the cluster is in maintenance)\n", 1))
        out, code = self.ctl("n2", "cluster")
        self.assertIn("\nmaintenance on: no automatic action\n", out)
        out, code = self.ctl("n3", "maintenance", "off")
        self.assertEqual((out, code), ("maintenance off: the cluster acts on failures again\n", 0))
        self.expect(lambda: self.timeline.wait_for("n2", "primary", after=before, timeout=15))
        self.timeline.assert_never_two_primaries()

    def wait_maintenance(self, node, on, timeout=10):
        deadline = time.monotonic() + timeout
        while self.nodes.rpc(node).ha.getClusterState()["maintenance"] != on:
            if time.monotonic() > deadline:
                raise AssertionError("maintenance never showed on " + node)
            time.sleep(0.1)

    def test_a_failed_promotion_gives_the_key_to_the_next_best(self):
        self.nodes.knob("n2", "promote_fail")
        before = time.monotonic()
        self.nodes.rpc("n1").supervisor.stopProcess("db")  # the primary stops: failover
        self.expect(lambda: self.timeline.wait_for("n2", "promote_failed", after=before, timeout=15))
        self.expect(lambda: self.timeline.wait_for("n3", "primary", after=before, timeout=20))
        self.timeline.assert_never_two_primaries()
        state = self.nodes.rpc("n3").ha.getClusterState()
        members = {m["node"]: m for m in state["programs"][0]["members"]}
        self.assertFalse(members["n2"]["eligible"])



class CleanShutdown(Nodes):
    # A lease far longer than the test waits: a promotion seen at all proves that nobody
    # waited for n1's lease to expire (no wall-clock bound to judge).
    LEASE_TTL = 60

    def cluster_options(self):
        return {"lease_ttl": str(self.LEASE_TTL)}

    def test_a_clean_shutdown_hands_the_primary_over_without_waiting_for_the_lease(self):
        before = time.monotonic()
        self.assertEqual(self.nodes.stop("n1"), 0)
        self.expect(lambda: self.timeline.wait_for("n2", "primary", after=before, timeout=self.LEASE_TTL / 2))
        self.timeline.assert_never_two_primaries()
        self.assertNotIn("/supervisor-ha/%s/programs/db/members/n1" % self.nodes.cluster_name, self.nodes.etcd_keys())


class EtcdQuorumLoss(Nodes):
    fresh_etcd_per_test = True  # this test stops etcd members

    def test_without_etcd_quorum_nobody_promotes_and_the_primary_demotes(self):
        self.expect(lambda: self.timeline.wait_for("n2", "follow", "n1", timeout=10))
        before = time.monotonic()
        self.cluster_etcd.stop(0)
        self.cluster_etcd.stop(1)  # 1 of 3 members left: no quorum
        self.expect(lambda: self.timeline.wait_for("n1", "replica", "demoted", after=before, timeout=15))
        time.sleep(4)  # well past the lease TTL: still nobody promotes
        self.assertEqual([e.node for e in self.timeline.events() if e.event == "primary" and e.time > before], [])
        self.assertEqual(self.timeline.current_primaries(), [])
        self.assertFalse(self.nodes.rpc("n2").ha.getClusterState()["connected"])
        self.cluster_etcd.restart(0)
        self.cluster_etcd.restart(1)
        self.expect(lambda: self.timeline.wait_for_primary(timeout=30))
        self.timeline.assert_never_two_primaries()


if __name__ == "__main__":
    unittest.main()
