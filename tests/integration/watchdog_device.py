"""WatchdogDevice: a FIFO standing in for a node's /dev/watchdog in the cluster tests and
the nemesis, where the real one (softdog) would reboot the machine that runs them.

It keeps the kernel's contract (Documentation/watchdog/watchdog-api.rst) as the daemon
sees it: the first byte a writer sends arms it (the daemon feeds at once after opening),
every byte feeds it, "V" followed by close disarms it, a close without "V" leaves it
armed. When `timeout` seconds pass without a feed while armed, it "resets the node":
calls reset() once (the test kills the node's supervisord and everything below it), and
records the moment. A new writer may arm it again afterwards.
"""
import os
import select
import threading
import time


class WatchdogDevice:
    def __init__(self, path, timeout, reset):
        self.path = path
        self.timeout = timeout
        self.reset = reset
        self.armed = False
        self.last_feed = None
        self.fired = []       # time.time() of each reset
        self.disarmed = []    # time.time() of each "V" + close
        self.armings = []     # time.time() of each arming
        os.mkfifo(path, 0o600)
        self._fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="watchdog " + path, daemon=True)
        self._thread.start()

    def _reopen(self):
        # After the writer closed, a FIFO's reader sees end of file until a new writer
        # comes: open it afresh to wait for one.
        os.close(self._fd)
        self._fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)

    def _run(self):
        saw_v = False
        while not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], 0.01)
            now = time.time()
            if ready:
                try:
                    data = os.read(self._fd, 4096)
                except BlockingIOError:
                    data = b""
                    ready = []
                if data:
                    with self._lock:
                        if not self.armed:
                            self.armed = True
                            self.armings.append(now)
                        self.last_feed = now
                    saw_v = data.endswith(b"V")
                elif ready:  # end of file: the writer closed
                    with self._lock:
                        if saw_v and self.armed:
                            self.armed = False
                            self.disarmed.append(now)
                    saw_v = False
                    self._reopen()
            with self._lock:
                due = self.armed and now - self.last_feed > self.timeout
                if due:
                    self.armed = False
                    self.fired.append(now)
            if due:
                self.reset()

    def close(self):
        self._stop.set()
        self._thread.join()
        os.close(self._fd)
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass
