"""scripts/bench --failover: how long cluster mode takes to move the primary, measured on
a real 3-member etcd and three real supervisord nodes on this machine (the cluster test
harness, tests/integration/cluster_harness.py). Our daemon only: Python Supervisor has no
cluster mode; for scale, Patroni's documented defaults fail over in 20-45 s on node loss
and Pacemaker waits for its fencing timeouts.

usage: failover.py [--runs N] [--lease-ttl S] [--fence-margin S] [--settle S] [--markdown]

Each run starts fresh nodes (scores n1 0, n2 -5, n3 -10), waits for n1 to be primary with
n2 and n3 following, then causes one failure and measures, from the failure, the moment
the new primary's promote_command has finished (the stand-in program then accepts writes:
that is when a real promote hook returns). Figures:
  escalation   n1's program is killed and cannot be restarted (every start fails at
               once: startretries=0), so n1 gives up, releases the leader key, n2 promotes
  node loss    n1's supervisord and its children are killed -9: n2 promotes once n1's
               lease has expired in etcd (lease_ttl after n1's last keepalive)
  partition    n1 is cut off etcd (packets dropped): n1 demotes itself (fenced) at
               lease_ttl - fence_margin, n2 promotes after the lease expires
  switchover   supervisorctl switchover db n2: n1 demotes, releases, n2 promotes
Timestamps come from the shared timeline (CLOCK_MONOTONIC, one machine), not from polling.
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("SUPERVISORD_BIN", os.path.join(ROOT, "build", "bin", "supervisord"))
from cluster_harness import ClusterNodes, EtcdCluster, role_program_section  # noqa: E402

SUPERVISORCTL = os.path.join(ROOT, "build", "bin", "supervisorctl")
SCORES = {"n1": 0, "n2": -5, "n3": -10}


def start_nodes(tmp, etcd, options):
    def section(nodes, node):
        return role_program_section(nodes, node, extra="startretries = 0\n")

    nodes = ClusterNodes(tempfile.mkdtemp(prefix="r", dir=tmp), etcd, program_section_fn=section,
                         cluster_name="bench-%d" % int(time.monotonic() * 1000), start=False,
                         cluster_options=options)
    for node, score in SCORES.items():
        nodes.knob(node, "score", score)
    for node in nodes.names:
        nodes.start(node)
    nodes.timeline.wait_for_primary("n1", timeout=30)
    nodes.timeline.wait_for("n2", "follow", "n1", timeout=15)
    nodes.timeline.wait_for("n3", "follow", "n1", timeout=15)
    time.sleep(1)  # entries published, scores settled
    return nodes


def escalation(nodes):
    nodes.knob("n1", "crash")
    pid = nodes.rpc("n1").supervisor.getProcessInfo("db")["pid"]
    start = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    return start, {}


def node_loss(nodes):
    start = time.monotonic()
    nodes.kill("n1")
    return start, {}


def partition(nodes):
    start = time.monotonic()
    nodes.cut("n1", "blackhole")
    return start, {"fenced": ("n1", "replica", "demoted")}


def switchover(nodes):
    sock = os.path.join(nodes.daemon("n2").tmp, "supervisor.sock")
    start = time.monotonic()
    subprocess.Popen([SUPERVISORCTL, "-s", "unix://" + sock, "switchover", "db", "n2"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return start, {"demoted": ("n1", "replica", "demoted")}


SCENARIOS = [("escalation", escalation), ("node loss", node_loss), ("partition", partition),
             ("switchover", switchover)]


def measure(tmp, etcd, options, cause):
    nodes = start_nodes(tmp, etcd, options)
    try:
        start, extra = cause(nodes)
        promoted = nodes.timeline.wait_for("n2", "primary", after=start, timeout=60)
        figures = {"new primary": promoted.time - start}
        for name, (node, event, detail) in extra.items():
            figures[name] = nodes.timeline.wait_for(node, event, detail, after=start, timeout=30).time - start
        nodes.timeline.assert_never_two_primaries()
        return figures
    finally:
        nodes.close()


def main(argv):
    parser = argparse.ArgumentParser(prog="scripts/bench --failover", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lease-ttl", default="3")
    parser.add_argument("--fence-margin", default="1")
    parser.add_argument("--settle", default="0.5")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    options = {"lease_ttl": args.lease_ttl, "fence_margin": args.fence_margin, "settle": args.settle}
    tmp = tempfile.mkdtemp(prefix="bf-")
    results = {}
    try:
        with EtcdCluster(os.path.join(tmp, "etcd")) as etcd:
            for name, cause in SCENARIOS:
                for run in range(args.runs):
                    print("%s, run %d/%d" % (name, run + 1, args.runs), file=sys.stderr, flush=True)
                    for figure, seconds in measure(tmp, etcd, options, cause).items():
                        results.setdefault((name, figure), []).append(seconds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # etcd's data alone is ~370 MB
    header = ("failover on this machine: lease_ttl %s s, fence_margin %s s, settle %s s, %d runs; "
              "load %.2f" % (args.lease_ttl, args.fence_margin, args.settle, args.runs, os.getloadavg()[0]))
    rows = [("scenario", "from the failure to", "median", "min", "max")]
    for (name, figure), samples in results.items():
        rows.append((name, figure, "%.3f s" % statistics.median(samples), "%.3f s" % min(samples),
                     "%.3f s" % max(samples)))
    if args.markdown:
        print(header + "\n")
        print("| " + " | ".join(rows[0]) + " |")
        print("|" + "---|" * len(rows[0]))
        for row in rows[1:]:
            print("| " + " | ".join(row) + " |")
    else:
        print(header)
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
