"""stopAll: with N programs RUNNING, the wall time of supervisor.stopAllProcesses() (wait=true:
it returns once every process has stopped), then a check that all report STOPPED."""
import time

from figures import Figure, Unavailable

NAME = "stopall"


def figures(sizes):
    return [Figure("seconds", "stopAllProcesses with %d running" % sizes.programs, "s")]


def run(session, side):
    if side.api_unavailable:
        raise Unavailable(side.api_unavailable)
    count = session.sizes.programs
    fifo = session.fifo()
    daemon = session.running_daemon(side, "stopall", count, fifo)
    proxy = daemon.wait_for_api()
    started = time.monotonic_ns()
    proxy.supervisor.stopAllProcesses()
    elapsed = (time.monotonic_ns() - started) / 1e9
    states = [info["statename"] for info in proxy.supervisor.getAllProcessInfo()]
    not_stopped = [state for state in states if state != "STOPPED"]
    if not_stopped:
        raise Unavailable("%d processes not STOPPED after stopAllProcesses returned" % len(not_stopped))
    return {"seconds": elapsed}
