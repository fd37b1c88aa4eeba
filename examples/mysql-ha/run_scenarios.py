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
     commits), the best replica is promoted, the restarted node rejoins as a replica
  3. the primary is cut off from everything (etcd, the replicas, the clients): it fences
     itself (demote) before its lease can expire, the majority promotes the best replica;
     healed, the old primary rejoins as a replica
  4. the primary's node is lost (its supervisord and mariadbd killed -9): the others fail
     over once its lease has expired; the node, started again, rejoins as a replica

Then the checks: never two primaries at once (from the role events the hooks wrote), every
row the writer was told is committed is on the final primary and on every replica, and the
three nodes hold the same rows. Prints the failover figures; exits 1 naming what failed.

Every connection that crosses nodes goes through a TCP proxy per node (the cluster test
harness's NodeLink): to etcd, and to the node's mariadbd (replication and clients use the
node's advertised address, which is the proxy). Cutting both is the partition.

  examples/mysql-ha/run_scenarios.py [--keep]     (root; scripts/setup installs MariaDB)
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(PROJECT, "tests", "integration"))
from cluster_harness import EtcdCluster, NodeLink, Timeline, kill_daemon_and_below  # noqa: E402
from daemon_harness import SUPERVISORD, free_port, terminate, unix_rpc  # noqa: E402
from leftover_processes import Marker  # noqa: E402

NODES = ("n1", "n2", "n3")
CLUSTER = "shop"
PROGRAM = "mariadb"


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
    def __init__(self, run, index, name, etcd):
        self.name = name
        self.id = index + 1
        self.dir = os.path.join(run, name)
        os.makedirs(self.dir)
        self.port = free_port()
        self.etcd_link = NodeLink(etcd.endpoints, name=name + "-etcd")
        self.db_link = NodeLink([("127.0.0.1", self.port)], name=name + "-db")
        self.advertise = "127.0.0.1:%d" % self.db_link.ports[0]
        self.marker = Marker()
        self.proc = None
        self.env = self.marker.env(MYSQL_HA_RUN=run, MYSQL_HA_NODE=name, MYSQL_HA_ID=str(self.id),
                                   MYSQL_HA_PORT=str(self.port), MYSQL_HA_ADVERTISE=self.advertise,
                                   MYSQL_HA_CLUSTER=CLUSTER, MYSQL_HA_ETCD=self.etcd_link.etcd_setting)

    def start(self):
        self.output = open(os.path.join(self.dir, "supervisord.out"), "ab")
        self.proc = subprocess.Popen([SUPERVISORD, "-n", "-c", os.path.join(HERE, "node.conf")],
                                     env=self.env, cwd=self.dir, stdout=self.output, stderr=subprocess.STDOUT)

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
        kill_daemon_and_below(self.proc, self.marker)
        self.output.close()

    def cut(self):
        self.etcd_link.cut("reset")
        self.db_link.cut("reset")

    def heal(self):
        self.etcd_link.heal()
        self.db_link.heal()

    def stop(self):
        problems = []
        if self.proc is not None:
            terminate(self.proc, timeout=60)
            self.output.close()
            try:
                self.marker.assert_none_left("%s's supervisord" % self.name)
            except AssertionError as e:
                problems.append(str(e))
        self.etcd_link.close()
        self.db_link.close()
        return problems


class Writer:
    """bin/writer.pl: numbered rows through the route file; acks.log says which were acknowledged."""

    def __init__(self, run):
        self.acks_path = os.path.join(run, "acks.log")
        self.proc = subprocess.Popen(["perl", os.path.join(HERE, "bin", "writer.pl"),
                                      os.path.join(run, "primary"), self.acks_path],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(run, "writer.err"), "ab"))

    def lines(self):
        try:
            with open(self.acks_path) as f:
                return [line.split(" ", 4) for line in f.read().splitlines()]
        except FileNotFoundError:  # not yet written
            return []

    def acked(self):
        return [(int(parts[1]), float(parts[2]), parts[3]) for parts in self.lines() if parts[0] == "ack"]

    def acks_on(self, address, after):
        return [a for a in self.acked() if a[2] == address and a[1] > after]

    def wait_acks_on(self, address, after, count=20, timeout=60):
        """The acknowledged writes on `address` after `after` (epoch seconds), once there are
        `count` of them: the first is when that primary began accepting writes."""
        return wait(lambda: len(self.acks_on(address, after)) >= count and self.acks_on(address, after),
                    timeout, "%d acknowledged writes on %s" % (count, address))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Run:
    def __init__(self, keep=False, log=sys.stdout):
        self.keep = keep
        self.log = log
        # Short: the unix socket paths below it must stay under 107 bytes.
        self.dir = tempfile.mkdtemp(prefix="mha-")
        self.timeline = Timeline(os.path.join(self.dir, "events.log"))
        self.etcd = None
        self.nodes = {}
        self.writer = None
        self.figures = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        problems = []
        if self.writer:
            self.writer.stop()
        for node in self.nodes.values():
            problems += node.stop()
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
        seed = os.path.join(self.dir, "seed", "data")
        subprocess.run([os.path.join(HERE, "bin", "bootstrap-datadir"), seed], check=True)
        for index, name in enumerate(NODES):
            node = self.nodes[name] = Node(self.dir, index, name, self.etcd)
            shutil.copytree(seed, os.path.join(node.dir, "data"), symlinks=True)
        shutil.rmtree(os.path.dirname(seed))
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
        new, _, first = self.failed_over(primary, killed_at)
        self.timeline.wait_for(primary, "follow", new, after=killed_at, timeout=60)
        self.step("  %s promoted; the restarted %s follows it; first write acknowledged %.2f s after the kill"
                  % (new, primary, first[1] - killed_at))
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
        errors = sum(1 for parts in self.writer.lines() if parts[0] == "error")
        position = self.nodes[primary].sql("SELECT @@GLOBAL.gtid_binlog_pos").strip()
        for other in self.others(primary):
            waited = self.nodes[other].sql("SELECT MASTER_GTID_WAIT('%s', 60)" % position).strip()
            assert waited == "0", "%s did not catch up with %s (%s)\n%s" % (other, position, waited, self.diagnostics())
        rows = {}
        for name, node in self.nodes.items():
            ids = {int(x) for x in node.sql("SELECT id FROM demo.w").split()}
            lost = sorted(acked - ids)
            assert not lost, "%d acknowledged rows missing on %s: %s" % (len(lost), name, lost[:20])
            rows[name] = ids
        assert rows[primary] == rows[self.others(primary)[0]] == rows[self.others(primary)[1]], (
            "the nodes hold different rows: %s" % {n: len(r) for n, r in rows.items()})
        self.timeline.assert_never_two_primaries()
        self.step("end state: %d rows acknowledged (%d attempts failed or unknown during the faults), all on "
                  "%s and on both replicas; the three nodes hold the same %d rows; never two primaries"
                  % (len(acked), errors, primary, len(rows[primary])))

    def report(self):
        print("\nfailover on MariaDB (lease_ttl 3 s, fence_margin 1 s, settle 0.3 s):")
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
