"""ctl: wall time of `supervisorctl -c supervisord.conf status` with N programs running, each
side with its own supervisorctl (ours: build/bin/supervisorctl), median of ctl_calls calls.
A supervisorctl that fails (exit status other than 0/3, or fewer status lines than programs) is
"n/a" with its first line of error output."""
import subprocess
import time

from figures import Figure, Unavailable

NAME = "ctl"


def figures(sizes):
    return [Figure("status_s", "supervisorctl status, %d programs" % sizes.programs, "s")]


def run(session, side):
    probe = subprocess.run([side.supervisorctl, "--help"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0 and "not built" in (probe.stderr + probe.stdout):
        raise Unavailable(_first_line(probe))
    count = session.sizes.programs
    fifo = session.fifo()
    daemon = session.running_daemon(side, "ctl", count, fifo)
    samples = []
    for _ in range(session.sizes.ctl_calls):
        started = time.monotonic_ns()
        done = subprocess.run([side.supervisorctl, "-c", daemon.conf_path, "status"],
                              capture_output=True, text=True, timeout=60)
        samples.append((time.monotonic_ns() - started) / 1e9)
        running = sum(1 for line in done.stdout.splitlines() if " RUNNING " in line)
        if done.returncode not in (0, 3) or running < count:
            raise Unavailable("supervisorctl status exited %d with %d RUNNING lines: %s"
                              % (done.returncode, running, _first_line(done)))
    samples.sort()
    return {"status_s": samples[len(samples) // 2]}


def _first_line(done):
    for text in (done.stderr, done.stdout):
        for line in text.splitlines():
            if line.strip():
                return line.strip()
    return "no output"
