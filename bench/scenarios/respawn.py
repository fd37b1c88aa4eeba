"""respawn: kill -9 of a RUNNING child -> its replacement has exec'd, with nobody polling the daemon.

Each program is `stamp FIFO NAME sleep`, so a replacement writes "NAME PID CLOCK_MONOTONIC_NS"
into the fifo the moment it execs; the bench reads the monotonic clock just before kill(2) and
blocks on the fifo. Latency = stamp - kill time. Kills go to programs round-robin, spaced
20-60 ms apart at random (so they land at every phase of a daemon's timers), with at most
`respawn_outstanding` replacements awaited at once (Python's ~1 s reaction would otherwise make
hundreds of sequential kills take minutes). A kill whose replacement has not exec'd after
5 s counts as "no respawn" and its program is not killed again.
"""
import math
import os
import random
import signal
import time

from figures import Figure, Unavailable

NAME = "respawn"
GIVE_UP_NS = 5 * 10**9


def figures(sizes):
    return [Figure("p50_ms", "respawn after kill -9, p50 (%d kills, unpolled)" % sizes.respawn_kills, "ms"),
            Figure("p99_ms", "respawn after kill -9, p99", "ms"),
            Figure("max_ms", "respawn after kill -9, max", "ms"),
            Figure("missed", "kills with no respawn within 5 s", "", digits=0)]


def run(session, side):
    sizes = session.sizes
    fifo = session.fifo()
    daemon = session.running_daemon(side, "respawn", sizes.programs, fifo)
    names = sorted(fifo.latest)
    rng = random.Random(9)
    in_flight = {}                  # name -> (killed pid, kill ns)
    latencies, missed = [], 0
    kills, turn = 0, 0
    next_kill_at = time.monotonic()
    deadline = next_kill_at + 60 + sizes.respawn_kills * 0.5

    def collect():
        nonlocal missed
        now = time.monotonic_ns()
        for name, (pid, killed_ns) in list(in_flight.items()):
            stamp = fifo.latest.get(name)
            if stamp is not None and stamp.pid != pid:
                latencies.append((stamp.ns - killed_ns) / 1e6)
                del in_flight[name]
            elif now - killed_ns > GIVE_UP_NS:
                missed += 1
                names.remove(name)
                del in_flight[name]

    while (kills < sizes.respawn_kills or in_flight) and time.monotonic() < deadline:
        if not daemon.running():
            raise Unavailable(daemon.exit_description())
        collect()
        may_kill = kills < sizes.respawn_kills and len(in_flight) < sizes.respawn_outstanding
        now = time.monotonic()
        if may_kill and now >= next_kill_at:
            name = names[turn % len(names)]
            turn += 1
            if name in in_flight:
                continue
            pid = fifo.latest[name].pid
            killed_ns = time.monotonic_ns()
            os.kill(pid, signal.SIGKILL)
            in_flight[name] = (pid, killed_ns)
            kills += 1
            next_kill_at = now + rng.uniform(0.02, 0.06)
            continue
        # Sleep on the fifo: a stamp wakes us at once; latency comes from the stamp's own clock.
        timeout = max(0.001, next_kill_at - now) if may_kill else 0.05
        seen = len(fifo.stamps)
        fifo.wait(lambda: len(fifo.stamps) > seen, timeout)
    missed += len(in_flight)
    if not latencies:
        raise Unavailable("no replacement exec'd after %d kills" % kills)
    latencies.sort()
    return {"p50_ms": _percentile(latencies, 50), "p99_ms": _percentile(latencies, 99),
            "max_ms": latencies[-1], "missed": missed}


def _percentile(sorted_values, percent):
    """Nearest-rank percentile: the smallest value with at least percent% of values <= it."""
    rank = math.ceil(percent / 100 * len(sorted_values))
    return sorted_values[min(len(sorted_values), max(1, rank)) - 1]
