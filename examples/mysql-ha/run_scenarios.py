#!/usr/bin/python3
"""The seed scenarios on a real database: three MariaDB nodes, each run by our supervisord
with examples/mysql-ha/node.conf, a 3-member etcd, and a writer inserting numbered rows
through the route while the faults happen.

  1. a replica's mariadbd dies (kill -9): restarted locally, follows again, no failover
  2. the primary's mariadbd dies and cannot be restarted: the best replica is promoted,
     the route moves to it, the other replica follows it; the broken node, repaired,
     rejoins as a replica
  2b. the primary's mariadbd dies and restarts: it gives the key up at once anyway
     (primary_start_timeout = 0: its crash recovery may have truncated acknowledged
     commits): an election promotes the best node (the restarted one too when it is
     still the best: ties go to the smallest name), and the others follow it
  3. the primary is cut off from everything (etcd, the replicas, the clients): it fences
     itself (demote) before its lease can expire, the majority promotes the best replica;
     healed, the old primary rejoins as a replica
  4. the primary's node is lost (its supervisord and mariadbd killed -9): the others fail
     over once its lease has expired; the node, started again, rejoins as a replica

Then the checks: never two primaries at once (from the role events the hooks wrote), every
row the writer was told is committed is on the final primary and on every replica, the
three nodes hold the same rows, every election promoted the best-scored candidate (bin/score
logs "election_score" events: no other candidate of that election reported more), and every
promotion happened while etcd's leader key named the promoted node (LeaderKeys polls it).
Prints the failover figures; exits 1 naming what failed.

Every connection that crosses nodes goes through a TCP proxy (the cluster test harness's
NodeLink): each node's to etcd; the clients' to a node's mariadbd (the node's advertised
address is that proxy, db_link); and replication, through one proxy per ordered pair of
nodes (i, j) that node i uses to reach j: node i gets MYSQL_HA_VIA="<j's advertised
address>=<the pair proxy>,..." (bin/lib.sh), which bin/follow uses instead of
SUPERVISOR_PRIMARY_ADDRESS. A partition (Node.cut) cuts a node's etcd link, its db_link and
every pair link into and out of it: its replication to the primary too.

  examples/mysql-ha/run_scenarios.py [--keep]     (root; scripts/setup installs MariaDB)
"""
import argparse
import base64
import bisect
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(PROJECT, "tests", "integration"))
from cluster_harness import EtcdCluster, EtcdError, NodeLink, Timeline, kill_daemon_and_below  # noqa: E402
from daemon_harness import SUPERVISORD, free_port, terminate, unix_rpc  # noqa: E402
from leftover_processes import Marker  # noqa: E402
from watchdog_device import WatchdogDevice  # noqa: E402

NODES = ("n1", "n2", "n3")
CLUSTER = "shop"
PROGRAM = "mariadb"
WATCHDOG_TIMEOUT = 2  # node.conf: lease_ttl 3, and the watchdog fires at lease_ttl - 1


def mark(timeline, node, event, detail=""):
    """A line of the runner's own in the event log, stamped as the hooks stamp theirs."""
    line = ("%.6f %s %s %s" % (time.time(), node, event, detail)).rstrip() + "\n"
    fd = os.open(timeline.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(0.05)


class Node:
    def __init__(self, run, index, name, etcd, timeline):
        self.name = name
        self.id = index + 1
        self.dir = os.path.join(run, name)
        os.makedirs(self.dir)
        self.port = free_port()
        self.etcd_link = NodeLink(etcd.endpoints, name=name + "-etcd")
        self.db_link = NodeLink([("127.0.0.1", self.port)], name=name + "-db")
        self.advertise = "127.0.0.1:%d" % self.db_link.ports[0]
        self.pairs = []             # (other Node, NodeLink, this node is its client): pair links in and out
        self.partitioned = False
        self.marker = Marker()
        self.proc = None
        self.output = None
        self.timeline = timeline        # the run's event log (a watchdog reset is marked there)
        self.lock = threading.RLock()  # start, kill and the watchdog's reset come from several threads
        self.reboot = None
        self.closed = False
        self.lost = False               # kill(): the machine is gone, its watchdog with it
        self.resets = []                # time.time() of each watchdog reset
        # node.conf's watchdog_device: a FIFO read by a stand-in for the kernel's watchdog,
        # which "resets the node" (kills its supervisord and all below) when not fed in time.
        self.watchdog = WatchdogDevice(os.path.join(self.dir, "watchdog"), WATCHDOG_TIMEOUT, self.reset)
        self.env = self.marker.env(MYSQL_HA_RUN=run, MYSQL_HA_NODE=name, MYSQL_HA_ID=str(self.id),
                                   MYSQL_HA_PORT=str(self.port), MYSQL_HA_ADVERTISE=self.advertise,
                                   MYSQL_HA_CLUSTER=CLUSTER, MYSQL_HA_ETCD=self.etcd_link.etcd_setting,
                                   MYSQL_HA_WATCHDOG=self.watchdog.path)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        """Starts the node's supervisord, unless it runs (a reboot after a watchdog reset
        and a fault's heal may both start it)."""
        with self.lock:
            if self.running() or self.closed:
                return
            self.lost = False
            if self.output:
                self.output.close()
            self.output = open(os.path.join(self.dir, "supervisord.out"), "ab")
            self.proc = subprocess.Popen([SUPERVISORD, "-n", "-c", os.path.join(HERE, "node.conf")],
                                         env=self.env, cwd=self.dir, stdout=self.output, stderr=subprocess.STDOUT)

    def reset(self):
        """The watchdog fired: the node is reset (everything of it killed -9), and reboots:
        its supervisord starts again a second later."""
        with self.lock:
            if self.closed or self.lost:
                return
            if self.running():
                kill_daemon_and_below(self.proc, self.marker)
            self.resets.append(time.time())
            mark(self.timeline, self.name, "killed", "watchdog reset")
            self.reboot = threading.Timer(1.0, self.start)
            self.reboot.start()

    def rpc(self):
        return unix_rpc(os.path.join(self.dir, "supervisor.sock"))

    def sql(self, statement):
        """Runs statements as root on this node's own port (not through the proxy); the
        output without column names, or with them for a vertical (\\G) statement."""
        plain = [] if statement.endswith("\\G") else ["-N", "-B"]
        out = subprocess.run(["mariadb", "--no-defaults", "-uroot", "-h127.0.0.1", "-P%d" % self.port,
                              "--connect-timeout=2"] + plain + ["-e", statement],
                             capture_output=True, text=True, timeout=60)
        if out.returncode:
            raise AssertionError("%s: %s: %s" % (self.name, statement, out.stderr.strip()))
        return out.stdout

    def mariadbd_pid(self):
        with open(os.path.join(self.dir, "mysqld.pid")) as f:
            return int(f.read())

    def log(self):
        try:
            with open(os.path.join(self.dir, "supervisord.log"), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def kill(self):
        """The node is lost: its supervisord, then everything below it, killed -9."""
        with self.lock:
            self.lost = True
            kill_daemon_and_below(self.proc, self.marker)

    def links(self):
        """[(NodeLink, whether this node is its client side)]: every link into or out of it."""
        return [(self.etcd_link, True), (self.db_link, False)] + [(link, mine) for _, link, mine in self.pairs]

    def cut(self, direction="both"):
        """The partition: this node's etcd link, its clients' link (db_link) and every pair
        link into and out of it (its own replication too). "both": reset, and new
        connections refused; "in": nothing reaches the node (what it sends arrives, the
        answers never come back); "out": nothing it sends arrives (it still hears the rest)."""
        self.partitioned = True
        for link, node_is_client in self.links():
            if direction == "both":
                link.cut("reset")
            else:
                towards_node = "hold-to-client" if node_is_client else "hold-to-upstream"
                from_node = "hold-to-upstream" if node_is_client else "hold-to-client"
                link.cut(towards_node if direction == "in" else from_node)

    def heal(self):
        """Heals what cut() cut, except the pair links to a node that is cut off itself."""
        self.partitioned = False
        self.etcd_link.heal()
        self.db_link.heal()
        for other, link, _ in self.pairs:
            if not other.partitioned:
                link.heal()

    def stop(self):
        problems = []
        with self.lock:
            self.closed = True
            if self.reboot:
                self.reboot.cancel()
        if self.proc is not None:
            terminate(self.proc, timeout=60)
        if self.output:
            self.output.close()
        self.watchdog.close()
        if self.proc is not None:
            try:
                self.marker.assert_none_left("%s's supervisord" % self.name)
            except AssertionError as e:
                problems.append(str(e))
        self.etcd_link.close()
        self.db_link.close()
        return problems


class LogTail:
    """A log another process appends lines to, read incrementally: new_lines() returns only the
    complete lines added since its last call (a partial last line waits for its newline)."""

    def __init__(self, path):
        self.path = path
        self.offset = 0

    def new_lines(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:  # not yet written
            return []
        end = data.rfind(b"\n") + 1
        self.offset += end
        return data[:end].decode(errors="replace").splitlines()


def stop_process(proc):
    """SIGTERM (the clients stop after their current statement), then -9 after 30 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Writer:
    """bin/writer.pl: numbered rows through the route file; acks.log says which were
    acknowledged. acks.log is parsed incrementally (each call reads only what was added)."""

    def __init__(self, run):
        self.acks_path = os.path.join(run, "acks.log")
        self.tail = LogTail(self.acks_path)
        self.acks = []              # (id, epoch seconds, host:port) in file order
        self.ack_times = []         # their times, for bisect (the writer's clock goes forward)
        self.error_count = 0
        self.proc = subprocess.Popen(["perl", os.path.join(HERE, "bin", "writer.pl"),
                                      os.path.join(run, "primary"), self.acks_path],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(run, "writer.err"), "ab"))

    def update(self):
        for line in self.tail.new_lines():
            parts = line.split(" ", 4)
            if parts[0] == "ack" and len(parts) >= 4:
                self.acks.append((int(parts[1]), float(parts[2]), parts[3]))
                self.ack_times.append(self.acks[-1][1])
            elif parts[0] == "error":
                self.error_count += 1

    def acked(self):
        """[(id, time, target)] of every acknowledged row so far (the list is the writer's own:
        do not change it)."""
        self.update()
        return self.acks

    def errors(self):
        """How many attempts failed or have an unknown outcome."""
        self.update()
        return self.error_count

    def acks_on(self, address, after):
        acks = self.acked()
        first = bisect.bisect_right(self.ack_times, after)
        return [a for a in acks[first:] if a[2] == address and a[1] > after]

    def wait_acks_on(self, address, after, count=20, timeout=60):
        """The acknowledged writes on `address` after `after` (epoch seconds), once there are
        `count` of them: the first is when that primary began accepting writes."""
        return wait(lambda: len(self.acks_on(address, after)) >= count and self.acks_on(address, after),
                    timeout, "%d acknowledged writes on %s" % (count, address))

    def stop(self):
        stop_process(self.proc)


class Reader:
    """bin/reader.pl: SELECT MAX(id) FROM demo.w through the route file every 20 ms; reads.log
    has one line per answer ("read <max> <time> <target>") or error. Parsed incrementally."""

    def __init__(self, run):
        self.path = os.path.join(run, "reads.log")
        self.tail = LogTail(self.path)
        self.values = []            # (max id, epoch seconds, host:port) in the reader's order
        self.error_count = 0
        self.proc = subprocess.Popen(["perl", os.path.join(HERE, "bin", "reader.pl"),
                                      os.path.join(run, "primary"), self.path],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(run, "reader.err"), "ab"))

    def reads(self):
        for line in self.tail.new_lines():
            parts = line.split(" ", 4)
            if parts[0] == "read" and len(parts) >= 4:
                self.values.append((int(parts[1]), float(parts[2]), parts[3]))
            elif parts[0] == "error":
                self.error_count += 1
        return self.values

    def stop(self):
        stop_process(self.proc)


def backward_reads(reads):
    """The reads lower than an earlier read: [(read, the highest earlier read)], each a
    (max id, time, target). Through the route, with lossless semi-sync, there must be none."""
    found = []
    best = None
    for read in reads:
        if best is not None and read[0] < best[0]:
            found.append((read, best))
        if best is None or read[0] > best[0]:
            best = read
    return found


class LeaderKeys:
    """etcd's view of who is primary: a thread that polls the cluster's leader keys
    (/supervisor-ha/<cluster>/programs/<program>/leader, value {"node", "address"};
    supervisord/cluster/cluster_keys.cpp) every 50 ms through etcd's JSON gateway and
    records every change it sees. A change is (since, seen, key, node, create revision,
    revision): it happened after `since` (the start of the last poll that still showed the
    old state) and before `seen` (the end of the poll that showed it; epoch seconds); node is
    None when the key is gone (revision: the poll's header revision then, else the key's
    mod revision). Each change is also written to `path`."""

    PROGRAMS = "/supervisor-ha/%s/programs/" % CLUSTER

    def __init__(self, etcd, path, interval=0.05):
        self.etcd = etcd
        self.path = path
        self.interval = interval
        self.changes = []
        self.polls = 0
        self.failed_polls = 0
        self._state = {}            # key -> (node, create revision, mod revision)
        self._since = time.time()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="LeaderKeys", daemon=True)
        self._thread.start()

    @staticmethod
    def _b64(data):
        return base64.b64encode(data).decode()

    def _poll(self):
        """{leader key: (node, create revision, mod revision)} and the header revision, now."""
        prefix = self.PROGRAMS.encode()
        end = prefix[:-1] + bytes([prefix[-1] + 1])  # "/" + 1: every key under the prefix
        answer = self.etcd.call("/v3/kv/range", {"key": self._b64(prefix), "range_end": self._b64(end)},
                                timeout=0.5)
        state = {}
        for kv in answer.get("kvs", []):
            key = base64.b64decode(kv["key"]).decode(errors="replace")
            if not key.endswith("/leader"):
                continue
            try:
                node = json.loads(base64.b64decode(kv.get("value", "")).decode(errors="replace")).get("node")
            except ValueError:
                node = "?"
            state[key] = (node, int(kv.get("create_revision", 0)), int(kv.get("mod_revision", 0)))
        return state, int(answer["header"]["revision"])

    def _run(self):
        with open(self.path, "a") as log:
            while not self._stop.wait(self.interval):
                started = time.time()
                try:
                    state, revision = self._poll()
                except (EtcdError, OSError, ValueError, KeyError):
                    self.failed_polls += 1
                    continue  # no quorum, or a member restarting: the next poll tells
                seen = time.time()
                self.polls += 1
                for key in sorted(set(state) | set(self._state)):
                    new = state.get(key)
                    if new != self._state.get(key):
                        change = (self._since, seen, key) + (new if new else (None, 0, revision))
                        self.changes.append(change)
                        log.write("%.6f %.6f %s %s %d %d\n" % change)
                        log.flush()
                self._state = state
                self._since = started

    def stop(self):
        self._stop.set()
        self._thread.join(10)

    def tenures(self):
        """{node: [(earliest start, latest end or None)]}: when each node may have held a
        leader key, from the changes seen (a key created and gone between two polls is
        missed)."""
        held = {}                   # key -> (node, earliest start)
        result = {}
        for since, seen, key, node, _, _ in self.changes:
            if key in held:
                old, start = held.pop(key)
                result.setdefault(old, []).append((start, seen))
            if node is not None:
                held[key] = (node, since)
        for old, start in held.values():
            result.setdefault(old, []).append((start, None))
        return result


def leader_key_violations(events, leader_keys):
    """Each promotion (the hooks' "primary" and "promoted" events) by a node while etcd's
    leader key, as LeaderKeys saw it (allowing for its polling interval), named another node
    or nobody."""
    tenures = leader_keys.tenures()
    found = []
    for e in events:
        if e.event not in ("primary", "promoted"):
            continue
        if not any(start < e.time and (end is None or e.time < end) for start, end in tenures.get(e.node, [])):
            holders = sorted(n for n, spans in tenures.items() if n != e.node
                             and any(s <= e.time and (t is None or e.time <= t) for s, t in spans))
            found.append("%s's %s event at %.3f while etcd's leader key named %s" % (
                e.node, e.event, e.time, ", ".join(holders) or "nobody"))
    return found


# A node's score no longer counts for the election after one of these events of its own:
# its server went down or restarted (it is no candidate, or not with that score).
SCORE_VOIDED = ("crashed", "killed", "cut", "fault")
ELECTION_WINDOW = 10.0


def election_violations(events, disturbed=()):
    """Each promotion where another candidate of that election reported a strictly higher
    score than the winner. An election's scores are bin/score's "election_score" events:
    per node its last one since the previous promotion ("primary") or failed promotion
    ("promote_failed"), within ELECTION_WINDOW seconds before the promotion. A node's score
    does not count when, between it and the promotion, its server restarted ("replica start"),
    it crashed, was killed, cut or hit by a fault (SCORE_VOIDED events), or one of the
    `disturbed` windows [(node, start, end)] of it overlaps. Returns (violations, elections
    checked)."""
    found = []
    checked = 0
    scores = {}                     # node -> (time, score)
    for e in events:
        if e.event == "election_score":
            try:
                scores[e.node] = (e.time, int(e.detail))
            except ValueError:
                pass
        elif e.event in SCORE_VOIDED or (e.event == "replica" and e.detail == "start"):
            scores.pop(e.node, None)
        elif e.event == "promote_failed":
            scores.clear()
        elif e.event == "primary":
            valid = {n: (t, s) for n, (t, s) in scores.items() if e.time - t <= ELECTION_WINDOW
                     and not any(d == n and d0 <= e.time and t <= d1 for d, d0, d1 in disturbed)}
            if e.node in valid:
                checked += 1
                won = valid[e.node][1]
                for node, (t, score) in sorted(valid.items()):
                    if node != e.node and score > won:
                        found.append("%s promoted at %.3f with election score %d, but %s had reported %d at %.3f "
                                     "(%+.3f s from the winner's score)" % (
                                         e.node, e.time, won, node, score, t, t - valid[e.node][0]))
            scores.clear()
    return found, checked


class Run:
    def __init__(self, keep=False, log=sys.stdout):
        self.keep = keep
        self.log = log
        # Short: the unix socket paths below it must stay under 107 bytes.
        self.dir = tempfile.mkdtemp(prefix="mha-")
        self.timeline = Timeline(os.path.join(self.dir, "events.log"))
        self.etcd = None
        self.nodes = {}
        self.pair_links = {}        # (i, j) -> the NodeLink node i reaches node j's mariadbd through
        self.leader_keys = None
        self.writer = None
        self.reader = None          # the nemesis's (bin/reader.pl); the scenarios have none
        self.figures = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        problems = []
        if self.writer:
            self.writer.stop()
        if self.reader:
            self.reader.stop()
        if self.leader_keys:
            self.leader_keys.stop()
        for node in self.nodes.values():
            problems += node.stop()
        for link in self.pair_links.values():
            link.close()
        if self.etcd:
            self.etcd.close()
        if self.keep:
            print("kept", self.dir, file=self.log)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if problems and exc[0] is None:
            raise AssertionError("\n".join(problems))

    def step(self, text):
        print("[%7.2fs] %s" % (time.monotonic() - self.t0, text), file=self.log, flush=True)

    def diagnostics(self):
        parts = [self.timeline.dump(120)]
        for node in self.nodes.values():
            parts.append("--- %s supervisord.log (last 30 lines) ---" % node.name)
            parts += node.log().splitlines()[-30:]
        return "\n".join(parts)

    # -- set-up --

    def setup(self):
        self.t0 = time.monotonic()
        self.etcd = EtcdCluster(os.path.join(self.dir, "etcd"))
        self.leader_keys = LeaderKeys(self.etcd, os.path.join(self.dir, "leader-keys.log"))
        seed = os.path.join(self.dir, "seed", "data")
        subprocess.run([os.path.join(HERE, "bin", "bootstrap-datadir"), seed], check=True)
        for index, name in enumerate(NODES):
            node = self.nodes[name] = Node(self.dir, index, name, self.etcd, self.timeline)
            shutil.copytree(seed, os.path.join(node.dir, "data"), symlinks=True)
        shutil.rmtree(os.path.dirname(seed))
        self.link_pairs()
        for node in self.nodes.values():
            node.start()
        self.step("etcd, three datadirs and three supervisord nodes started")
        primary = self.timeline.wait_for_primary(timeout=60)
        for other in self.others(primary):
            self.timeline.wait_for(other, "follow", primary, timeout=60)
        wait(lambda: self.route() == self.nodes[primary].advertise, 30, "the route to " + primary)
        self.step("first election: %s primary (equal scores: the smallest name), the others follow it" % primary)
        self.writer = Writer(self.dir)
        self.writer.wait_acks_on(self.nodes[primary].advertise, 0, count=50)
        self.step("writer running through the route")
        return primary

    def link_pairs(self):
        """A NodeLink per ordered pair (i, j) to j's mariadbd, which i's replication uses
        (MYSQL_HA_VIA in i's environment maps j's advertised address to it)."""
        for i, a in self.nodes.items():
            via = []
            for j, b in self.nodes.items():
                if i != j:
                    link = self.pair_links[i, j] = NodeLink([("127.0.0.1", b.port)], name="%s-%s" % (i, j))
                    a.pairs.append((b, link, True))
                    b.pairs.append((a, link, False))
                    via.append("%s=127.0.0.1:%d" % (b.advertise, link.ports[0]))
            a.env["MYSQL_HA_VIA"] = ",".join(via)

    def others(self, name):
        return [n for n in NODES if n != name]

    def route(self):
        try:
            with open(os.path.join(self.dir, "primary")) as f:
                return f.read().strip()
        except FileNotFoundError:
            return None

    def new_primary(self, old, timeout=60):
        def found():
            primaries = self.timeline.current_primaries()
            return primaries[0] if len(primaries) == 1 and primaries[0] != old else None
        try:
            return wait(found, timeout, "a primary other than " + old)
        except AssertionError as e:
            raise AssertionError("%s\n%s" % (e, self.diagnostics())) from None

    # -- the scenarios --

    def replica_dies(self, primary):
        replica = self.others(primary)[-1]
        node = self.nodes[replica]
        killed_at = time.time()
        os.kill(node.mariadbd_pid(), signal.SIGKILL)
        mark(self.timeline, replica, "killed", "mariadbd -9 (replica)")
        self.step("scenario 2: %s's mariadbd killed -9" % replica)
        self.timeline.wait_for(replica, "replica", "start", after=killed_at, timeout=60)
        self.timeline.wait_for(replica, "follow", primary, after=killed_at, timeout=60)
        self.writer.wait_acks_on(self.nodes[primary].advertise, killed_at, count=50)
        promotions = [e for e in self.timeline.events() if e.event == "primary" and e.time > killed_at]
        assert not promotions, "a replica's crash caused a promotion: %s\n%s" % (promotions, self.diagnostics())
        assert self.timeline.current_primaries() == [primary], self.diagnostics()
        self.step("  restarted locally and follows %s again; no failover" % primary)

    def primary_dies(self, primary):
        node = self.nodes[primary]
        open(os.path.join(node.dir, "broken"), "w").close()
        killed_at = time.time()
        os.kill(node.mariadbd_pid(), signal.SIGKILL)
        mark(self.timeline, primary, "crashed", "mariadbd -9, and its restarts fail (the file 'broken')")
        self.step("scenario 1: %s's mariadbd killed -9 and made unable to start" % primary)
        new, third, first = self.failed_over(primary, killed_at, "crash: the primary's mariadbd dies, cannot start")
        self.step("  %s promoted (the best replica), the route moved, %s follows it; first write acknowledged "
                  "%.2f s after the kill" % (new, third, first[1] - killed_at))
        # The repair, once its restarts have given up (FATAL): the disk is back; an operator
        # starts it; it rejoins as a replica.
        wait(lambda: node.rpc().supervisor.getProcessInfo(PROGRAM)["statename"] == "FATAL", 60,
             "%s's mariadb to give up restarting (FATAL)" % primary)
        os.remove(os.path.join(node.dir, "broken"))
        repaired_at = time.time()
        node.rpc().supervisor.startProcess(PROGRAM)
        self.timeline.wait_for(primary, "follow", new, after=repaired_at, timeout=60)
        self.step("  %s repaired and started again: it follows %s" % (primary, new))
        return new

    def primary_crashes(self, primary):
        node = self.nodes[primary]
        killed_at = time.time()
        os.kill(node.mariadbd_pid(), signal.SIGKILL)
        mark(self.timeline, primary, "crashed", "mariadbd -9 (it restarts)")
        self.step("scenario 2b: %s's mariadbd killed -9 (it can restart)" % primary)
        # primary_start_timeout = 0: the key goes to an election at once. The restarted node
        # is a candidate like the others once it runs, and wins if it is still the best
        # (ties go to the smallest name: it may well win). Whoever wins, the others follow it.
        promoted = wait(lambda: next((e for e in self.timeline.events() if e.event == "promoted"
                                      and e.time > killed_at), None), 60, "a promotion after the kill")
        new = promoted.node
        wait(lambda: self.route() == self.nodes[new].advertise, 30, "the route to " + new)
        first = self.writer.wait_acks_on(self.nodes[new].advertise, killed_at, count=100)[0]
        for other in self.others(new):
            self.timeline.wait_for(other, "follow", new, after=killed_at, timeout=60)
            self.check_best(new, other)
        self.step("  %s elected%s; first write acknowledged %.2f s after the kill"
                  % (new, " again (still the best), the others follow it" if new == primary
                     else "; the others, the restarted %s too, follow it" % primary, first[1] - killed_at))
        return new

    def partition(self, primary):
        node = self.nodes[primary]
        cut_at = time.time()
        node.cut()
        mark(self.timeline, primary, "cut", "from etcd, the replicas and the clients")
        self.step("scenario 3: %s cut off from everything (partition [(%s), (%s)])" % (
            primary, primary, ", ".join(self.others(primary))))
        new, _, first = self.failed_over(primary, cut_at, "partition: the primary cut off from everything")
        fenced = [e for e in self.timeline.events() if e.node == primary and e.time > cut_at
                  and e.event in ("replica", "crashed")]
        assert fenced, "the isolated primary never demoted\n" + self.diagnostics()
        self.step("  %s fenced itself %.2f s after the cut (%s); %s promoted; first write acknowledged %.2f s "
                  "after the cut" % (primary, fenced[0].time - cut_at, fenced[0].event, new, first[1] - cut_at))
        healed_at = time.time()
        node.heal()
        mark(self.timeline, primary, "heal")
        self.timeline.wait_for(primary, "follow", new, after=healed_at, timeout=60)
        self.step("  healed: %s follows %s" % (primary, new))
        return new

    def node_loss(self, primary):
        node = self.nodes[primary]
        killed_at = time.time()
        node.kill()
        mark(self.timeline, primary, "killed", "node lost: supervisord and mariadbd -9")
        self.step("scenario 4: %s's node lost (supervisord and mariadbd killed -9)" % primary)
        new, _, first = self.failed_over(primary, killed_at, "node loss: supervisord and mariadbd -9")
        self.step("  %s promoted after %s's lease expired; first write acknowledged %.2f s after the loss"
                  % (new, primary, first[1] - killed_at))
        restarted_at = time.time()
        node.start()
        self.timeline.wait_for(primary, "follow", new, after=restarted_at, timeout=60)
        self.step("  %s's node back: it follows %s" % (primary, new))
        return new

    def failed_over(self, old, fault_at, figure=None):
        """After a fault at `fault_at` (epoch seconds) on the primary `old`: waits for the new
        primary, the route to it, 100 writes acknowledged by it and the third node
        replicating from it cleanly (check_best); records `figure` when given. Returns
        (new primary, third node, the first acknowledged write on the new primary)."""
        new = self.new_primary(old)
        promoted = self.timeline.wait_for(new, "promoted", after=fault_at)
        wait(lambda: self.route() == self.nodes[new].advertise, 30, "the route to " + new)
        first = self.writer.wait_acks_on(self.nodes[new].advertise, fault_at, count=100)[0]
        third = [n for n in self.others(old) if n != new][0]
        self.timeline.wait_for(third, "follow", new, after=fault_at)
        self.check_best(new, third)
        if figure:
            self.figures.append((figure, fault_at, self.timeline.wait_for(new, "primary", after=fault_at).time,
                                 promoted.time, first[1]))
        return new, third, first

    def check_best(self, new, other):
        """The new primary had received at least what the other candidate had: had it not,
        the other's replication from it fails (error 1236: the other asks for a GTID the
        new primary's binlog does not have). Both threads running, no error, and caught up
        with the new primary's position at the time of the check."""
        position = self.nodes[new].sql("SELECT @@GLOBAL.gtid_binlog_pos").strip()
        waited = self.nodes[other].sql("SELECT MASTER_GTID_WAIT('%s', 30)" % position).strip()
        status = self.nodes[other].sql("SHOW SLAVE STATUS\\G")
        fields = dict(re.findall(r"^\s*(\w+): ?(.*)$", status, re.M))
        healthy = (waited == "0" and fields.get("Slave_IO_Running") == "Yes" and fields.get("Slave_SQL_Running") == "Yes"
                   and fields.get("Last_IO_Errno") == "0" and fields.get("Last_SQL_Errno") == "0")
        assert healthy, "%s does not replicate cleanly from the new primary %s (%s):\n%s\n%s" % (
            other, new, position, status, self.diagnostics())

    # -- the end state --

    def verify(self, primary):
        self.writer.stop()
        acked = {a[0] for a in self.writer.acked()}
        errors = self.writer.errors()
        position = self.nodes[primary].sql("SELECT @@GLOBAL.gtid_binlog_pos").strip()
        for other in self.others(primary):
            waited = self.nodes[other].sql("SELECT MASTER_GTID_WAIT('%s', 60)" % position).strip()
            assert waited == "0", "%s did not catch up with %s (%s)\n%s" % (other, position, waited, self.diagnostics())
        # Only the primary lets the application in (bin/lib.sh app_access).
        for name, node in self.nodes.items():
            app = subprocess.run(["mariadb", "--no-defaults", "-uapp", "-papppw", "-h127.0.0.1", "-P%d" % node.port,
                                  "--connect-timeout=2", "-e", "SELECT 1"], capture_output=True, text=True, timeout=30)
            if name == primary:
                assert app.returncode == 0, "the application cannot connect to the primary %s: %s" % (name, app.stderr)
            else:
                assert "locked" in app.stderr, "the application reached replica %s: %s" % (name, app.stderr or "it could")
        rows = {}
        for name, node in self.nodes.items():
            ids = {int(x) for x in node.sql("SELECT id FROM demo.w").split()}
            lost = sorted(acked - ids)
            assert not lost, "%d acknowledged rows missing on %s: %s" % (len(lost), name, lost[:20])
            rows[name] = ids
        assert rows[primary] == rows[self.others(primary)[0]] == rows[self.others(primary)[1]], (
            "the nodes hold different rows: %s" % {n: len(r) for n, r in rows.items()})
        self.timeline.assert_never_two_primaries()
        events = self.timeline.events()
        worse, elections = election_violations(events)
        assert not worse, "an election did not promote the best candidate:\n%s\n%s" % (
            "\n".join(worse), self.diagnostics())
        self.leader_keys.stop()
        keyless = leader_key_violations(events, self.leader_keys)
        assert not keyless, "a promotion without etcd's leader key:\n%s\n%s" % (
            "\n".join(keyless), self.diagnostics())
        self.step("end state: %d rows acknowledged (%d attempts failed or unknown during the faults), all on "
                  "%s and on both replicas; the three nodes hold the same %d rows; never two primaries; "
                  "%d elections each won by the best score; every promotion under the leader key (%d changes "
                  "of it seen in etcd)" % (len(acked), errors, primary, len(rows[primary]), elections,
                                           len(self.leader_keys.changes)))

    def report(self):
        print("\nfailover on MariaDB (lease_ttl 3 s, fence_margin 2 s, settle 0.3 s, watchdog):")
        print("| scenario | fault → promote hook starts | promote hook | fault → first acknowledged write |")
        print("|---|---|---|---|")
        for name, fault, started, promoted, first in self.figures:
            print("| %s | %.2f s | %.3f s | %.2f s |" % (name, started - fault, promoted - started, first - fault))


def check_prerequisites():
    if os.geteuid() != 0:
        sys.exit("run_scenarios.py: runs mariadbd --user=root: run it as root")
    for tool in ("mariadbd", "mariadb", "mariadb-install-db", "etcd", "perl"):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin"):
            sys.exit("run_scenarios.py: %s is missing (scripts/setup installs it)" % tool)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the run directory (logs, datadirs)")
    args = parser.parse_args(argv)
    check_prerequisites()
    run_all(keep=args.keep).report()
    print("all scenarios passed")


def run_all(keep=False, log=sys.stdout):
    """Every scenario in order, then the checks; returns the Run (its figures). Progress
    goes to `log`."""
    with Run(keep=keep, log=log) as run:
        primary = run.setup()
        run.replica_dies(primary)
        primary = run.primary_dies(primary)
        primary = run.primary_crashes(primary)
        primary = run.partition(primary)
        primary = run.node_loss(primary)
        run.verify(primary)
    return run


if __name__ == "__main__":
    main(sys.argv[1:])
