#!/usr/bin/python3
"""Every hook of the promotable program the cluster tests supervise, in one script.

    role_hook.py HOOK --state DIR --timeline FILE [--node NODE]

HOOK is score, promote, demote, follow, route or notify (any other name only runs the
knobs below and succeeds). The node is --node, else $SUPERVISOR_NODE (set by the daemon in
cluster mode); when both are given and differ the hook fails with exit 2 and a
"hook_error" line, so a test also checks the environment the daemon hands to hooks.

What each hook does (DIR is --state; the timeline line format is the one Timeline in
cluster_harness.py reads: "<monotonic seconds> <node> <event> [detail]"):
  score    prints the integer in DIR/<node>.score (no file: 0); a file holding "none"
           prints nothing and exits 1 (never promote); with SUPERVISOR_REASON=election,
           DIR/<node>.election_score instead when it exists. Writes no timeline line.
  promote  DIR/<node>.role = primary, then "<t> <node> primary"
  demote   DIR/<node>.role = replica, then "<t> <node> replica demoted"
  follow   DIR/<node>.following = $SUPERVISOR_PRIMARY_NODE, then "<t> <node> follow <primary node>"
  route    "<t> <node> route"
  notify   "<t> <node> notify <type> <operation> <notify node>"

Knobs a test sets with files (read at every run, in this order):
  DIR/<node>.<hook>_sleep  seconds to sleep first (a slow or hanging hook)
  DIR/<node>.<hook>_fail   fail: append "<t> <node> <hook>_failed", exit with the integer in
                           the file (empty or not a number: 1), without the hook's effect
Each run also leaves DIR/<node>.<hook>.env: the SUPERVISOR_* variables it got, as JSON.

append_event() is the one writer of timeline lines; role_program.py and the harness use it.
"""
import argparse
import json
import os
import sys
import time


def timeline_line(node, event, detail="", stamp=None):
    """One timeline line: "<monotonic seconds> <node> <event> [detail]\\n"."""
    stamp = time.monotonic() if stamp is None else stamp
    text = "%.6f %s %s" % (stamp, node, event)
    if detail:
        text += " " + " ".join(str(detail).split())  # one line, whatever the detail holds
    return text + "\n"


def append_event(timeline, node, event, detail=""):
    """Appends one line with a single O_APPEND write(), so concurrent writers never interleave."""
    data = timeline_line(node, event, detail).encode()
    fd = os.open(timeline, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read_knob(state, node, name):
    """The stripped content of DIR/<node>.<name>, or None when the file does not exist."""
    try:
        with open(os.path.join(state, "%s.%s" % (node, name))) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def write_file(state, name, text):
    """Replaces DIR/name atomically (a reader never sees half a file)."""
    path = os.path.join(state, name)
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def run(hook, node, state, timeline):
    env = os.environ
    write_file(state, "%s.%s.env" % (node, hook),
               json.dumps({k: v for k, v in env.items() if k.startswith("SUPERVISOR_")}, sort_keys=True))

    sleep = read_knob(state, node, hook + "_sleep")
    if sleep:
        time.sleep(float(sleep))
    fail = read_knob(state, node, hook + "_fail")
    if fail is not None:
        append_event(timeline, node, hook + "_failed")
        print("%s of %s fails (knob %s.%s_fail)" % (hook, node, node, hook), file=sys.stderr)
        return int(fail) if fail.lstrip("-").isdigit() else 1

    if hook == "score":
        score = read_knob(state, node, "score")
        if env.get("SUPERVISOR_REASON") == "election":
            score = read_knob(state, node, "election_score") or score
        if score == "none":
            return 1
        print(int(score) if score else 0)
    elif hook == "promote":
        write_file(state, node + ".role", "primary\n")
        append_event(timeline, node, "primary")
    elif hook == "demote":
        write_file(state, node + ".role", "replica\n")
        append_event(timeline, node, "replica", "demoted")
    elif hook == "follow":
        primary = env.get("SUPERVISOR_PRIMARY_NODE", "")
        write_file(state, node + ".following", primary + "\n")
        append_event(timeline, node, "follow", primary)
    elif hook == "route":
        append_event(timeline, node, "route")
    elif hook == "notify":
        append_event(timeline, node, "notify", "%s %s %s" % (
            env.get("SUPERVISOR_NOTIFY_TYPE", "?"), env.get("SUPERVISOR_NOTIFY_OPERATION", "?"),
            env.get("SUPERVISOR_NOTIFY_NODE", "?")))
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description="The cluster tests' hook script.")
    parser.add_argument("hook")
    parser.add_argument("--state", required=True, help="directory of role files and knobs")
    parser.add_argument("--timeline", required=True, help="the shared timeline file")
    parser.add_argument("--node", help="this node (default: $SUPERVISOR_NODE)")
    args = parser.parse_args(argv)
    from_env = os.environ.get("SUPERVISOR_NODE")
    node = args.node or from_env
    if not node:
        print("role_hook: no node (give --node or set SUPERVISOR_NODE)", file=sys.stderr)
        return 2
    if args.node and from_env and args.node != from_env:
        append_event(args.timeline, node, "hook_error", "%s got SUPERVISOR_NODE=%s" % (args.hook, from_env))
        print("role_hook: --node %s but SUPERVISOR_NODE=%s" % (args.node, from_env), file=sys.stderr)
        return 2
    return run(args.hook, node, args.state, args.timeline)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
