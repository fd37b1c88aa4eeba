"""spawn: daemon exec -> every program RUNNING per getAllProcessInfo, and -> every program exec'd.

RUNNING: from just before exec'ing supervisord until one getAllProcessInfo reports all N
RUNNING; the bench connects as soon as the socket accepts and then asks every 20 ms (each
answer also costs the daemon, which is part of what a user waiting this way pays).
exec'd: a separate daemon start, nobody talks to the daemon; from exec until the N-th child
has written its stamp (so it does not need the API).
"""
import time

from figures import Figure, Unavailable

NAME = "spawn"
POLL_GAP = 0.02
TIMEOUT = 120


def figures(sizes):
    result = []
    for count in sizes.spawn_counts:
        result.append(Figure("running_%d" % count, "spawn %d -> all RUNNING (getAllProcessInfo)" % count, "s"))
        result.append(Figure("execd_%d" % count, "spawn %d -> all exec'd (stamps, unpolled)" % count, "s"))
    return result


def run(session, side):
    result = {}
    for count in session.sizes.spawn_counts:
        try:
            result["running_%d" % count] = _until_running(session, side, count)
        except Unavailable as reason:
            result["running_%d" % count] = reason
        session.cleanup()
        result["execd_%d" % count] = _until_execd(session, side, count)
        session.cleanup()
    return result


def _until_running(session, side, count):
    fifo = session.fifo()
    daemon = session.daemon(side, "spawn-running-%d" % count, session.sleep_programs(count, fifo))
    if side.api_unavailable:
        raise Unavailable(side.api_unavailable)
    daemon.start()
    proxy = daemon.wait_for_api(timeout=TIMEOUT)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        infos = proxy.supervisor.getAllProcessInfo()
        if len(infos) == count and all(info["statename"] == "RUNNING" for info in infos):
            return (time.monotonic_ns() - daemon.started_ns) / 1e9
        time.sleep(POLL_GAP)
    raise Unavailable("not all %d RUNNING within %ds" % (count, TIMEOUT))


def _until_execd(session, side, count):
    fifo = session.fifo()
    daemon = session.daemon(side, "spawn-execd-%d" % count, session.sleep_programs(count, fifo)).start()
    daemon.wait_for_execs(fifo, count, timeout=TIMEOUT)
    last = max(stamp.ns for stamp in fifo.latest.values())
    return (last - daemon.started_ns) / 1e9
