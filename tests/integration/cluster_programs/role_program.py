#!/usr/bin/python3
"""The promotable program the cluster tests supervise: a stand-in for a database.

    role_program.py --node NODE --timeline FILE --state DIR [--crash-after S]

On start it writes DIR/<node>.role = replica and DIR/<node>.pid, and appends
"<t> <node> replica start" to the timeline (a restarted instance is a replica until
promote_command runs). It then runs until SIGTERM, which appends "<t> <node> stopped" and
exits 0. Its role changes only through role_hook.py (promote/demote).

Failures on demand:
  DIR/<node>.crash exists    exit 1 at start, after "<t> <node> crashed start" (and before
                             "replica start"): the program cannot be started or restarted
  --crash-after S            run S seconds, then "<t> <node> crashed" and exit 1
"""
import argparse
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from role_hook import append_event, write_file  # noqa: E402


def main(argv):
    parser = argparse.ArgumentParser(description="The cluster tests' promotable program.")
    parser.add_argument("--node", required=True)
    parser.add_argument("--timeline", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--crash-after", type=float, default=None, metavar="S")
    args = parser.parse_args(argv)
    node = args.node

    if os.path.exists(os.path.join(args.state, node + ".crash")):
        append_event(args.timeline, node, "crashed", "start")
        print("%s: crash file present, exiting 1" % node, file=sys.stderr)
        return 1

    def on_term(signum, frame):
        append_event(args.timeline, node, "stopped")
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_term)
    write_file(args.state, node + ".pid", "%d\n" % os.getpid())
    write_file(args.state, node + ".role", "replica\n")
    append_event(args.timeline, node, "replica", "start")
    print("%s: running as replica, pid %d" % (node, os.getpid()), flush=True)

    if args.crash_after is not None:
        time.sleep(args.crash_after)
        append_event(args.timeline, node, "crashed")
        return 1
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
