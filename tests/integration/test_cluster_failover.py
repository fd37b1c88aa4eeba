#!/usr/bin/python3
"""Cluster mode against a real 3-member etcd and three real supervisord nodes: the
seed scenarios (a primary that cannot be restarted, a replica that dies, a partition
isolating the primary), the primary's node killed, and a flapping primary. Every
scenario asserts from the recorded role changes that there never were two primaries at
once and that the new primary is the best-scored replica.

Scores: n1 0 (in sync), n2 -5, n3 -10, so n1 is elected first and n2 is the best
replica. lease_ttl 3, fence_margin 1, settle 0.5 (cluster_harness.ClusterNodes).
"""
import os
import shutil
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_harness import ClusterNodes, EtcdCluster, role_program_section  # noqa: E402
from daemon_harness import wait_until  # noqa: E402
from watchdog_device import WatchdogDevice  # noqa: E402

SCORES = {"n1": 0, "n2": -5, "n3": -10}


class ClusterScenario(unittest.TestCase):
    """One etcd cluster for the class; each test runs its own three nodes in a cluster of
    its own name, so the tests share nothing but etcd."""

    program_extra = ""
    cluster_options = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cf-")
        # Class cleanups run even when setUpClass fails; etcd's data is ~370 MB.
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls.etcd = EtcdCluster(os.path.join(cls.tmp, "etcd"))
        cls.addClassCleanup(cls.etcd.close)

    def setUp(self):
        # Short: unix socket paths are limited to 107 bytes.
        directory = tempfile.mkdtemp(prefix="t", dir=self.tmp)
        self.before_nodes(directory)
        extra = self.program_extra

        def section(nodes, node):
            return role_program_section(nodes, node, extra=extra)

        self.nodes = ClusterNodes(directory, self.etcd, program_section_fn=section,
                                  cluster_name=self.id().split(".")[-1].replace("_", "-"), start=False,
                                  cluster_options=self.cluster_options)
        self.addCleanup(self.nodes.close)
        for node, score in SCORES.items():
            self.nodes.knob(node, "score", score)
        for node in self.nodes.names:
            self.nodes.start(node)
        self.timeline = self.nodes.timeline

    def before_nodes(self, directory):
        """What a scenario sets up in the nodes' directory (directory/<node>) before they exist."""

    def fail_with_diagnostics(self, error):
        """Fails with what the nodes saw: the timeline, etcd's keys, the daemons' logs."""
        raise AssertionError(str(error) + "\n" + self.nodes.diagnostics()) from error

    def wait(self, predicate, what, timeout=10):
        """daemon_harness.wait_until, failing with the nodes' diagnostics."""
        try:
            wait_until(predicate, timeout, what)
        except AssertionError as e:
            self.fail_with_diagnostics(e)

    def elect_n1(self):
        """The first election: n1 (best score) primary, n2 and n3 following it."""
        try:
            self.timeline.wait_for_primary("n1", timeout=20)
            self.timeline.wait_for("n2", "follow", "n1", timeout=10)
            self.timeline.wait_for("n3", "follow", "n1", timeout=10)
        except AssertionError as e:
            self.fail_with_diagnostics(e)

    def crash_for_good(self, node, why="killed -9 by the test"):
        """Kills the node's program, every later start of which fails at once (FATAL soon)."""
        self.nodes.knob(node, "crash")
        os.kill(self.program_pid(node), signal.SIGKILL)
        self.timeline.mark(node, "crashed", why)

    def wait_for_failover(self, primary, follower, after, follow_timeout=10):
        """`primary` promoted and `follower` following it since `after`, or fail with diagnostics."""
        try:
            self.timeline.wait_for_primary(primary, timeout=30)
            self.timeline.wait_for(follower, "follow", primary, after=after, timeout=follow_timeout)
        except AssertionError as e:
            self.fail_with_diagnostics(e)

    def program_pid(self, node):
        info = self.nodes.rpc(node).supervisor.getProcessInfo("db")
        return info["pid"]

    def cluster_state(self, node):
        return self.nodes.rpc(node).ha.getClusterState()

    def assert_one_primary_in_etcd(self, expected):
        states = {node: self.cluster_state(node) for node in self.nodes.names
                  if self.nodes.daemon(node).proc and self.nodes.daemon(node).proc.poll() is None}
        for node, state in states.items():
            program = state["programs"][0]
            self.assertEqual(program["leader"], expected, "%s sees %s" % (node, state))


class SeedScenarios(ClusterScenario):
    # A restart budget that escalates: a primary that crashes again and again fails over.
    program_extra = "restart_budget = 2 in 60s\non_budget_spent = escalate\n"

    def test_first_election_promotes_the_best_score_and_the_others_follow(self):
        self.elect_n1()
        self.timeline.wait_for("n1", "route", timeout=10)
        for node in ("n1", "n2", "n3"):  # notify_command runs on every node
            self.timeline.wait_for(node, "notify", "post promote n1", timeout=10)
        follow = self.nodes.hook_environment("n2", "follow")
        self.assertEqual(follow["SUPERVISOR_PRIMARY_NODE"], "n1")
        self.assertEqual(follow["SUPERVISOR_PRIMARY_ADDRESS"], self.nodes.address("n1"))
        self.assertEqual(follow["SUPERVISOR_NODE"], "n2")
        self.assertEqual(follow["SUPERVISOR_CLUSTER"], self.nodes.cluster_name)
        promote = self.nodes.hook_environment("n1", "promote")
        self.assertEqual(promote["SUPERVISOR_NODE_ADDRESS"], self.nodes.address("n1"))
        # The candidates' scores were taken for the election (a replica may stop receiving
        # from an old primary then: the MariaDB example does), not by the periodic refresh.
        self.assertEqual(self.nodes.hook_environment("n2", "score")["SUPERVISOR_REASON"], "election")
        self.assert_one_primary_in_etcd("n1")
        state = self.cluster_state("n2")
        members = {m["node"]: m for m in state["programs"][0]["members"]}
        self.assertEqual(members["n1"]["role"], "primary")
        self.assertEqual((members["n2"]["role"], members["n2"]["score"]), ("replica", -5))
        self.assertTrue(state["connected"])
        self.assertEqual(self.nodes.rpc("n1").ha.getPolicyState("db")["role"], "primary")
        self.timeline.assert_never_two_primaries()

    def test_seed1_a_primary_that_cannot_be_restarted_fails_over_to_the_best_replica(self):
        self.elect_n1()
        before = time.monotonic()
        self.crash_for_good("n1")
        self.wait_for_failover("n2", "n3", after=before)
        self.timeline.assert_never_two_primaries()
        self.assertEqual(self.timeline.current_primary(), "n2")  # n2 is the best replica (-5 > -10)
        self.assert_one_primary_in_etcd("n2")
        self.assertEqual(self.nodes.rpc("n1").supervisor.getProcessInfo("db")["statename"], "FATAL")

    def test_seed2_a_replica_that_dies_is_restarted_locally_without_failover(self):
        self.elect_n1()
        before = time.monotonic()
        os.kill(self.program_pid("n2"), signal.SIGKILL)
        self.timeline.mark("n2", "crashed", "killed -9 by the test")
        try:
            self.timeline.wait_for("n2", "replica", "start", after=before, timeout=15)
            self.timeline.wait_for("n2", "follow", "n1", after=before, timeout=15)
        except AssertionError as e:
            self.fail_with_diagnostics(e)
        self.assertEqual(self.timeline.current_primary(), "n1")
        self.assertEqual([e.node for e in self.timeline.events() if e.event == "primary"], ["n1"])
        self.timeline.assert_never_two_primaries()

    def test_seed3_a_partition_isolates_the_primary_which_demotes_and_the_majority_promotes(self):
        self.elect_n1()
        before = time.monotonic()
        self.nodes.cut("n1", "blackhole")
        try:
            demoted = self.timeline.wait_for("n1", "replica", "demoted", after=before, timeout=15)
            promoted = self.timeline.wait_for("n2", "primary", after=before, timeout=20)
            self.timeline.wait_for("n3", "follow", "n2", after=before, timeout=10)
        except AssertionError as e:
            self.fail_with_diagnostics(e)
        # The isolated primary stepped down before the majority promoted.
        self.assertLess(demoted.time, promoted.time, self.timeline.dump())
        self.timeline.assert_never_two_primaries()
        state = self.cluster_state("n1")
        self.assertFalse(state["connected"])
        # Healed, n1 comes back as a replica of n2.
        self.nodes.heal("n1", drop_stalled=True)
        try:
            self.timeline.wait_for("n1", "follow", "n2", after=before, timeout=20)
        except AssertionError as e:
            self.fail_with_diagnostics(e)
        self.assertEqual(self.timeline.current_primary(), "n2")
        self.timeline.assert_never_two_primaries()

    def test_the_primary_node_killed_fails_over_after_the_lease_ttl(self):
        self.elect_n1()
        before = time.monotonic()
        self.nodes.kill("n1")
        try:
            promoted = self.timeline.wait_for("n2", "primary", after=before, timeout=20)
        except AssertionError as e:
            self.fail_with_diagnostics(e)
        # No sooner than the lease could expire (TTL 3 s), and not much later.
        self.assertGreater(promoted.time - before, 2.5, self.timeline.dump())
        self.timeline.assert_never_two_primaries()
        self.assert_one_primary_in_etcd("n2")


class FlappingPrimary(ClusterScenario):
    # Crashes after a second of running: restarts count against the budget, then escalate.
    program_extra = "restart_budget = 2 in 60s\non_budget_spent = escalate\n"

    def test_a_flapping_primary_fails_over_once_and_the_new_primary_stays(self):
        self.elect_n1()
        before = time.monotonic()
        rpc = self.nodes.rpc("n1")
        for _ in range(3):  # n1's program dies three times in a row, each time once RUNNING
            deadline = time.monotonic() + 15
            while rpc.supervisor.getProcessInfo("db")["statename"] != "RUNNING":
                self.assertLess(time.monotonic(), deadline, self.nodes.diagnostics())
                time.sleep(0.05)
            os.kill(self.program_pid("n1"), signal.SIGKILL)
            self.timeline.mark("n1", "crashed", "killed -9 by the test")
            time.sleep(0.2)
        try:
            self.timeline.wait_for_primary("n2", timeout=30)
        except AssertionError as e:
            self.fail_with_diagnostics(e)
        time.sleep(2)  # no ping-pong: n2 stays primary
        self.assertEqual(self.timeline.current_primary(), "n2")
        primaries = [e.node for e in self.timeline.events() if e.event == "primary" and e.time > before]
        self.assertEqual(primaries.count("n2"), 1, self.timeline.dump())
        self.timeline.assert_never_two_primaries()
        policy = self.nodes.rpc("n1").ha.getPolicyState("db")
        self.assertIn("budget", policy["escalation"])


class PrimaryStartTimeoutZero(ClusterScenario):
    """[cluster] primary_start_timeout = 0: a primary whose program exits gives the key to
    the election at once, although the program restarts (a database whose crash recovery
    may drop acknowledged transactions must not become primary again on its own)."""
    cluster_options = {"primary_start_timeout": "0"}

    def test_a_crashed_primary_that_restarts_is_replaced_by_the_best_replica(self):
        self.elect_n1()
        before = time.monotonic()
        # After its crash n1 has less than n2 (its score says so once it runs again).
        self.nodes.knob("n1", "score", -20)
        os.kill(self.program_pid("n1"), signal.SIGKILL)
        self.timeline.mark("n1", "crashed", "killed -9 by the test")
        try:
            self.timeline.wait_for_primary("n2", timeout=30)
            self.timeline.wait_for("n3", "follow", "n2", after=before, timeout=15)
            self.timeline.wait_for("n1", "follow", "n2", after=before, timeout=15)  # restarted, a replica
        except AssertionError as e:
            self.fail_with_diagnostics(e)
        self.timeline.assert_never_two_primaries()
        self.assertEqual([e.node for e in self.timeline.events() if e.event == "primary" and e.time > before],
                         ["n2"], self.timeline.dump())
        self.assertEqual(self.nodes.rpc("n1").supervisor.getProcessInfo("db")["statename"], "RUNNING")
        self.assert_one_primary_in_etcd("n2")


class ReleaseWithoutQuorum(ClusterScenario):
    """The primary's program goes down for good while etcd has no quorum: its release of
    the leader key fails. Found by the nemesis: the release was never asked for again, so
    the node kept the key (its lease renewed once etcd was back) and nobody was primary."""

    def test_a_release_that_failed_while_etcd_had_no_quorum_is_done_once_it_is_back(self):
        self.elect_n1()
        before = time.monotonic()
        stopped = [1, 2]  # 2 of 3 members: no quorum
        for i in stopped:
            self.etcd.stop(i)
        self.addCleanup(self.restart_etcd, stopped)
        self.crash_for_good("n1", "killed -9 by the test, etcd without quorum")
        self.nodes.daemon("n1").wait_for_log(r"db: could not release the leader key", timeout=30)
        self.restart_etcd(stopped)
        self.wait_for_failover("n2", "n3", after=before, follow_timeout=15)
        self.timeline.assert_never_two_primaries()
        self.assert_one_primary_in_etcd("n2")

    def restart_etcd(self, members):
        for i in members:
            if not self.etcd.running(i):
                self.etcd.restart(i, wait=False)
        self.etcd.wait_healthy(timeout=60)


class OneWayPartition(ClusterScenario):
    """The primary's etcd link drops what etcd answers, not what the node sends (found by
    the nemesis's partition-node-in): its renewals keep reaching etcd unconfirmed. It
    fences, and gives that lease up after lease_ttl without a confirmed renewal, so the
    lease and its leader key go and the others elect, instead of nobody being primary for
    as long as the cut lasts."""

    def test_a_primary_whose_renewals_arrive_unanswered_fences_and_its_lease_goes(self):
        self.elect_n1()
        before = time.monotonic()
        self.nodes.link("n1").cut("hold-to-client")
        self.timeline.mark("n1", "cut", "etcd's answers held")
        try:
            demoted = self.timeline.wait_for("n1", "replica", "demoted", after=before, timeout=15)
            promoted = self.timeline.wait_for("n2", "primary", after=before, timeout=30)
        except AssertionError as e:
            self.fail_with_diagnostics(e)
        self.assertLess(demoted.time, promoted.time, self.timeline.dump())
        self.assertIn("given up: no renewal confirmed for 3 s (lease_ttl)", self.nodes.daemon("n1").log())
        self.timeline.assert_never_two_primaries()
        self.nodes.heal("n1")
        try:
            self.timeline.wait_for("n1", "follow", "n2", after=before, timeout=30)
        except AssertionError as e:
            self.fail_with_diagnostics(e)
        self.assertEqual(self.timeline.current_primary(), "n2")
        self.timeline.assert_never_two_primaries()


class MinCandidates(ClusterScenario):
    """[cluster] min_candidates = 2: an election needs two candidates in sight. Found by the
    nemesis: with the primary crashed and the other replica cut off from etcd, the one
    replica left, far behind, was elected and acknowledged rows were lost."""
    cluster_options = {"min_candidates": "2"}

    def test_a_lone_replica_is_not_elected_until_a_second_candidate_is_back(self):
        self.elect_n1()
        self.nodes.stop("n3")  # n3 down (its lease revoked: its entry gone)
        before = time.monotonic()
        self.nodes.kill("n1")  # the primary's node lost: n2 is the only candidate left
        # Once n1's lease has expired (its leader key gone), n2 takes its score for an
        # election, finds itself alone and holds off; it tries again after the hold-off
        # (settle + 1 s), alone again. Seen both times: it has not promoted.
        leader_key = "/supervisor-ha/%s/programs/db/leader" % self.nodes.cluster_name
        self.wait(lambda: leader_key not in self.nodes.etcd_keys(), "n1's leader key to expire", timeout=15)
        gone = time.time()
        score_env = os.path.join(self.nodes.state_dir, "n2.score.env")

        def tried_again():
            env = self.nodes.hook_environment("n2", "score") or {}
            return env.get("SUPERVISOR_REASON") == "election" and os.path.getmtime(score_env) > gone + 2.0
        self.wait(tried_again, "n2's second election attempt", timeout=20)
        self.assertNotIn("n2", [e.node for e in self.timeline.events() if e.event == "primary" and e.time > before],
                         self.timeline.dump())
        self.nodes.start("n3")
        try:
            self.timeline.wait_for_primary("n2", timeout=30)  # the better of the two
            self.timeline.wait_for("n3", "follow", "n2", after=before, timeout=15)
        except AssertionError as e:
            self.fail_with_diagnostics(e)
        self.timeline.assert_never_two_primaries()


class SlowElectionScore(ClusterScenario):
    """A candidate whose election score comes late is waited for (up to settle + lease_ttl),
    not judged by the score it published before the leader went. Found by the nemesis: right
    after etcd regained quorum a replica was elected with one transaction less than another
    candidate had reported 0.5 s before."""

    def test_a_late_but_better_election_score_is_waited_for_and_wins(self):
        self.elect_n1()
        # n3's periodic score says -10 (n2: -5); taken for the election (a replica's last
        # word: it stops receiving) it says 5, and it takes 2 s, four times settle.
        self.nodes.knob("n3", "election_score", 5)
        self.nodes.knob("n3", "score_sleep", 2)
        before = time.monotonic()
        self.crash_for_good("n1")
        self.wait_for_failover("n3", "n2", after=before)
        self.timeline.assert_never_two_primaries()
        promoted = [e.node for e in self.timeline.events() if e.event == "primary" and e.time > before]
        self.assertEqual(promoted, ["n3"], self.timeline.dump())


class WatchdogScenario(ClusterScenario):
    """[cluster] watchdog_mode = required: a primary arms its watchdog device before it
    promotes, and feeds it at each lease renewal. Each node's device is a FIFO in its
    directory read by a WatchdogDevice, which resets the node (kills its supervisord and
    everything below it) as the kernel's would. lease_ttl 5, fence_margin 3: without a
    renewal the fence demotes at 2 s, the device fires at 4 s, the lease expires at 5 s."""
    cluster_options = {"lease_ttl": "5", "fence_margin": "3", "watchdog_mode": "required",
                       "watchdog_device": "%(here)s/watchdog"}
    with_device = ("n1", "n2", "n3")

    def before_nodes(self, directory):
        self.devices = {}
        for node in self.with_device:
            os.makedirs(os.path.join(directory, node))
            device = WatchdogDevice(os.path.join(directory, node, "watchdog"), 4,
                                    reset=lambda node=node: self.nodes.kill(node))
            self.addCleanup(device.close)  # after the nodes have stopped (cleanups run last first)
            self.devices[node] = device


class Watchdog(WatchdogScenario):
    def test_a_frozen_primary_is_reset_by_its_watchdog_before_another_node_is_promoted(self):
        self.elect_n1()
        self.wait(lambda: self.devices["n1"].armed, "n1's watchdog armed")  # before it promoted
        self.assertEqual((len(self.devices["n1"].armings), self.devices["n2"].armings), (1, []))
        before = time.monotonic()
        os.kill(self.nodes.daemon("n1").proc.pid, signal.SIGSTOP)  # its loop stops; its program runs on
        self.timeline.mark("n1", "frozen", "SIGSTOP to its supervisord")
        try:
            promoted = self.timeline.wait_for("n2", "primary", after=before, timeout=30)
        except AssertionError as e:
            self.fail_with_diagnostics(e)
        self.assertEqual(len(self.devices["n1"].fired), 1, self.timeline.dump())
        # The device reset n1 (the "killed" line) before n2 was promoted: never two primaries,
        # although n1's supervisord could not demote anything.
        killed = [e for e in self.timeline.events() if e.node == "n1" and e.event == "killed"]
        self.assertEqual(len(killed), 1, self.timeline.dump())
        self.assertLess(killed[0].time, promoted.time, self.timeline.dump())
        self.timeline.assert_never_two_primaries()
        self.wait(lambda: self.devices["n2"].armed, "n2's watchdog armed")

    def test_a_primary_cut_off_from_etcd_demotes_and_disarms_its_watchdog_before_it_fires(self):
        self.elect_n1()
        before = time.monotonic()
        self.nodes.cut("n1", "blackhole")
        try:
            demoted = self.timeline.wait_for("n1", "replica", "demoted", after=before, timeout=15)
            promoted = self.timeline.wait_for("n2", "primary", after=before, timeout=20)
        except AssertionError as e:
            self.fail_with_diagnostics(e)
        self.assertLess(demoted.time, promoted.time, self.timeline.dump())
        self.wait(lambda: self.devices["n1"].disarmed, "n1's watchdog disarmed")
        self.assertEqual(self.devices["n1"].fired, [])
        self.assertIsNone(self.nodes.daemon("n1").proc.poll())  # not reset: the fence was enough
        self.assertIn("watchdog %s disarmed (no primary on this node)" % self.devices["n1"].path,
                      self.nodes.daemon("n1").log())
        self.timeline.assert_never_two_primaries()


class WatchdogMissing(WatchdogScenario):
    with_device = ("n2", "n3")  # n1's device is missing

    def test_required_a_node_whose_watchdog_cannot_be_armed_is_never_promoted(self):
        try:
            self.timeline.wait_for_primary("n2", timeout=30)
            self.timeline.wait_for("n1", "follow", "n2", timeout=15)
        except AssertionError as e:
            self.fail_with_diagnostics(e)
        self.assertNotIn("n1", [e.node for e in self.timeline.events() if e.event == "primary"])
        log = self.nodes.daemon("n1").log()
        self.assertIn("cluster: watchdog %s: cannot open it: No such file or directory (watchdog_mode = "
                      "required: not promoting)" % os.path.join(self.nodes.daemon("n1").tmp, "watchdog"), log)
        self.wait(lambda: self.devices["n2"].armed, "n2's watchdog armed")
        self.timeline.assert_never_two_primaries()


if __name__ == "__main__":
    unittest.main()
