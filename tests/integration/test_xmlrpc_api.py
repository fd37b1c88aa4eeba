#!/usr/bin/python3
"""The XML-RPC API of a real daemon, over its unix socket and its TCP port with
Basic auth, through Python's xmlrpc.client, compared call by call with Python
Supervisor 4.2.5 (/usr/bin/supervisord) running the same configuration; then
Python's own supervisorctl against our daemon."""
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import xmlrpc.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import SUPERVISORD, UnixTransport, free_port, terminate, wait_until  # noqa: E402
from leftover_processes import Marker  # noqa: E402

PYTHON_SUPERVISORD = "/usr/bin/supervisord"
PYTHON_SUPERVISORCTL = "/usr/bin/supervisorctl"

PROGRAMS = r"""
[program:sleeper]
command=sleep 1000
startsecs=0

[program:cat]
command=cat
startsecs=0

[program:idle]
command=sleep 1000
autostart=false

[program:nolog]
command=sleep 1000
autostart=false
stdout_logfile=NONE

[program:ghost]
command=/no/such/program
autostart=false

[program:noexec]
command=/etc/hostname
autostart=false

[program:crash]
command=/bin/sh -c 'exit 3'
autostart=false
startsecs=1
startretries=0

[program:slow]
command=sleep 1000
autostart=false
startsecs=2

[program:pair]
command=sleep 1000
process_name=%(program_name)s_%(process_num)d
numprocs=2
autostart=false

[program:binary]
command=/bin/sh -c 'printf "ok \377\376 \001 end\n"; exec sleep 1000'
startsecs=0
"""


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class Server:
    """One supervisord (ours or Python's) on a unix socket and an inet port with auth."""

    def __init__(self, binary, programs=PROGRAMS, name="ours"):
        self.binary = binary
        self.tmp = tempfile.mkdtemp(prefix="sha-rpc-%s-" % name)
        self.sock = os.path.join(self.tmp, "supervisor.sock")
        self.port = free_port()
        self.conf = os.path.join(self.tmp, "supervisord.conf")
        self.write_config(programs)
        self.output = open(os.path.join(self.tmp, "stdout.txt"), "wb")
        self.marker = Marker()
        self.proc = subprocess.Popen([binary, "-n", "-c", self.conf], stdout=self.output,
                                     stderr=subprocess.STDOUT, cwd=self.tmp, env=self.marker.env())
        try:
            wait_until(self.answers, timeout=15, message="%s to answer on %s" % (binary, self.sock))
        except BaseException:
            self.close()
            raise

    def write_config(self, programs):
        with open(self.conf, "w") as f:
            f.write(("[unix_http_server]\nfile={tmp}/supervisor.sock\n\n"
                     "[inet_http_server]\nport=127.0.0.1:%d\nusername=admin\npassword=secret\n\n"
                     "[supervisord]\nlogfile={tmp}/supervisord.log\npidfile={tmp}/supervisord.pid\n"
                     "childlogdir={tmp}\nloglevel=debug\n\n"
                     "[rpcinterface:supervisor]\n"
                     "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
                     "[supervisorctl]\nserverurl=unix://{tmp}/supervisor.sock\n" % self.port
                     + programs).replace("{tmp}", self.tmp))

    def answers(self):
        if self.proc.poll() is not None:
            raise AssertionError("%s exited: %s" % (self.binary, self.log()[-3000:]))
        try:
            self.rpc().supervisor.getState()
            return True
        except (OSError, xmlrpc.client.Error):
            return False

    def rpc(self):
        return xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=UnixTransport(self.sock),
                                         allow_none=True)

    def inet(self, user="admin", password="secret"):
        return xmlrpc.client.ServerProxy("http://%s:%s@127.0.0.1:%d/RPC2" % (user, password, self.port))

    def raw(self, method, target, body=b"", headers=None):
        conn = UnixHTTPConnection(self.sock, timeout=10)
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data

    def log(self):
        try:
            with open(os.path.join(self.tmp, "supervisord.log"), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def ctl(self, *args):
        result = subprocess.run([PYTHON_SUPERVISORCTL, "-c", self.conf] + list(args),
                                capture_output=True, text=True, timeout=60)
        return result.returncode, result.stdout + result.stderr

    def close(self):
        """Stops the daemon; AssertionError if a process it started outlives it."""
        try:
            terminate(self.proc)
            self.output.close()
            self.marker.assert_none_left("%s in %s" % (self.binary, self.tmp))
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def call(proxy, method, *params):
    """The result, or ('FAULT', code, string)."""
    try:
        return getattr(proxy, method)(*params)
    except xmlrpc.client.Fault as fault:
        return ("FAULT", fault.faultCode, fault.faultString)


def normalize(value, tmp):
    """Paths, random AUTO log names, pids and times made comparable."""
    if isinstance(value, str):
        value = value.replace(tmp, "TMP")
        value = re.sub(r"---supervisor-\w+\.log", "---supervisor-X.log", value)
        value = re.sub(r"pid \d+, uptime \d+:\d\d:\d\d", "pid N, uptime T", value)
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in ("pid", "now", "start", "stop") and isinstance(item, int):
                out[key] = "int" if key != "pid" or item == 0 else "pid"
                if key in ("start", "stop"):
                    out[key] = "zero" if item == 0 else "int"
            else:
                out[key] = normalize(item, tmp)
        return out
    if isinstance(value, (list, tuple)):
        return [normalize(v, tmp) for v in value]
    return value


class Parity(unittest.TestCase):
    """Every method and every fault, ours against Python Supervisor's."""
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.ours = Server(SUPERVISORD, name="ours")
        try:
            cls.python = Server(PYTHON_SUPERVISORD, name="python")
        except Exception:
            cls.ours.close()
            raise
        try:
            for server in (cls.ours, cls.python):
                wait_until(lambda: server.rpc().supervisor.getProcessInfo("sleeper")["statename"] == "RUNNING",
                           message="sleeper RUNNING")
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.ours.close()
        finally:
            cls.python.close()

    def both(self, method, *params):
        ours = normalize(call(self.ours.rpc(), method, *params), self.ours.tmp)
        python = normalize(call(self.python.rpc(), method, *params), self.python.tmp)
        return ours, python

    def assertSame(self, method, *params):
        ours, python = self.both(method, *params)
        if isinstance(ours, list) and ours and isinstance(ours[0], dict) and "status" in ours[0]:
            # Multi-process results come in the order the processes finished: a race.
            ours, python = (sorted(r, key=lambda x: x["name"]) for r in (ours, python))
        self.assertEqual(ours, python, "%s%r" % (method, params))
        return ours

    def test_the_method_list_help_and_signatures_are_supervisors(self):
        # Python's 41 methods plus exactly our ha.* namespace (test_ha_api.py covers it).
        ours, methods = self.both("system.listMethods")
        self.assertEqual(len(methods), 41)
        self.assertEqual(ours, sorted(methods + ["ha.demote", "ha.failover", "ha.getAllPolicyStates",
                                                 "ha.getClusterState", "ha.getPolicyState", "ha.promote",
                                                 "ha.resetBudget", "ha.setMaintenance", "ha.switchover"]))
        for name in methods:
            self.assertSame("system.methodHelp", name)
            self.assertSame("system.methodSignature", name)

    def test_versions_identification_and_state(self):
        for method in ("supervisor.getAPIVersion", "supervisor.getVersion", "supervisor.getSupervisorVersion",
                       "supervisor.getIdentification", "supervisor.getState"):
            self.assertSame(method)
        self.assertEqual(self.ours.rpc().supervisor.getPID(), self.ours.proc.pid)

    def test_process_info_field_by_field(self):
        for name in ("sleeper", "idle", "nolog", "pair:pair_0", "cat"):
            self.assertSame("supervisor.getProcessInfo", name)
        ours, python = self.both("supervisor.getAllProcessInfo")
        self.assertEqual([p["name"] for p in ours], [p["name"] for p in python])
        for a, b in zip(ours, python):
            self.assertEqual(a, b)

    def test_config_info_field_by_field(self):
        ours, python = self.both("supervisor.getAllConfigInfo")
        self.assertEqual([c["name"] for c in ours], [c["name"] for c in python])
        for a, b in zip(ours, python):
            if a["redirect_stderr"] is False:
                self.assertEqual(a, b)
            self.assertEqual(sorted(a), sorted(b))

    def test_faults_have_supervisors_codes_and_strings(self):
        cases = [
            ("supervisor.startProcess", "nope"),
            ("supervisor.startProcess", "nope:*"),
            ("supervisor.startProcess", "sleeper"),
            ("supervisor.startProcess", "ghost"),
            ("supervisor.startProcess", "noexec"),
            ("supervisor.startProcess",),
            ("supervisor.startProcess", "a", True, 3),
            ("supervisor.stopProcess", "idle"),
            ("supervisor.stopProcess", "nope"),
            ("supervisor.signalProcess", "sleeper", "BOGUS"),
            ("supervisor.signalProcess", "idle", "HUP"),
            ("supervisor.signalProcess", "nope", "HUP"),
            ("supervisor.signalProcessGroup", "nope", "HUP"),
            ("supervisor.getProcessInfo", "nope"),
            ("supervisor.getProcessInfo", "pair:*"),
            ("supervisor.getProcessInfo", "pair:nope"),
            ("supervisor.readProcessStdoutLog", "nolog", 0, 10),
            ("supervisor.readProcessStdoutLog", "nope", 0, 10),
            ("supervisor.readProcessStderrLog", "sleeper", -5, 3),
            ("supervisor.tailProcessStdoutLog", "nolog", 0, 10),
            ("supervisor.readLog", -1, 5),
            ("supervisor.readLog", 0, -1),
            ("supervisor.addProcessGroup", "sleeper"),
            ("supervisor.addProcessGroup", "nope"),
            ("supervisor.removeProcessGroup", "sleeper"),
            ("supervisor.removeProcessGroup", "nope"),
            ("supervisor.clearProcessLogs", "nope"),
            ("supervisor.clearProcessLogs", "pair:*"),
            ("supervisor.sendProcessStdin", "idle", "x"),
            ("supervisor.sendProcessStdin", "nope", "x"),
            ("supervisor.getState", 1),
            ("supervisor.nope",),
            ("system.nope",),
            ("supervisor.getState.x",),
            ("supervisor._update", "x"),
            ("system.methodHelp", "nope"),
            ("system.methodSignature", "nope"),
            ("system.multicall", [{"methodName": "supervisor.getState"},
                                  {"methodName": "supervisor.nope"},
                                  {"methodName": "system.multicall", "params": [[]]},
                                  {"params": []},
                                  {"methodName": "supervisor.getProcessInfo", "params": ["nope"]}]),
        ]
        for case in cases:
            self.assertSame(*case)

    def test_multi_process_calls_return_status_arrays(self):
        self.assertSame("supervisor.startProcessGroup", "pair")
        self.assertSame("supervisor.startProcessGroup", "pair")  # already started: nothing to do
        self.assertSame("supervisor.stopProcess", "pair:*")
        self.assertSame("supervisor.startProcess", "pair:pair_1")
        self.assertSame("supervisor.stopProcessGroup", "pair")
        self.assertSame("supervisor.startProcessGroup", "nope")

    def test_start_and_stop_with_and_without_wait(self):
        self.assertSame("supervisor.startProcess", "idle", False)
        for server in (self.ours, self.python):
            wait_until(lambda: server.rpc().supervisor.getProcessInfo("idle")["statename"] == "RUNNING")
        self.assertSame("supervisor.stopProcess", "idle")
        self.assertSame("supervisor.startProcess", "idle")
        self.assertSame("supervisor.getProcessInfo", "idle")
        self.assertSame("supervisor.stopProcess", "idle", False)

    def test_a_program_that_dies_while_starting_is_a_spawn_error(self):
        self.assertSame("supervisor.startProcess", "crash")
        # Python Supervisor reaps the child on its next loop pass: on a loaded machine it can still
        # say STARTING when the call returns. Compare the state both settle in.
        for server in (self.ours, self.python):
            wait_until(lambda: server.rpc().supervisor.getProcessInfo("crash")["statename"] == "FATAL",
                       message="crash FATAL")
        self.assertSame("supervisor.getProcessInfo", "crash")

    def test_signals_by_name_and_number(self):
        self.assertSame("supervisor.signalProcess", "sleeper", "CONT")
        self.assertSame("supervisor.signalProcess", "sleeper", 18)
        self.assertSame("supervisor.signalProcess", "sleeper", "18")

    def test_reload_config_reports_added_changed_and_removed_groups(self):
        extra = PROGRAMS.replace("[program:nolog]\ncommand=sleep 1000", "[program:nolog]\ncommand=sleep 999") \
            .replace("[program:binary]", "[program:fresh]\ncommand=sleep 5\nautostart=false\n\n[program:binary]") \
            .replace("[program:slow]\ncommand=sleep 1000\nautostart=false\nstartsecs=2\n", "")
        try:
            for server in (self.ours, self.python):
                server.write_config(extra)
            result = self.assertSame("supervisor.reloadConfig")
            self.assertEqual(result, [[["fresh"], ["nolog"], ["slow"]]])
            self.assertSame("supervisor.addProcessGroup", "fresh")
            self.assertSame("supervisor.removeProcessGroup", "fresh")
            self.assertSame("supervisor.removeProcessGroup", "slow")
            self.assertSame("supervisor.addProcessGroup", "slow")
        finally:
            for server in (self.ours, self.python):
                server.write_config(PROGRAMS)
            self.both("supervisor.reloadConfig")
            for server in (self.ours, self.python):
                try:
                    server.rpc().supervisor.addProcessGroup("slow")
                except xmlrpc.client.Fault:
                    pass


class OurDaemon(unittest.TestCase):
    """Behaviour checked on our daemon alone."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(SUPERVISORD, name="ours")
        try:
            wait_until(lambda: cls.server.rpc().supervisor.getProcessInfo("cat")["statename"] == "RUNNING")
        except Exception:
            cls.server.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_a_waiting_start_does_not_block_another_client(self):
        results = {}

        def start():
            began = time.time()
            results["start"] = self.server.rpc().supervisor.startProcess("slow")
            results["took"] = time.time() - began

        thread = threading.Thread(target=start)
        thread.start()
        rpc = self.server.rpc()
        wait_until(lambda: rpc.supervisor.getProcessInfo("slow")["statename"] == "STARTING",
                   message="slow starting")
        # Answered while the first client still waits: slow stays STARTING for 2 s
        # (startsecs), and its start answers only once it is RUNNING.
        self.assertEqual(rpc.supervisor.getState()["statename"], "RUNNING")
        self.assertNotIn("start", results)
        self.assertEqual(rpc.supervisor.getProcessInfo("slow")["statename"], "STARTING")
        thread.join(10)
        self.assertTrue(results["start"])
        self.assertGreaterEqual(results["took"], 1.9)
        self.server.rpc().supervisor.stopProcess("slow")

    def test_stdin_reaches_the_child_and_its_output_the_log(self):
        rpc = self.server.rpc()
        self.assertTrue(rpc.supervisor.clearProcessLogs("cat"))
        self.assertTrue(rpc.supervisor.sendProcessStdin("cat", "hello over rpc\n"))
        wait_until(lambda: "hello over rpc" in rpc.supervisor.readProcessStdoutLog("cat", 0, 0))
        data, offset, overflow = rpc.supervisor.tailProcessStdoutLog("cat", 0, 5)
        self.assertEqual((data, overflow), (" rpc\n", True))
        self.assertEqual(offset, len("hello over rpc\n"))
        self.assertTrue(rpc.supervisor.clearProcessLogs("cat"))
        self.assertEqual(rpc.supervisor.readProcessStdoutLog("cat", 0, 0), "")

    def test_invalid_utf8_and_control_bytes_in_a_log_still_parse(self):
        rpc = self.server.rpc()
        wait_until(lambda: "end" in rpc.supervisor.readProcessStdoutLog("binary", 0, 0))
        self.assertEqual(rpc.supervisor.readProcessStdoutLog("binary", 0, 0), "ok \ufffd\ufffd \ufffd end\n")
        self.assertIn("end", rpc.supervisor.tailProcessLog("binary", 0, 100)[0])

    def test_main_log_read_and_clear(self):
        rpc = self.server.rpc()
        self.assertIn("supervisord started with pid", rpc.supervisor.readLog(0, 0))
        self.assertEqual(len(rpc.supervisor.readMainLog(-10, 0)), 10)
        self.assertTrue(rpc.supervisor.clearLog())
        self.assertNotIn("supervisord started with pid", rpc.supervisor.readLog(0, 0))

    def test_inet_server_requires_basic_auth(self):
        self.assertEqual(self.server.inet().supervisor.getState()["statename"], "RUNNING")
        with self.assertRaises(xmlrpc.client.ProtocolError) as caught:
            self.server.inet(password="wrong").supervisor.getState()
        self.assertEqual(caught.exception.errcode, 401)
        self.assertIn("CRIT Server 'unix_http_server' running without any HTTP authentication checking",
                      self.server.log() + open(os.path.join(self.server.tmp, "stdout.txt"), errors="replace").read())

    def test_hostile_requests_leave_the_daemon_serving(self):
        status, _ = self.server.raw("POST", "/RPC2", b"<methodCall><methodName>x</methodName")
        self.assertEqual(status, 400)
        status, _ = self.server.raw("GET", "/RPC2")
        self.assertEqual(status, 400)
        status, _ = self.server.raw("POST", "/RPC2", b"<?xml version='1.0'?><methodCall></methodCall>")
        self.assertEqual(status, 400)
        try:
            status, _ = self.server.raw("POST", "/RPC2", b"x" * (3 << 20))
            self.assertEqual(status, 413)
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, _ = self.server.raw("GET", "/nope")
        self.assertEqual(status, 404)
        self.assertEqual(self.server.rpc().supervisor.getState()["statename"], "RUNNING")

    def test_logtail_streams_the_end_of_a_log_then_what_is_appended(self):
        status, _ = self.server.raw("GET", "/logtail/nope")
        self.assertEqual(status, 404)
        status, _ = self.server.raw("GET", "/logtail/nolog")
        self.assertEqual(status, 404)
        conn = UnixHTTPConnection(self.server.sock, timeout=10)
        conn.request("GET", "/logtail/cat/stdout")
        response = conn.getresponse()
        self.assertEqual(response.status, 200)
        self.assertEqual(response.getheader("Content-Type"), "text/plain;charset=utf-8")
        self.server.rpc().supervisor.sendProcessStdin("cat", "tailed line\n")
        seen = b""
        deadline = time.time() + 5
        while b"tailed line" not in seen and time.time() < deadline:
            seen += response.read1(4096)
        self.assertIn(b"tailed line", seen)
        conn.close()
        conn = UnixHTTPConnection(self.server.sock, timeout=10)
        conn.request("GET", "/mainlogtail")
        response = conn.getresponse()
        self.assertEqual(response.status, 200)
        conn.close()
        self.assertEqual(self.server.rpc().supervisor.getState()["statename"], "RUNNING")

    def test_supervisorctl_drives_our_daemon(self):
        code, out = self.server.ctl("status", "sleeper")
        self.assertRegex(out, r"sleeper\s+RUNNING\s+pid \d+, uptime")
        code, out = self.server.ctl("stop", "sleeper")
        self.assertIn("sleeper: stopped", out)
        code, out = self.server.ctl("start", "sleeper")
        self.assertIn("sleeper: started", out)
        code, out = self.server.ctl("restart", "sleeper")
        self.assertIn("sleeper: stopped", out)
        self.assertIn("sleeper: started", out)
        code, out = self.server.ctl("start", "ghost")
        self.assertIn("ghost: ERROR (no such file)", out)
        code, out = self.server.ctl("start", "crash")
        self.assertIn("crash: ERROR (spawn error)", out)
        code, out = self.server.ctl("pid")
        self.assertEqual(out.strip(), str(self.server.proc.pid))
        code, out = self.server.ctl("pid", "sleeper")
        self.assertEqual(out.strip(), str(self.server.rpc().supervisor.getProcessInfo("sleeper")["pid"]))
        code, out = self.server.ctl("avail")
        self.assertRegex(out, r"sleeper\s+in use\s+auto\s+999:999")
        self.server.rpc().supervisor.sendProcessStdin("cat", "for supervisorctl tail\n")
        wait_until(lambda: "for supervisorctl tail" in self.server.ctl("tail", "cat")[1])
        code, out = self.server.ctl("status")
        self.assertRegex(out, r"idle\s+STOPPED\s+Not started")


class Shutdown(unittest.TestCase):
    def test_shutdown_over_rpc_answers_then_removes_the_socket(self):
        server = Server(SUPERVISORD, name="shutdown")
        try:
            code, out = server.ctl("shutdown")
            self.assertIn("Shut down", out)
            server.proc.wait(20)
            self.assertEqual(server.proc.returncode, 0)
            self.assertFalse(os.path.exists(server.sock))
        finally:
            server.close()

    def test_a_port_in_use_refuses_to_start_with_supervisors_message(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            tmp = tempfile.mkdtemp(prefix="sha-rpc-busy-")
            marker = Marker()
            try:
                conf = os.path.join(tmp, "supervisord.conf")
                with open(conf, "w") as f:
                    f.write("[inet_http_server]\nport=127.0.0.1:%d\n[supervisord]\nlogfile=%s/l\npidfile=%s/p\n"
                            % (taken.getsockname()[1], tmp, tmp))
                result = subprocess.run([SUPERVISORD, "-n", "-c", conf], capture_output=True, text=True, timeout=20,
                                        env=marker.env())
                self.assertEqual(result.returncode, 2)
                self.assertIn("Error: Another program is already listening on a port that one of our HTTP "
                              "servers is configured to use.  Shut this program down first before starting "
                              "supervisord.", result.stderr)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
                marker.assert_none_left("supervisord in %s" % tmp)


if __name__ == "__main__":
    # The proxies' idle keep-alive sockets are left to the garbage collector.
    unittest.main(verbosity=2, warnings="ignore")
