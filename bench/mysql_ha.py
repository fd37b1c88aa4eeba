"""scripts/bench --mysql-ha: how long a failover takes on real MariaDB, from the fault to the
new primary accepting writes (the writer's first acknowledged row on it), measured with
examples/mysql-ha (three MariaDB nodes, each run by our supervisord, a 3-member etcd; see
examples/mysql-ha/run_scenarios.py). Our daemon only: Python Supervisor has no cluster mode.

usage: mysql_ha.py [--runs N] [--markdown]

Each run is the example's whole scenario set on fresh nodes, with its checks (every
acknowledged row kept, never two primaries); a run whose checks fail stops the benchmark.
Figures per failover, from the fault (epoch seconds, one machine):
  crash        the primary's mariadbd is killed and cannot start again: the node releases
               the leader key itself (primary_start_timeout = 0), no lease to wait for
  partition    the primary is cut off from everything: it fences itself, the others wait
               for its lease (lease_ttl 3 s) to expire
  node loss    the primary's supervisord and mariadbd are killed -9: the others wait for
               its lease to expire
"""
import argparse
import importlib.util
import os
import statistics
import sys

import report

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
os.environ.setdefault("SUPERVISORD_BIN", os.path.join(ROOT, "build", "bin", "supervisord"))
_spec = importlib.util.spec_from_file_location(
    "run_scenarios", os.path.join(ROOT, "examples", "mysql-ha", "run_scenarios.py"))
run_scenarios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_scenarios)


def main(argv):
    parser = argparse.ArgumentParser(prog="scripts/bench --mysql-ha", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    run_scenarios.check_prerequisites()
    samples = {}
    for index in range(args.runs):
        print("run %d/%d" % (index + 1, args.runs), file=sys.stderr, flush=True)
        for name, fault, started, promoted, first in run_scenarios.run_all(log=sys.stderr).figures:
            for figure, seconds in (("promote hook starts", started - fault), ("promote hook done", promoted - fault),
                                    ("first acknowledged write", first - fault)):
                samples.setdefault((name, figure), []).append(seconds)
    header = ("failover on MariaDB, this machine: lease_ttl 3 s, fence_margin 2 s, settle 0.3 s, watchdog "
              "(examples/mysql-ha/node.conf), %d runs; load %.2f" % (args.runs, os.getloadavg()[0]))
    columns = ("scenario", "from the fault to", "median", "min", "max")
    table = [(name, figure, "%.3f s" % statistics.median(values), "%.3f s" % min(values), "%.3f s" % max(values))
             for (name, figure), values in samples.items()]
    print(header + "\n")
    print(report.markdown(columns, table) if args.markdown else report.plain(columns, table))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
