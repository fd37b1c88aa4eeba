"""Tests leave nothing behind: every supervisord a test starts (ours or Python's, directly or
through a wrapper such as valgrind) gets a unique marker in its environment,
SHA_TEST_RUN=<uuid>, which its programs, hooks and listeners inherit. Once the daemon has
exited, no process on the machine may still carry that marker.

    marker = Marker()
    proc = subprocess.Popen([...supervisord...], env=marker.env())
    ...stop the daemon...
    marker.assert_none_left("the daemon of test x")   # AssertionError, after a SIGKILL to each

A zombie's /proc/<pid>/environ is empty, so only live processes count. The soak
(tests/soak/soak.py) has its own SOAK_RUN marker and check.
"""
import os
import signal
import time
import uuid

VARIABLE = "SHA_TEST_RUN"

# How long processes that carry the marker may take to go once the daemon has exited (the
# daemon's own stop already waited for its programs; this is for a last exit in flight).
GRACE_SECONDS = 5.0


def _read(pid, name):
    try:
        with open("/proc/%d/%s" % (pid, name), "rb") as f:
            return f.read()
    except OSError:  # gone, or a kernel thread
        return None


def carriers(value):
    """The pids of the live processes whose environment has SHA_TEST_RUN=<value>."""
    wanted = ("%s=%s" % (VARIABLE, value)).encode()
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        raw = _read(int(entry), "environ")
        if raw and wanted in raw.split(b"\0"):
            found.append(int(entry))
    return sorted(found)


def cmdline(pid):
    raw = _read(pid, "cmdline")
    if not raw:
        return "(gone)"
    return " ".join(part.decode(errors="replace") for part in raw.rstrip(b"\0").split(b"\0"))


def kill_all(value):
    """SIGKILL to every process that carries the marker, until none is left (a process may
    fork while we walk /proc); returns {pid: cmdline} of those killed."""
    killed = {}
    deadline = time.monotonic() + 10
    while True:
        pids = [pid for pid in carriers(value) if pid not in killed]
        if not pids or time.monotonic() > deadline:
            return killed
        for pid in pids:
            killed[pid] = cmdline(pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class Marker:
    """One marker value: env() for the daemon's environment, assert_none_left() at teardown."""

    def __init__(self):
        self.value = uuid.uuid4().hex

    def env(self, base=None, **extra):
        """A copy of `base` (os.environ by default) with the marker and `extra` set."""
        env = dict(os.environ if base is None else base)
        env.update(extra)
        env[VARIABLE] = self.value
        return env

    def alive(self):
        return carriers(self.value)

    def assert_none_left(self, what="the test's daemon", grace=GRACE_SECONDS):
        """Call once the daemon has exited. Waits up to `grace` for the processes that carry
        the marker to go; any still alive then is killed (SIGKILL, so the machine is clean for
        the next test) and the call raises AssertionError naming each pid and command line."""
        deadline = time.monotonic() + grace
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not self.alive():
            return
        killed = kill_all(self.value)
        if not killed:
            return
        raise AssertionError("%s left %d process(es) running after it exited (%s=%s; killed now):\n%s" % (
            what, len(killed), VARIABLE, self.value,
            "\n".join("  pid %d: %s" % (pid, line) for pid, line in sorted(killed.items()))))
