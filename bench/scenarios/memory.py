"""memory: supervisord's resident set size and open file descriptors (from /proc), with no
program and with N sleep programs running, each read after the daemon has settled.
"No program" waits for "supervisord started" in its log; N programs wait for N exec stamps."""
import time

import proc_stats
from figures import Figure

NAME = "memory"


def figures(sizes):
    n = sizes.programs
    return [Figure("rss_0_mib", "RSS, 0 programs", "MiB"),
            Figure("rss_n_mib", "RSS, %d programs" % n, "MiB"),
            Figure("fds_0", "open fds, 0 programs", "", digits=0),
            Figure("fds_n", "open fds, %d programs" % n, "", digits=0)]


def run(session, side):
    empty = session.daemon(side, "memory-0", "").start()
    empty.wait_for_log("supervisord started")
    time.sleep(session.sizes.settle_seconds)
    result = {"rss_0_mib": proc_stats.rss_kib(empty.pid) / 1024, "fds_0": proc_stats.open_fds(empty.pid)}
    session.cleanup()
    fifo = session.fifo()
    full = session.running_daemon(side, "memory-n", session.sizes.programs, fifo)
    result["rss_n_mib"] = proc_stats.rss_kib(full.pid) / 1024
    result["fds_n"] = proc_stats.open_fds(full.pid)
    return result
