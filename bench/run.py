"""scripts/bench: the same scenarios against our supervisord and Python's, one table.

usage: run.py [--quick] [--only NAME[,NAME...]] [--runs N] [--json FILE] [--markdown]
              [--side ours|python] [--keep]
Each scenario runs N times per side (sides alternate which goes first), each run on fresh
daemons; the table shows medians with [min-max] and the ratio (> 1: ours is better).
A side that cannot run a scenario shows "n/a (reason)"; an unexpected error in a scenario is
reported the same way (with its traceback on stderr) and the bench goes on.
"""
import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import report  # noqa: E402
import scenarios  # noqa: E402
from child_programs import ChildPrograms  # noqa: E402
from daemons import Side  # noqa: E402
from figures import Unavailable  # noqa: E402
from session import Session, Sizes  # noqa: E402

SCENARIO_TIME_LIMIT = 600


class _TimeLimit(Exception):
    pass


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="one run of each scenario at small sizes (a smoke run)")
    parser.add_argument("--only", action="append", default=[], metavar="SCENARIO",
                        help="run only these scenarios (repeat or comma-separate): "
                             + ", ".join(module.NAME for module in scenarios.ALL))
    parser.add_argument("--runs", type=int, help="runs per scenario and side (default 3, --quick 1)")
    parser.add_argument("--json", metavar="FILE", help="also write every sample and the machine to FILE")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--side", choices=["ours", "python"], help="measure only one side")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (configs, logs)")
    arguments = parser.parse_args(argv)
    names = [name for item in arguments.only for name in item.split(",") if name]
    unknown = [name for name in names if name not in scenarios.BY_NAME]
    if unknown:
        parser.error("unknown scenario %s (known: %s)"
                     % (", ".join(unknown), ", ".join(scenarios.BY_NAME)))
    arguments.selected = [scenarios.BY_NAME[name] for name in names] if names else scenarios.ALL
    if arguments.runs is None:
        arguments.runs = 1 if arguments.quick else 3
    if arguments.runs < 1:
        parser.error("--runs must be at least 1")
    return arguments


def make_sides(which):
    sides = [Side("ours", "ours", os.path.join(ROOT, "build/bin/supervisord"),
                  os.path.join(ROOT, "build/bin/supervisorctl")),
             Side("python", "Python 4.2.5", "/usr/bin/supervisord", "/usr/bin/supervisorctl")]
    for side in sides:
        if not os.access(side.supervisord, os.X_OK):
            side.api_unavailable = side.missing = "%s not found" % side.supervisord
        else:
            side.missing = None
    return [side for side in sides if which in (None, side.name)]


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    def output(command):
        try:
            return subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                                  timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "unknown"
    commit = output(["git", "rev-parse", "--short", "HEAD"])
    if output(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += " (with uncommitted changes)"
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    return {"load_before": load, "nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "python": platform.python_version(), "commit": commit,
            "python_supervisor": output(["/usr/bin/supervisord", "--version"]),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %z")}


def run_once(module, session, side):
    """One run of one scenario on one side -> {key: value or Unavailable}."""
    if side.missing:
        raise Unavailable(side.missing)

    def expire(signum, frame):
        raise _TimeLimit()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(SCENARIO_TIME_LIMIT)
    try:
        return module.run(session, side)
    except _TimeLimit:
        raise Unavailable("scenario exceeded %d s" % SCENARIO_TIME_LIMIT)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        leftovers = session.cleanup()
        if leftovers:
            print("  warning: killed %d children %s's supervisord left behind"
                  % (len(leftovers), side.name), file=sys.stderr)


def _interrupt(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def main(argv):
    arguments = parse_arguments(argv)
    # Stop cleanly (daemons stopped, scratch removed) on ^C or kill, even when started in the
    # background with SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    sides = make_sides(arguments.side)
    sizes = Sizes(arguments.quick)
    work_dir = tempfile.mkdtemp(prefix="sbench-", dir="/tmp")
    session = Session(work_dir, ChildPrograms(work_dir), sizes)
    info = machine()
    print("bench: %s, %d cores, kernel %s, load %s, commit %s; %d run(s) per scenario%s; scratch %s"
          % (info["cpu"], info["nproc"], info["kernel"], info["load_before"], info["commit"], arguments.runs,
             " (quick sizes)" if arguments.quick else "", work_dir), file=sys.stderr)
    results = {}
    scenario_figures = []
    began = time.monotonic()
    try:
        for module in arguments.selected:
            figures = module.figures(sizes)
            scenario_figures.append((module.NAME, figures))
            values = {side.name: {figure.key: [] for figure in figures} for side in sides}
            dropped = {}
            for run_index in range(arguments.runs):
                order = sides if run_index % 2 == 0 else list(reversed(sides))
                for side in order:
                    if side.name in dropped:
                        outcome = dropped[side.name]
                    else:
                        started = time.monotonic()
                        try:
                            outcome = run_once(module, session, side)
                        except Unavailable as reason:
                            outcome = reason
                            dropped[side.name] = reason
                        except Exception as error:  # noqa: BLE001 - reported, the bench goes on
                            traceback.print_exc()
                            outcome = Unavailable("error: %s: %s" % (type(error).__name__, error))
                        print("  %-9s run %d/%d %-6s %5.1f s%s" % (
                            module.NAME, run_index + 1, arguments.runs, side.name,
                            time.monotonic() - started,
                            "  n/a: %s" % outcome if isinstance(outcome, Unavailable) else ""),
                            file=sys.stderr)
                    for figure in figures:
                        value = outcome if isinstance(outcome, Unavailable) else outcome.get(
                            figure.key, Unavailable("not measured"))
                        values[side.name][figure.key].append(value)
            results[module.NAME] = {side: {key: report.summarize(samples) for key, samples in keyed.items()}
                                    for side, keyed in values.items()}
    finally:
        session.cleanup()
        if not arguments.keep:
            shutil.rmtree(work_dir, ignore_errors=True)

    with open("/proc/loadavg") as f:
        info["load_after"] = " ".join(f.read().split()[:3])
    header = ["scenario", "figure"] + [side.label for side in sides]
    if len(sides) == 2:
        header.append("ratio (>1: ours better)")
    table = report.rows(scenario_figures, results, sides)
    print(report.markdown(header, table) if arguments.markdown else report.plain(header, table))
    print("\n%d run(s) per scenario; median [min-max]; %.0f s in all; load average %s before, %s after."
          % (arguments.runs, time.monotonic() - began, info["load_before"], info["load_after"]))
    if arguments.json:
        with open(arguments.json, "w") as f:
            json.dump({"machine": info, "runs": arguments.runs, "quick": arguments.quick,
                       "sides": {side.name: {"supervisord": side.supervisord,
                                             "supervisorctl": side.supervisorctl} for side in sides},
                       "figures": {name: [{"key": figure.key, "label": figure.label, "unit": figure.unit,
                                           "better": figure.better} for figure in figures]
                                   for name, figures in scenario_figures},
                       "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
