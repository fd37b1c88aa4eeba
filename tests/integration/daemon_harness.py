"""A real supervisord in a temporary directory, for integration tests.

Daemon(config_body) writes a supervisord.conf whose [supervisord] section points
every file into the temporary directory (config_body adds program sections and may
use {tmp}), starts `supervisord -n`, and offers waits on its log, signals and a
zombie check. Only public interfaces are used: the config file, signals, the logs,
/proc. The daemon's environment carries a unique marker (leftover_processes.py): leaving
the `with` block (or calling __exit__) fails with AssertionError if any process that
carries it outlives the daemon.
"""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import xmlrpc.client

from leftover_processes import Marker

SUPERVISORD = os.path.abspath(os.environ.get(
    "SUPERVISORD_BIN",
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin", "supervisord")))


class UnixTransport(xmlrpc.client.Transport):
    """xmlrpc.client over a unix socket, as supervisorctl talks to unix:// servers."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def make_connection(self, host):
        connection = http.client.HTTPConnection("localhost")
        path = self.path

        def connect():
            connection.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.sock.connect(path)
        connection.connect = connect
        return connection


def unix_rpc(path, **kwargs):
    return xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=UnixTransport(path), **kwargs)


def terminate(proc, timeout=30):
    """Stops a supervisord as an operator would (SIGTERM), SIGKILL if it has not exited
    within `timeout`; returns its exit status."""
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Python Supervisor serves XML-RPC only with this section; ours has the API built in and
# accepts the section, so a config that has it runs on both.
RPCINTERFACE_SECTION = ("[rpcinterface:supervisor]\n"
                        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n")


def write_portable_config(tmp, sections, name="supervisord", loglevel=None):
    """Writes <name>.conf in `tmp` for either daemon, ours or Python's: [supervisord] with
    <name>.log, <name>.pid and the child logs in `tmp`, the rpcinterface section, then
    `sections`. Returns the config's path."""
    path = os.path.join(tmp, name + ".conf")
    supervisord = ("[supervisord]\nlogfile=%s/%s.log\npidfile=%s/%s.pid\nchildlogdir=%s\n"
                   % (tmp, name, tmp, name, tmp))
    if loglevel:
        supervisord += "loglevel=%s\n" % loglevel
    with open(path, "w") as f:
        f.write(supervisord + RPCINTERFACE_SECTION + "\n" + sections)
    return path


class Daemon:
    def __init__(self, programs, supervisord_extra="", name="daemon"):
        self.tmp = tempfile.mkdtemp(prefix="sha-%s-" % name)
        self.log_path = os.path.join(self.tmp, "supervisord.log")
        self.conf_path = os.path.join(self.tmp, "supervisord.conf")
        self.write_config(programs, supervisord_extra)
        self.proc = None
        self.marker = Marker()

    def environment(self, **extra):
        """The environment to start this daemon with (the marker set): for a test that runs
        supervisord on conf_path itself."""
        return self.marker.env(**extra)

    def assert_nothing_left(self):
        """After the daemon has exited: no process it started is still alive."""
        self.marker.assert_none_left("supervisord in %s" % self.tmp)

    def write_config(self, programs, supervisord_extra=""):
        body = (
            "[supervisord]\n"
            "logfile={tmp}/supervisord.log\n"
            "pidfile={tmp}/supervisord.pid\n"
            "childlogdir={tmp}\n"
            "loglevel=debug\n"
            + supervisord_extra + "\n" + programs)
        with open(self.conf_path, "w") as f:
            f.write(body.replace("{tmp}", self.tmp))

    def start(self, *extra_args, preexec_fn=None):
        self.output = open(os.path.join(self.tmp, "stdout.txt"), "wb")
        self.proc = subprocess.Popen([SUPERVISORD, "-n", "-c", self.conf_path] + list(extra_args),
                                     stdout=self.output, stderr=subprocess.STDOUT, cwd=self.tmp,
                                     preexec_fn=preexec_fn, env=self.environment())
        self.wait_for_log(r"supervisord started with pid %d" % self.proc.pid)
        return self

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.__exit__(None, None, None)  # __exit__ is not called when __enter__ fails
            raise

    def __exit__(self, *exc):
        try:
            try:
                self.stop()
            finally:
                if getattr(self, "output", None):
                    self.output.close()
                self.assert_nothing_left()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    # Add this to the config to use rpc().
    RPC_SECTION = "[unix_http_server]\nfile={tmp}/supervisor.sock\n"

    def rpc(self):
        return unix_rpc(os.path.join(self.tmp, "supervisor.sock"))

    def wait_for_log(self, pattern, count=1, timeout=15):
        deadline = time.time() + timeout
        regex = re.compile(pattern)
        while time.time() < deadline:
            if len(regex.findall(self.log())) >= count:
                return
            if self.proc is not None and self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError("log never showed %r %d time(s); log:\n%s" % (pattern, count, self.log()[-4000:]))

    def count(self, pattern):
        return len(re.findall(pattern, self.log()))

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=30):
        if self.proc is None:
            return None
        return terminate(self.proc, timeout)

    def pid_of(self, name):
        """The pid of the latest 'spawned: name' line."""
        found = re.findall(r"spawned: '%s' with pid (\d+)" % re.escape(name), self.log())
        if not found:
            raise AssertionError("%s was never spawned:\n%s" % (name, self.log()[-3000:]))
        return int(found[-1])

    def children(self):
        """Direct children of the daemon and their states, from /proc."""
        result = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                result[int(entry)] = fields[0]
        return result

    def zombies(self):
        return [pid for pid, state in self.children().items() if state == "Z"]


def process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(predicate, timeout=10, message="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + message)
