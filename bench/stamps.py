"""The stamp fifo: children write "name pid monotonic_ns" lines into it when they exec.

A thread blocks in read() on the fifo (opened read-write so it never sees end-of-file), so the
bench learns about every exec without polling anything. Callers wait on a condition variable:
wait_count(n) for "n children have exec'd", wait_for_name(name, after_pid) for "name has a new pid".
"""
import os
import threading
import time


class Stamp:
    __slots__ = ("name", "pid", "ns")

    def __init__(self, name, pid, ns):
        self.name, self.pid, self.ns = name, pid, ns


class StampFifo:
    def __init__(self, path):
        self.path = path
        os.mkfifo(path, 0o600)
        self._fd = os.open(path, os.O_RDWR)
        self._condition = threading.Condition()
        self.stamps = []            # every stamp, in arrival order
        self.latest = {}            # name -> latest Stamp
        self._closed = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        pending = b""
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            pending += chunk
            *lines, pending = pending.split(b"\n")
            with self._condition:
                for line in lines:
                    if line == b"\0":
                        continue
                    parts = line.split()
                    if len(parts) != 3:
                        continue
                    stamp = Stamp(parts[0].decode(), int(parts[1]), int(parts[2]))
                    self.stamps.append(stamp)
                    self.latest[stamp.name] = stamp
                self._condition.notify_all()
                if self._closed:
                    return

    def wait(self, predicate, timeout):
        """Blocks until predicate() (evaluated under the lock) holds; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
            return True

    def wait_count(self, count, timeout):
        return self.wait(lambda: len(self.stamps) >= count, timeout)

    def close(self):
        self._closed = True
        try:
            # Wake the reader with a line it ignores, then let it go.
            with open(self.path, "wb", buffering=0) as fifo:
                fifo.write(b"\0\n")
        except OSError:
            pass
        self._thread.join(1)
        os.close(self._fd)
