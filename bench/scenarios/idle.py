"""idle: with N sleep programs running and nobody talking to the daemon, its on-CPU time
(schedstat, ns resolution) and voluntary context switches (each is one wake-up from a sleep)
over a window of idle_seconds, after the daemon has settled."""
import time

import proc_stats
from figures import Figure

NAME = "idle"


def figures(sizes):
    n, seconds = sizes.programs, sizes.idle_seconds
    return [Figure("cpu_ms", "idle CPU, %d programs, %d s" % (n, seconds), "ms"),
            Figure("wakeups", "idle voluntary context switches, %d s" % seconds, "", digits=0)]


def run(session, side):
    fifo = session.fifo()
    daemon = session.running_daemon(side, "idle", session.sizes.programs, fifo)
    cpu_before = proc_stats.cpu_seconds(daemon.pid)
    switches_before = proc_stats.voluntary_switches(daemon.pid)
    time.sleep(session.sizes.idle_seconds)
    return {"cpu_ms": (proc_stats.cpu_seconds(daemon.pid) - cpu_before) * 1000,
            "wakeups": proc_stats.voluntary_switches(daemon.pid) - switches_before}
