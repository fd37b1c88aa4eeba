"""One supervisord (ours or Python's) running a generated config in its own directory.

Side names a daemon and its supervisorctl. Daemon writes supervisord.conf (same text for both
sides: unix socket, rpcinterface, log files in the directory), starts `supervisord -n -c`, and
offers waits that never poll the daemon itself: its log file ("supervisord started") and the
stamp fifo (children exec'd). wait_for_api() is the only one that talks to it. stop() sends
SIGTERM, waits, and SIGKILLs the daemon and any child it left behind.
"""
import os
import signal
import subprocess
import threading
import time

import proc_stats
import rpc_client
from figures import Unavailable

# Python's supervisord opens its socket before spawning anything, in well under a second.
SOCKET_SECONDS = 10


class Side:
    def __init__(self, name, label, supervisord, supervisorctl):
        self.name = name                  # "ours" / "python": keys in JSON
        self.label = label                # column title
        self.supervisord = supervisord
        self.supervisorctl = supervisorctl
        self.api_unavailable = None       # reason, once a daemon of this side had no API


def sleep_programs(count, child_programs, fifo_path):
    """One [program:sleepers] with numprocs=count (processes sleepers:p000...) running `sleep`,
    each stamping the fifo on exec. One program, not count programs: Python Supervisor stops
    one group per main-loop tick, so 500 one-process groups would take minutes to shut down."""
    if count == 0:
        return ""
    return ("[program:sleepers]\nprocess_name=p%%(process_num)03d\nnumprocs=%d\n"
            "command=%s %s p%%(process_num)03d /bin/sleep 1000000\nstartsecs=0\nautorestart=true\n"
            % (count, child_programs.stamp, fifo_path))


class Daemon:
    def __init__(self, side, directory, programs_text, supervisord_extra=""):
        self.side = side
        self.dir = directory
        os.makedirs(directory)
        self.conf_path = os.path.join(directory, "supervisord.conf")
        self.log_path = os.path.join(directory, "supervisord.log")
        self.socket_path = os.path.join(directory, "supervisor.sock")
        with open(self.conf_path, "w") as f:
            f.write(
                "[supervisord]\n"
                "logfile=%(dir)s/supervisord.log\n"
                "pidfile=%(dir)s/supervisord.pid\n"
                "childlogdir=%(dir)s\n"
                "loglevel=info\n"
                "%(extra)s\n"
                "[unix_http_server]\nfile=%(dir)s/supervisor.sock\n\n"
                "[rpcinterface:supervisor]\n"
                "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
                "[supervisorctl]\nserverurl=unix://%(dir)s/supervisor.sock\n\n"
                % {"dir": directory, "extra": supervisord_extra} + programs_text + "\n")
        self.proc = None
        self.started_ns = None
        self._output = None
        self._known_children = set()

    # --- lifecycle -------------------------------------------------------------------------
    def start(self):
        self._output = open(os.path.join(self.dir, "stdout.txt"), "wb")
        self.started_ns = time.monotonic_ns()
        self.proc = subprocess.Popen([self.side.supervisord, "-n", "-c", self.conf_path],
                                     stdout=self._output, stderr=subprocess.STDOUT, cwd=self.dir,
                                     start_new_session=True)
        return self

    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def exit_description(self):
        try:
            with open(os.path.join(self.dir, "stdout.txt"), errors="replace") as f:
                lines = [line.strip() for line in f if line.strip()]
        except OSError:
            lines = []
        last = lines[-1] if lines else "no output"
        return "supervisord exited with status %s: %s" % (self.proc.returncode, last)

    def terminate_and_wait(self, timeout=60):
        """SIGTERM, then a blocking wait (no polling loop); returns seconds from signal to exit."""
        killer = threading.Timer(timeout, self._kill)
        killer.start()
        started = time.monotonic_ns()
        try:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait()
        finally:
            killer.cancel()
        return (time.monotonic_ns() - started) / 1e9

    def _kill(self):
        try:
            self.proc.kill()
        except OSError:
            pass

    def remember_children(self):
        if self.running():
            self._known_children.update(proc_stats.children_of(self.proc.pid))

    def stop(self):
        if self.proc is None:
            return
        self.remember_children()
        if self.proc.poll() is None:
            self.terminate_and_wait(60)
        leftovers = [pid for pid in self._known_children if _alive(pid)]
        for pid in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if self._output:
            self._output.close()
            self._output = None
        return leftovers

    # --- waits that do not talk to the daemon ----------------------------------------------
    def wait_for_log(self, text, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(self.log_path, errors="replace") as f:
                    if text in f.read():
                        return
            except FileNotFoundError:
                pass
            if not self.running():
                raise Unavailable(self.exit_description())
            time.sleep(0.01)
        raise Unavailable("log never said %r within %ds" % (text, timeout))

    def wait_for_execs(self, fifo, count, timeout=120):
        """Blocks on the stamp fifo until count distinct programs have exec'd."""
        deadline = time.monotonic() + timeout
        while not fifo.wait(lambda: len(fifo.latest) >= count, 0.5):
            if not self.running():
                raise Unavailable(self.exit_description())
            if time.monotonic() > deadline:
                raise Unavailable("only %d of %d programs exec'd within %ds"
                                  % (len(fifo.latest), count, timeout))
        self.remember_children()

    # --- the API ---------------------------------------------------------------------------
    def wait_for_api(self, timeout=30):
        """Returns an xmlrpc.client proxy once supervisor.getState answers, else Unavailable.
        A daemon that never opens its socket has no API: that is remembered on the side, so
        later scenarios skip at once. A slow or failing answer only fails this wait."""
        if self.side.api_unavailable:
            raise Unavailable(self.side.api_unavailable)
        began = time.monotonic()
        deadline = began + timeout
        last_error = None
        while time.monotonic() < deadline:
            if not self.running():
                raise Unavailable(self.exit_description())
            if last_error is None and time.monotonic() - began > SOCKET_SECONDS:
                break
            if os.path.exists(self.socket_path):
                try:
                    proxy = rpc_client.server_proxy(self.socket_path,
                                                    timeout=max(1.0, deadline - time.monotonic()))
                    proxy.supervisor.getState()
                    return rpc_client.server_proxy(self.socket_path)
                except Exception as error:  # noqa: BLE001 - any failure means "not yet"
                    last_error = "%s: %s" % (type(error).__name__, error)
            time.sleep(0.005)
        if last_error is None:
            self.side.api_unavailable = "no XML-RPC API: socket never appeared in %d s" % SOCKET_SECONDS
            raise Unavailable(self.side.api_unavailable)
        raise Unavailable("XML-RPC API did not answer getState in %d s (%s)" % (timeout, last_error))


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
