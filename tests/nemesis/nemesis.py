#!/usr/bin/python3
"""The nemesis: examples/mysql-ha (three MariaDB nodes, each run by our supervisord, a
3-member etcd, every cross-node connection through a proxy: one per node to etcd, one per
node for its clients, one per ordered pair of nodes for replication) under random,
overlapping faults for a bounded time, with a writer recording every row it was told is
committed, a reader recording MAX(id) through the route every 20 ms (bin/reader.pl), and a
thread recording every change of etcd's leader key (run_scenarios.LeaderKeys); then a
checker over the whole history.

usage: nemesis.py [--minutes N] [--seed S] [--overlap K] [--keep]
  --minutes N   how long faults are injected (default 30; the end checks come after)
  --seed S      the random seed (printed at the start: a run can be replayed)
  --overlap K   at most K faults at once (default 2)

Faults (each on a node or on etcd that has no other fault running):
  kill-primary-db     kill -9 of the primary's mariadbd (restarted locally)
  kill-replica-db     kill -9 of a replica's mariadbd
  kill-supervisord    kill -9 of a node's supervisord (primary or not), started again later
  partition-node      one node cut off from everything (etcd, clients, replication in and out),
                      healed later
  partition-node-in   the same, one way: nothing reaches the node (what it sends arrives, no
                      answer comes back: its lease renewals reach etcd, their answers do not)
  partition-node-out  the other way: nothing the node sends arrives
  partition-etcd      the primary cut off from etcd only
  freeze-supervisord  SIGSTOP of the primary's supervisord for longer than lease_ttl, then SIGCONT
                      (its watchdog, node.conf's watchdog_mode = required, resets the node first:
                      each node's device is a FIFO read by tests/integration/watchdog_device.py,
                      whose reset kills the node and reboots it a second later)
  freeze-db           SIGSTOP of the primary's mariadbd (a hung database), then SIGCONT
  etcd-quorum         2 of the 3 etcd members stopped, then started again
  replica-lag         a replica's applier stopped for a while (STOP SLAVE SQL_THREAD)
  flapping            the primary's mariadbd killed -9 twice in a row, within its restart budget

Checks at the end (exit 1 naming each violation): every acknowledged row is on the final
primary and on every replica (each caught up with it); no id twice; never two nodes acting
as primary at once (from the hooks' role events), except a frozen supervisord's own window,
reported apart with its length; every route change made by the node that was primary then;
the final route points at the final primary; every election promoted its best candidate
(no other node that reported an "election_score" in that election, and was neither restarted
nor hit by a fault before the promotion, reported a higher one: run_scenarios'
election_violations); every promotion ("primary" and "promoted" events) happened while
etcd's leader key named the promoted node, as polled every 50 ms (leader_key_violations);
monotonic reads: no read through the route lower than an earlier one (with lossless
semi-sync a visible row is on a replica, and the election takes the replica with the most).
Figures: faults by kind, watchdog resets, rows acknowledged, reads, elections checked, leader-key changes
seen in etcd, availability (share of the time writes were acknowledged), write outage after
each fault kind (median, p99, max).
"""
import argparse
import collections
import importlib.util
import os
import random
import signal
import statistics
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("SUPERVISORD_BIN", os.path.join(ROOT, "build", "bin", "supervisord"))
_spec = importlib.util.spec_from_file_location(
    "run_scenarios", os.path.join(ROOT, "examples", "mysql-ha", "run_scenarios.py"))
rs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rs)

LEASE_TTL = 3.0            # examples/mysql-ha/node.conf
OUTAGE_GAP = 0.25          # a pause between acknowledged writes longer than this is an outage
RECOVERY = 5.0             # an instantaneous fault on a node counts as running this long
# Faults that take a node's copy of the data away. One at a time: with one semi-sync
# acknowledgement a row may be on the primary and one replica only, so two nodes lost at
# once is beyond what the cluster promises (README, the MariaDB example's limits).
NODE_DOWN = {"kill-primary-db", "kill-replica-db", "kill-supervisord", "partition-node", "partition-node-in",
             "partition-node-out", "freeze-supervisord", "freeze-db", "flapping"}


class Fault:
    def __init__(self, kind, target, until=None, heal=None):
        self.kind = kind
        self.target = target        # a node name, or "etcd"
        self.started = time.time()
        self.until = until          # epoch seconds, or None: instantaneous
        self.heal = heal
        self.healed = None


class Nemesis:
    def __init__(self, run, rng, overlap):
        self.run = run
        self.rng = rng
        self.overlap = overlap
        self.active = []
        self.recovering = []        # healed faults of NODE_DOWN whose failover is not over yet
        self.history = []
        self.frozen = []            # (node, start, end): a frozen supervisord or mariadbd
        self.writable_while_frozen = []  # (node, seconds): the frozen node's server still writable
        self.kinds = {
            "kill-primary-db": self.kill_primary_db,
            "kill-replica-db": self.kill_replica_db,
            "kill-supervisord": self.kill_supervisord,
            "partition-node": lambda: self.partition_node("both"),
            "partition-node-in": lambda: self.partition_node("in"),
            "partition-node-out": lambda: self.partition_node("out"),
            "partition-etcd": self.partition_etcd,
            "freeze-supervisord": self.freeze_supervisord,
            "freeze-db": self.freeze_db,
            "etcd-quorum": self.etcd_quorum,
            "replica-lag": self.replica_lag,
            "flapping": self.flapping,
        }

    # -- choosing --

    def busy(self):
        return {f.target for f in self.active}

    def primary(self):
        """The node the timeline calls primary, if exactly one and it has no fault running."""
        primaries = self.run.timeline.current_primaries()
        if len(primaries) == 1 and primaries[0] not in self.busy():
            return primaries[0]
        return None

    def free_nodes(self, role=None):
        primary = self.run.timeline.current_primaries()
        nodes = [n for n in rs.NODES if n not in self.busy() and self.run.nodes[n].proc.poll() is None]
        if role == "replica":
            nodes = [n for n in nodes if n not in primary]
        return nodes

    def step(self):
        """Heals what is due, then maybe starts one more fault."""
        now = time.time()
        for fault in [f for f in self.active if f.until is not None and f.until <= now]:
            self.end(fault)
        # A fault that took a node's data away counts until the cluster has one primary
        # again: until then the election it set off has not happened, and a second such
        # fault would be two nodes lost at once (seed 1: a crashed primary's recovery
        # truncated a row only one replica had; etcd without quorum delayed the election;
        # that replica was cut off when it came).
        for fault in [f for f in self.recovering if self.settled()]:
            self.recovering.remove(fault)
        if len(self.active) + len(self.recovering) >= self.overlap:
            return
        kinds = list(self.kinds)
        self.rng.shuffle(kinds)
        node_down = any(f.kind in NODE_DOWN for f in self.active + self.recovering)
        for kind in kinds:
            if node_down and kind in NODE_DOWN:
                continue
            fault = self.kinds[kind]()
            if fault is not None:
                self.history.append(fault)
                if fault.until is None:  # instantaneous: its node is busy while it recovers
                    fault.until = fault.started + RECOVERY
                self.active.append(fault)
                self.run.step("fault %-18s on %s%s" % (kind, fault.target, "" if fault.until is None else
                                                        " for %.1f s" % (fault.until - fault.started)))
                rs.mark(self.run.timeline, fault.target if fault.target in rs.NODES else "etcd", "fault", kind)
                return

    def end(self, fault):
        if fault.heal:
            try:
                fault.heal()
            except AssertionError as e:  # the checker will see what it left
                self.run.step("healing %s on %s failed: %s" % (fault.kind, fault.target, e))
        fault.healed = time.time()
        self.active.remove(fault)
        if fault.kind in NODE_DOWN and not self.settled():
            self.recovering.append(fault)
        rs.mark(self.run.timeline, fault.target if fault.target in rs.NODES else "etcd", "healed", fault.kind)

    def settled(self):
        """One primary, as the hooks' role events tell."""
        return len(self.run.timeline.current_primaries()) == 1

    def end_all(self):
        for fault in list(self.active):
            self.end(fault)

    def duration(self, low, high):
        return self.rng.uniform(low, high)

    # -- the faults --

    def kill_db(self, name):
        try:
            os.kill(self.run.nodes[name].mariadbd_pid(), signal.SIGKILL)
            return True
        except (OSError, ValueError):
            return False

    def kill_primary_db(self):
        p = self.primary()
        if not p or not self.kill_db(p):
            return None
        rs.mark(self.run.timeline, p, "crashed", "mariadbd -9 (nemesis)")
        return Fault("kill-primary-db", p)

    def kill_replica_db(self):
        replicas = self.free_nodes("replica")
        if not replicas:
            return None
        r = self.rng.choice(replicas)
        return Fault("kill-replica-db", r) if self.kill_db(r) else None

    def kill_supervisord(self):
        nodes = self.free_nodes()
        if not nodes:
            return None
        name = self.rng.choice(nodes)
        node = self.run.nodes[name]
        with node.lock:  # not while its watchdog resets it
            if not node.running():
                return None
            node.proc.kill()
            node.proc.wait()
        # If it was the primary, its watchdog (armed, no longer fed) resets the node 2 s
        # later and the node reboots; heal() then finds it running. Its mariadbd dies with it (bin/mariadbd-node: a parent-death signal): from then on
        # the node acts as nothing.
        rs.wait(lambda: not process_alive_pid_file(node), 30, "%s's mariadbd to die with its supervisord" % name)
        rs.mark(self.run.timeline, name, "killed", "supervisord -9, mariadbd with it (nemesis)")

        def heal():
            node.start()
        return Fault("kill-supervisord", name, time.time() + self.duration(1, 6), heal)

    def partition_node(self, direction):
        nodes = self.free_nodes()
        if not nodes:
            return None
        name = self.rng.choice(nodes)
        node = self.run.nodes[name]
        node.cut(direction)
        kind = "partition-node" if direction == "both" else "partition-node-" + direction
        return Fault(kind, name, time.time() + self.duration(2, 10), node.heal)

    def partition_etcd(self):
        p = self.primary()
        if not p:
            return None
        link = self.run.nodes[p].etcd_link
        link.cut("reset")
        return Fault("partition-etcd", p, time.time() + self.duration(2, 10), link.heal)

    def freeze_supervisord(self):
        p = self.primary()
        if not p:
            return None
        node = self.run.nodes[p]
        pid = node.proc.pid
        os.kill(pid, signal.SIGSTOP)
        start = time.time()
        stop = threading.Event()
        watcher = threading.Thread(target=self.watch_frozen, args=(p, start, stop), daemon=True)
        watcher.start()

        def heal():
            with node.lock:
                if node.proc.pid == pid:  # not reset (and rebooted) by its watchdog meanwhile
                    try:
                        os.kill(pid, signal.SIGCONT)
                    except ProcessLookupError:
                        pass
            stop.set()
            watcher.join()
            self.frozen.append((p, start, time.time()))
        return Fault("freeze-supervisord", p, start + LEASE_TTL + self.duration(1, 4), heal)

    def watch_frozen(self, name, start, stop):
        """While `name`'s supervisord is frozen: how long its server stays writable
        (read_only OFF) after another node has become primary."""
        node = self.run.nodes[name]
        writable_since = None
        longest = 0.0
        while not stop.wait(0.05):
            others = [n for n in self.run.timeline.current_primaries() if n != name]
            if not others:
                continue
            try:
                writable = node.sql("SELECT @@GLOBAL.read_only").strip() == "0"
            except Exception:
                writable = False
            now = time.time()
            if writable and writable_since is None:
                writable_since = now
            if writable_since is not None:
                longest = max(longest, now - writable_since)
                if not writable:
                    writable_since = None
        self.writable_while_frozen.append((name, longest))

    def freeze_db(self):
        p = self.primary()
        if not p:
            return None
        try:
            pid = self.run.nodes[p].mariadbd_pid()
            os.kill(pid, signal.SIGSTOP)
        except (OSError, ValueError):
            return None
        start = time.time()

        def heal():
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
            # A hung server acts as nothing; its node counts as primary until it is
            # restarted (liveness probe) or thawed: reported apart, as a frozen window.
            self.frozen.append((p, start, time.time()))
        return Fault("freeze-db", p, time.time() + self.duration(2, 8), heal)

    def etcd_quorum(self):
        if "etcd" in self.busy():
            return None
        members = self.rng.sample(range(3), 2)
        for i in members:
            self.run.etcd.stop(i)

        def heal():
            for i in members:
                self.run.etcd.restart(i, wait=False)
            self.run.etcd.wait_healthy(timeout=60)
        return Fault("etcd-quorum", "etcd", time.time() + self.duration(2, 8), heal)

    def replica_lag(self):
        replicas = self.free_nodes("replica")
        if not replicas:
            return None
        name = self.rng.choice(replicas)
        node = self.run.nodes[name]
        try:
            node.sql("STOP SLAVE SQL_THREAD")
        except AssertionError:
            return None

        def heal():
            try:
                node.sql("START SLAVE SQL_THREAD")
            except AssertionError:
                pass  # it was promoted meanwhile, or restarted: nothing to resume
        return Fault("replica-lag", name, time.time() + self.duration(2, 10), heal)

    def flapping(self):
        p = self.primary()
        if not p or not self.kill_db(p):
            return None
        rs.mark(self.run.timeline, p, "crashed", "mariadbd -9 (nemesis, flapping)")
        node = self.run.nodes[p]

        def again():
            # Once it is back (RUNNING), kill it again: two crashes within its budget.
            try:
                rs.wait(lambda: node.rpc().supervisor.getProcessInfo(rs.PROGRAM)["statename"] == "RUNNING",
                        30, "%s's mariadb back" % p)
            except Exception:
                return
            if self.kill_db(p) and p in self.run.timeline.current_primaries():
                rs.mark(self.run.timeline, p, "crashed", "mariadbd -9 again (nemesis, flapping)")
        return Fault("flapping", p, time.time() + 0.1, again)


def process_alive_pid_file(node):
    try:
        pid = node.mariadbd_pid()
    except (OSError, ValueError):
        return False
    try:
        with open("/proc/%d/status" % pid) as f:
            return "\nState:\tZ" not in f.read()
    except OSError:
        return False


# ---- the checker -------------------------------------------------------------------------------

def settle(run):
    """After the faults: every node running, one primary, the route on it, every replica
    replicating from it and caught up. Returns the primary."""
    for node in run.nodes.values():
        if node.proc.poll() is not None:
            node.start()
    run.etcd.wait_healthy(timeout=60)
    primary = rs.wait(lambda: (lambda p: p[0] if len(p) == 1 else None)(run.timeline.current_primaries()),
                      120, "a single primary after the faults")
    rs.wait(lambda: run.route() == run.nodes[primary].advertise, 60, "the route to the final primary")
    rs.wait(lambda: len(run.writer.acks_on(run.nodes[primary].advertise, time.time() - 1)) > 0
            or run.writer.proc.poll() is not None, 60, "writes on the final primary")
    return primary


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def check(run, nemesis, primary, began, ended):
    violations = []
    # Every replica follows the final primary cleanly and has caught up (check_best asserts).
    for other in run.others(primary):
        try:
            rs.wait(lambda: run.nodes[other].sql("SHOW SLAVE STATUS\\G").count("Running: Yes") == 2, 120,
                    "%s replicating from %s" % (other, primary))
            run.check_best(primary, other)
        except AssertionError as e:
            violations.append("replica %s: %s" % (other, str(e).split("\n")[0]))
    run.writer.stop()
    run.reader.stop()
    run.leader_keys.stop()
    acked = run.writer.acked()
    acked_ids = {a[0] for a in acked}
    errors = run.writer.errors()
    position = run.nodes[primary].sql("SELECT @@GLOBAL.gtid_binlog_pos").strip()
    for name, node in run.nodes.items():
        try:
            if name != primary:
                waited = node.sql("SELECT MASTER_GTID_WAIT('%s', 50)" % position).strip()
                if waited != "0":
                    violations.append("%s has not caught up with %s's %s" % (name, primary, position))
            rows = node.sql("SELECT id FROM demo.w").split()
        except AssertionError as e:
            violations.append("%s: %s" % (name, e))
            continue
        ids = {int(x) for x in rows}
        if len(ids) != len(rows):
            violations.append("%s holds %d ids twice" % (name, len(rows) - len(ids)))
        lost = sorted(acked_ids - ids)
        if lost:
            violations.append("%d acknowledged rows missing on %s: %s" % (len(lost), name, lost[:20]))
    # Two primaries at once, a frozen supervisord's own window apart.
    frozen_overlaps = []
    for (a, a0, a1), (b, b0, b1) in run.timeline.overlaps():
        start, end = max(a0, b0), min(a1, b1)
        if any(node in (a, b) and f0 <= start and start <= f1 + 2.0 for node, f0, f1 in nemesis.frozen):
            frozen_overlaps.append(end - start)
        else:
            violations.append("two primaries at once: %s and %s for %.3f s from %.3f" % (a, b, end - start, start))
    # Every route change was made by the node primary at that moment.
    intervals = run.timeline.primary_intervals()
    for e in run.timeline.events():
        if e.event == "route":
            spans = intervals.get(e.node, [])
            if not any(s <= e.time and (t is None or e.time <= t) for s, t in spans):
                violations.append("%s moved the route at %.3f while not primary" % (e.node, e.time))
    if run.route() != run.nodes[primary].advertise:
        violations.append("the final route %s is not the final primary %s" % (run.route(), primary))
    history, counts = check_history(run, nemesis)
    violations += history
    # Figures.
    times = sorted(a[1] for a in acked if began <= a[1] <= ended)
    outage = sum(later - earlier for earlier, later in zip([began] + times, times + [ended])
                 if later - earlier > OUTAGE_GAP)
    availability = 1.0 - outage / max(ended - began, 1e-9)
    outages = collections.defaultdict(list)
    for fault in nemesis.history:
        after = [t for t in times if t >= fault.started]
        nearest = after[0] if after else ended
        outages[fault.kind].append(nearest - fault.started if nearest - fault.started > OUTAGE_GAP else 0.0)
    return violations, {
        "acked": len(acked_ids), "errors": errors, "availability": availability, "outages": outages,
        "frozen_overlaps": frozen_overlaps, "writable_while_frozen": nemesis.writable_while_frozen,
        "watchdog_resets": {name: len(node.resets) for name, node in run.nodes.items()},
        **counts,
    }


def check_history(run, nemesis):
    """The checks on the recorded history alone (they also run when the cluster did not
    settle): every election won by the best score, every promotion under etcd's leader key,
    no read going backwards. The reader and LeaderKeys must be stopped. Returns (violations,
    counts for the report)."""
    violations = []
    events = run.timeline.events()
    worse, elections = rs.election_violations(events, disturbed(nemesis))
    violations += worse
    violations += rs.leader_key_violations(events, run.leader_keys)
    reads = run.reader.reads()
    backward = rs.backward_reads(reads)
    for (value, t, target), (best, t0, target0) in backward[:5]:
        violations.append("read %d at %.3f on %s after an earlier read of %d at %.3f on %s" % (
            value, t, target, best, t0, target0))
    if len(backward) > 5:
        violations.append("... %d reads went backwards in all" % len(backward))
    return violations, {
        "reads": len(reads), "read_errors": run.reader.error_count, "elections": elections,
        "leader_changes": len(run.leader_keys.changes), "leader_polls": run.leader_keys.polls,
    }


def disturbed(nemesis):
    """[(node, start, end)]: the faults that can keep a node out of an election (NODE_DOWN and
    partition-etcd), from their start to their healing (still running: no end)."""
    return [(f.target, f.started, f.healed if f.healed is not None else float("inf"))
            for f in nemesis.history if f.kind in NODE_DOWN or f.kind == "partition-etcd"]


def report(seed, minutes, nemesis, figures, violations):
    kinds = collections.Counter(f.kind for f in nemesis.history)
    print("\nnemesis: seed %d, %.1f min of faults, %d faults (%s)" % (
        seed, minutes, len(nemesis.history), ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
    print("rows acknowledged: %d (%d attempts failed or unknown); availability %.1f%% (outage: no "
          "acknowledged write for > %.2f s)" % (figures["acked"], figures["errors"], 100 * figures["availability"],
                                                OUTAGE_GAP))
    print("reads through the route: %d (%d failed); elections checked for the best score: %d; etcd's leader key: "
          "%d changes seen in %d polls" % (figures["reads"], figures["read_errors"], figures["elections"],
                                          figures["leader_changes"], figures["leader_polls"]))
    print("| fault | count | write outage median | p99 | max |")
    print("|---|---|---|---|---|")
    for kind, values in sorted(figures["outages"].items()):
        print("| %s | %d | %.2f s | %.2f s | %.2f s |" % (kind, len(values), statistics.median(values),
                                                        percentile(values, 99), max(values)))
    frozen = figures["frozen_overlaps"]
    print("frozen supervisord or mariadbd: %d window(s) where its node still counted as primary beside the new one "
          "(longest %.2f s); its server writable after the new primary existed: longest %.2f s" % (
              len(frozen), max(frozen, default=0.0),
              max((s for _, s in figures["writable_while_frozen"]), default=0.0)))
    resets = figures["watchdog_resets"]
    print("watchdog resets: %d (%s)" % (sum(resets.values()), ", ".join("%s %d" % kv for kv in sorted(resets.items()))))
    if violations:
        print("\nVIOLATIONS (%d):" % len(violations))
        for v in violations:
            print("  " + v)
    else:
        print("no violation: every acknowledged row kept, never two primaries, the route always on the primary, "
              "every election won by the best score, every promotion under etcd's leader key, reads never "
              "went backwards")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("NEMESIS_MINUTES", 30)))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--overlap", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    rs.check_prerequisites()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    print("nemesis: seed %d (replay: --seed %d), %.1f minutes" % (seed, seed, args.minutes), flush=True)
    rng = random.Random(seed)
    with rs.Run(keep=args.keep) as run:
        run.setup()
        run.reader = rs.Reader(run.dir)
        nemesis = Nemesis(run, rng, args.overlap)
        began = time.time()
        deadline = began + args.minutes * 60
        try:
            while time.time() < deadline:
                nemesis.step()
                time.sleep(rng.uniform(1.0, 6.0))
        finally:
            nemesis.end_all()
        ended = time.time()
        run.step("faults over; waiting for the cluster to settle")
        run.keep = True  # until the checks pass: the logs and datadirs are the evidence
        try:
            primary = settle(run)
            violations, figures = check(run, nemesis, primary, began, ended)
            report(seed, args.minutes, nemesis, figures, violations)
        except AssertionError as e:
            violations = ["the cluster did not settle after the faults: %s" % e]
            run.writer.stop()
            run.reader.stop()
            run.leader_keys.stop()
            history, counts = check_history(run, nemesis)
            violations += history
            print("\n".join(violations))
            print("(history: %(reads)d reads, %(elections)d elections checked, %(leader_changes)d leader-key "
                  "changes seen)" % counts)
        if violations:
            print(run.diagnostics())
        else:
            run.keep = args.keep
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
