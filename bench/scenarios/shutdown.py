"""shutdown: with N programs running, SIGTERM to supervisord -> supervisord has exited
(it stops every child first). Measured with a blocking wait, no API needed."""
from figures import Figure, Unavailable

NAME = "shutdown"


def figures(sizes):
    return [Figure("seconds", "shutdown (SIGTERM) with %d running" % sizes.programs, "s"),
            Figure("leftovers", "children left running after shutdown", "", digits=0)]


def run(session, side):
    count = session.sizes.programs
    fifo = session.fifo()
    daemon = session.running_daemon(side, "shutdown", count, fifo)
    daemon.remember_children()
    seconds = daemon.terminate_and_wait(timeout=60)
    if daemon.proc.returncode not in (0, -15):
        raise Unavailable("supervisord exited with status %s on SIGTERM" % daemon.proc.returncode)
    leftovers = daemon.stop()
    return {"seconds": seconds, "leftovers": len(leftovers)}
