"""Our supervisorctl against Python Supervisor 4.2.5's own supervisord, side by
side with Python's supervisorctl: for each action both clients run with the same
arguments, and their stdout and exit codes must be identical (pids, uptimes and
dates normalized). Actions that change the daemon's state are run by Python's
client first, the state is put back, then ours runs.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import free_port  # noqa: E402
from leftover_processes import Marker  # noqa: E402

# The daemon both clients talk to: Python's by default; test_supervisorctl_on_our_daemon.py
# runs the same comparisons against ours.
PYTHON_SUPERVISORD = os.environ.get("CTL_TEST_DAEMON", "/usr/bin/supervisord")
PYTHON_SUPERVISORCTL = "/usr/bin/supervisorctl"
OUR_SUPERVISORCTL = os.path.abspath(os.environ.get(
    "SUPERVISORCTL_BIN",
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin", "supervisorctl")))

PROGRAMS = """
[program:talker]
command=sh -c "echo hello from talker; echo complaint >&2; exec sleep 100000"
startsecs=0

[program:fails]
command=/bin/false
startretries=0
autostart=false

[program:nofile]
command=/nonexistent/program
autostart=false

[group:grp]
programs=a,b

[program:a]
command=sleep 100000
startsecs=0

[program:b]
command=sleep 100000
startsecs=0
autostart=false

[program:many]
command=sleep 100000
numprocs=2
process_name=%(program_name)s_%(process_num)d
startsecs=0
"""


# Python supervisorctl's exit status after a list of results (set_exitstatus_from_xmlrpc_fault):
# each failed result sets it in turn, to 7 (LSB "not running") for a dead program's fault,
# else 1; a command ignores its own no-op fault (start: already started, stop: not running).
DEAD_PROGRAM_ERRORS = ("spawn error", "abnormal termination", "not running")
IGNORED_ERRORS = {"start": ("already started",), "stop": ("not running",), "restart": ("not running",)}


def implied_exit_status(output, ignored, when_no_error):
    """The exit status the results in `output`, in their order, imply; `when_no_error` when
    no result failed (the status then comes from elsewhere, e.g. an unknown name)."""
    status = None
    for line in output.splitlines():
        failed = re.search(r": ERROR \((.*)\)$", line)
        if failed and failed.group(1) not in ignored:
            status = 7 if failed.group(1) in DEAD_PROGRAM_ERRORS else 1
    return when_no_error if status is None else status


def normalize(text):
    text = re.sub(r"pid \d+, uptime \d+:\d\d:\d\d", "pid N, uptime U", text)
    text = re.sub(r"\b[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M\b", "DATE", text)
    text = text.replace(PYTHON_SUPERVISORCTL, "PROG").replace(OUR_SUPERVISORCTL, "PROG")
    return text


class PythonSupervisord:
    """Python's supervisord -n on a temporary directory (unix socket, inet with auth)."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="sha-ctl-")
        self.socket_path = os.path.join(self.tmp, "supervisor.sock")
        self.port = free_port()
        self.conf = os.path.join(self.tmp, "supervisord.conf")
        self.write_config(PROGRAMS)

    def write_config(self, programs):
        with open(self.conf, "w") as f:
            f.write(
                "[unix_http_server]\nfile=%(sock)s\n\n"
                "[inet_http_server]\nport=127.0.0.1:%(port)d\nusername=user\npassword=secret\n\n"
                "[supervisord]\nlogfile=%(tmp)s/supervisord.log\npidfile=%(tmp)s/supervisord.pid\n"
                "childlogdir=%(tmp)s\n\n"
                "[rpcinterface:supervisor]\n"
                "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
                "[supervisorctl]\nserverurl=unix://%(sock)s\n"
                % {"sock": self.socket_path, "port": self.port, "tmp": self.tmp} + programs)

    def start(self):
        self.marker = Marker()
        self.proc = subprocess.Popen([PYTHON_SUPERVISORD, "-n", "-c", self.conf], cwd=self.tmp,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.marker.env())
        deadline = time.time() + 20
        while time.time() < deadline:
            out = subprocess.run([PYTHON_SUPERVISORCTL, "-c", self.conf, "status"],
                                 capture_output=True, text=True).stdout
            if out.count("RUNNING") == 4:  # talker, grp:a, many_0, many_1
                return
            time.sleep(0.2)
        self.stop()
        raise AssertionError("Python supervisord did not start its programs")

    def stop(self):
        """Stops the daemon; AssertionError if a process it started outlives it."""
        try:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            finally:
                self.marker.assert_none_left("%s in %s" % (PYTHON_SUPERVISORD, self.tmp))
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


class SupervisorctlVsPython(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = PythonSupervisord()
        cls.daemon.start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()

    # -- helpers -----------------------------------------------------------

    def run_ctl(self, binary, args, use_config=True, stdin=subprocess.DEVNULL):
        prefix = ["-c", self.daemon.conf] if use_config else []
        done = subprocess.run([binary] + prefix + list(args), capture_output=True, text=True,
                              stdin=stdin, cwd=self.daemon.tmp, timeout=60)
        return done.stdout, done.returncode, done.stderr

    def python(self, *args):
        return self.run_ctl(PYTHON_SUPERVISORCTL, args)

    def assertSame(self, *args, reset=(), use_config=True, compare_stderr=False, unordered=False):
        """Runs args with Python's client, then `reset` (Python's client), then ours.
        unordered: the server lists results in the order processes finished."""
        theirs = self.run_ctl(PYTHON_SUPERVISORCTL, args, use_config)
        for command in reset:
            self.python(*command.split())
        ours = self.run_ctl(OUR_SUPERVISORCTL, args, use_config)
        for command in reset:
            self.python(*command.split())
        label = " ".join(args)
        if unordered:
            # The exit status is set by each failed result in turn, so the last failure
            # in the server's order decides it: each client must agree with its own output.
            ignored = IGNORED_ERRORS.get(args[0] if args else "", ())
            self.assertEqual(theirs[1], implied_exit_status(theirs[0], ignored, theirs[1]), theirs[0])
            self.assertEqual(ours[1], implied_exit_status(ours[0], ignored, theirs[1]),
                             "exit code of `%s`: %s" % (label, ours[0]))
            theirs = ("".join(sorted(theirs[0].splitlines(True))),) + theirs[1:]
            ours = ("".join(sorted(ours[0].splitlines(True))),) + ours[1:]
        self.assertEqual(normalize(ours[0]), normalize(theirs[0]), "stdout of `%s`" % label)
        if not unordered:
            self.assertEqual(ours[1], theirs[1], "exit code of `%s`: %s" % (label, ours[0]))
        if compare_stderr:
            self.assertEqual(normalize(ours[2]), normalize(theirs[2]), "stderr of `%s`" % label)
        return ours

    # -- status ------------------------------------------------------------

    def test_status_of_everything_names_groups_and_unknown_names(self):
        self.assertSame("status")
        self.assertSame("status", "all")
        self.assertSame("status", "talker", "many:many_1")
        self.assertSame("status", "grp:*")
        self.assertSame("status", "grp:b")  # stopped: exit 3
        self.assertSame("status", "nope")   # exit 4
        self.assertSame("status", "talker", "nope", "grp:nope", "nogroup:*")

    # -- start / stop / restart -----------------------------------------------

    def test_start_already_started_unknown_spawn_error_and_no_such_file(self):
        self.assertSame("start", "talker")
        self.assertSame("start", "nope")
        self.assertSame("start", "nope:*")
        self.assertSame("start", "fails")   # spawn error: exit 7
        self.assertSame("start", "nofile")
        self.assertSame("start")            # exit 2 and the help

    def test_stop_and_start_a_process_a_group_and_everything(self):
        self.assertSame("stop", "grp:a", reset=["start grp:a"])
        self.assertSame("stop", "grp:*", reset=["start grp:a"])
        self.assertSame("stop", "grp:b")    # not running
        self.assertSame("stop", "nope", "nope:*")
        self.assertSame("start", "grp:b", reset=["stop grp:b"])
        self.assertSame("start", "grp:*", reset=["stop grp:b"])
        self.assertSame("stop", "all", reset=["start talker grp:a many:*"], unordered=True)
        self.assertSame("start", "all", reset=["stop grp:b"], unordered=True)
        self.assertSame("stop")

    def test_restart(self):
        self.assertSame("restart", "grp:a")
        self.assertSame("restart", "many:*", "nope", unordered=True)
        self.assertSame("restart")

    # -- pid, signal, clear, avail, version, help ---------------------------------

    def test_pid(self):
        theirs = self.python("pid")
        ours = self.run_ctl(OUR_SUPERVISORCTL, ["pid"])
        self.assertEqual((ours[0], ours[1]), (theirs[0], theirs[1]))
        self.assertEqual(ours[0].strip(), str(self.daemon.proc.pid))
        self.assertSame("pid", "talker", "grp:b", "nope")
        self.assertSame("pid", "all")

    def test_signal(self):
        self.assertSame("signal", "WINCH", "talker", "grp:*")
        self.assertSame("signal", "WINCH", "all", unordered=True)
        self.assertSame("signal", "BAD", "talker")
        self.assertSame("signal", "WINCH", "nope", "nope:*", "grp:b")
        self.assertSame("signal")

    def test_clear(self):
        self.assertSame("clear", "talker", "nope")
        self.assertSame("clear", "all", unordered=True)
        self.assertSame("clear")

    def test_avail_version_help_and_bad_commands(self):
        self.assertSame("avail")
        self.assertSame("avail", "x")
        self.assertSame("version")
        self.assertSame("version", "x")
        # Ours lists its ha.* actions after Python's, as Python lists a ctlplugin named "ha".
        self.assertEqual(self.run_ctl(OUR_SUPERVISORCTL, ["help"]),
                         (self.python("help")[0] + "\nha commands (type help <topic>):\n" + "=" * 32 +
                          "\ncluster  failover     policy   resetbudget\n"
                          "demote   maintenance  promote  switchover \n\n", 0, ""))
        for action in ("add", "avail", "clear", "exit", "fg", "help", "maintail", "open", "pid", "quit",
                       "reload", "remove", "reread", "restart", "shutdown", "signal", "start", "status",
                       "stop", "tail", "update", "version", "EOF", "nope"):
            self.assertSame("help", action)
        self.assertSame("?status")
        self.assertSame("frobnicate")
        self.assertSame("!ls")
        self.assertSame("EOF")
        self.assertSame("shutdown", "now")
        self.assertSame("reload", "now")
        self.assertSame("open", "ftp://example.com")
        self.assertSame("fg")
        self.assertSame("fg", "nope")
        self.assertSame("fg", "grp:b")

    # -- logs ----------------------------------------------------------------

    def test_tail_default_bytes_and_stderr(self):
        self.python("restart", "talker")  # fresh output, whatever ran before
        self.assertSame("tail", "talker")
        self.assertSame("tail", "-5", "talker")
        self.assertSame("tail", "talker", "stderr")
        self.assertSame("tail", "-3", "talker", "stderr")
        self.assertSame("tail", "nope")
        self.assertSame("tail", "talker", "bogus")
        self.assertSame("tail", "-x", "talker")
        self.assertSame("tail")
        self.assertSame("tail", "a", "b", "c", "d")
        self.assertSame("tail", "-f")

    def follow(self, binary, *args, until):
        """Runs a following command until its output matches `until` (a bytes regex), then presses Ctrl-C
        (SIGINT): (stdout, exit status, stderr). Waiting for the output, not for a time,
        keeps a slow start on a loaded machine from cutting it short."""
        proc = subprocess.Popen([binary, "-c", self.daemon.conf] + list(args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        chunks = {"out": [], "err": []}

        def drain(stream, into):
            for chunk in iter(lambda: os.read(stream.fileno(), 65536), b""):
                into.append(chunk)
        readers = [threading.Thread(target=drain, args=(proc.stdout, chunks["out"])),
                   threading.Thread(target=drain, args=(proc.stderr, chunks["err"]))]
        for reader in readers:
            reader.start()
        try:
            deadline = time.monotonic() + 30
            while (not re.search(until, b"".join(chunks["out"])) and proc.poll() is None
                   and time.monotonic() < deadline):
                time.sleep(0.02)
            self.assertRegex(b"".join(chunks["out"]), until, "%s %s never showed it" % (binary, args))
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for reader in readers:
                reader.join(10)
            proc.stdout.close()
            proc.stderr.close()
        return b"".join(chunks["out"]), proc.returncode, b"".join(chunks["err"])

    def test_tail_f_streams_until_ctrl_c(self):
        self.python("restart", "talker")
        theirs = self.follow(PYTHON_SUPERVISORCTL, "tail", "-f", "talker", until=b"hello from talker\n")
        ours = self.follow(OUR_SUPERVISORCTL, "tail", "-f", "talker", until=b"hello from talker\n")
        self.assertEqual(ours[:2], theirs[:2])
        self.assertIn(b"hello from talker", ours[0])
        theirs = self.follow(PYTHON_SUPERVISORCTL, "tail", "-f", "talker", "stderr", until=b"complaint\n")
        ours = self.follow(OUR_SUPERVISORCTL, "tail", "-f", "talker", "stderr", until=b"complaint\n")
        self.assertEqual(ours[:2], theirs[:2])
        # An unknown name: the server answers 404 and both give up at once.
        theirs = self.run_ctl(PYTHON_SUPERVISORCTL, ["tail", "-f", "nope"])
        ours = self.run_ctl(OUR_SUPERVISORCTL, ["tail", "-f", "nope"])
        self.assertEqual(ours, theirs)

    def test_maintail(self):
        self.assertSame("maintail", "-100")
        self.assertSame("maintail")
        self.assertSame("maintail", "-x")
        self.assertSame("maintail", "x")
        self.assertSame("maintail", "a", "b")
        # Ctrl-C once the whole tail is out (it ends with the log's last line): the tail may
        # arrive in pieces, and one that ends inside a line would end the output there.
        with open(os.path.join(self.daemon.tmp, "supervisord.log"), "rb") as f:
            last_line = f.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
        until = re.escape(last_line) + rb"\n"
        theirs = self.follow(PYTHON_SUPERVISORCTL, "maintail", "-f", until=until)
        ours = self.follow(OUR_SUPERVISORCTL, "maintail", "-f", until=until)
        self.assertEqual(ours[1], theirs[1])
        self.assertTrue(ours[0].startswith(b"==> Press Ctrl-C to exit <==\n"), ours[0])
        self.assertTrue(ours[0].endswith(b"\n\n"), ours[0])

    # -- configuration changes -------------------------------------------------

    def test_reread_and_update_after_editing_the_config(self):
        self.assertSame("reread")
        self.assertSame("update")
        self.assertSame("update", "nope")
        edited = (PROGRAMS.replace("[program:many]", "[program:renamed]")   # many removed, renamed added
                  .replace('echo hello from talker', 'echo hello again'))   # talker changed
        self.daemon.write_config(edited)
        try:
            self.assertSame("reread")
            for args in (["update"], ["update", "talker"], ["update", "all"], ["update", "renamed", "nope"]):
                theirs = self.python(*args)
                self.daemon.write_config(PROGRAMS)
                self.python("update")
                self.daemon.write_config(edited)
                ours = self.run_ctl(OUR_SUPERVISORCTL, args)
                self.daemon.write_config(PROGRAMS)
                self.python("update")
                self.daemon.write_config(edited)
                self.assertEqual(normalize(ours[0]), normalize(theirs[0]), " ".join(args))
                self.assertEqual(ours[1], theirs[1], " ".join(args))
                if args == ["update"]:
                    self.assertIn("many: removed process group", ours[0])
        finally:
            self.daemon.write_config(PROGRAMS)
            self.python("update")
            self.python("start", "talker", "grp:a", "many:*")

    def test_add_and_remove(self):
        self.assertSame("remove", "talker")   # still running
        self.assertSame("remove", "nope")
        self.assertSame("add", "talker")      # already active
        self.assertSame("add", "nope")
        self.python("stop", "many:*")
        try:
            self.assertSame("remove", "many", reset=["add many", "stop many:*"])
            self.python("remove", "many")
            self.assertSame("add", "many", reset=["stop many:*", "remove many"])
        finally:
            self.python("add", "many")
            self.python("start", "many:*")

    # -- servers that cannot be reached, authentication, options ------------------

    def test_no_such_file_and_refused_connection(self):
        missing = "unix://" + os.path.join(self.daemon.tmp, "missing.sock")
        closed = "http://127.0.0.1:%d" % free_port()
        for url in (missing, closed):
            for action in (["status"], ["pid"], ["start", "x"], ["tail", "x"], ["version"], ["avail"],
                           ["reread"], ["update"], ["add", "x"], ["shutdown"], ["reload"]):
                self.assertSame("-s", url, *action)

    def test_basic_auth_over_http(self):
        url = "http://127.0.0.1:%d" % self.daemon.port
        self.assertSame("-s", url, "-u", "user", "-p", "secret", "status", "grp:a")
        self.assertSame("-s", url, "-u", "user", "-p", "secret", "version")
        self.assertSame("-s", url, "-u", "user", "-p", "wrong", "status")
        self.assertSame("-s", url, "-u", "user", "-p", "wrong", "avail")
        self.assertSame("-s", url, "version")
        self.assertSame("-s", url, "-u", "user", "status")

    def test_usage_errors_and_help(self):
        self.assertSame("-h", compare_stderr=True)
        self.assertSame("--help", compare_stderr=True)
        for args in (["-x"], ["--bogus"], ["-s"], ["-s", "notaurl", "status"], ["-i", "-i", "status"],
                     ["--help=3"], ["-s", "ftp:/x", "version"], ["-s", "http://127.0.0.1:abc", "status"]):
            self.assertSame(*args, compare_stderr=True)
        self.assertSame("-c", "/nonexistent/supervisord.conf", "status", use_config=False, compare_stderr=True)


if __name__ == "__main__":
    unittest.main()
