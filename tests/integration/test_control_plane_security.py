#!/usr/bin/python3
"""The control plane against a hostile client, with the real daemon: one test class per
rule of README's "Control-plane security".

1. the unix socket has its configured mode and owner before it listens (strace);
2. an inet server without auth: a CRIT line, and refusal of a non-loopback address
   unless allow_unauthenticated = true;
3. the password check (constant time) is a C++ test: http_server_hardening_test.cpp;
4. limits: request body (413), connections (a stalled crowd cannot lock out a client;
   503 when every connection is busy), time per request (slowloris);
5. nothing a client sends reaches a shell or the daemon's internals;
6. a user= program has that user's ids and groups, no daemon fd, no way into the socket.
"""
import json
import os
import re
import resource
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import xmlrpc.client

from daemon_harness import SUPERVISORD, Daemon, free_port, wait_until

UNKNOWN_METHOD, INCORRECT_PARAMETERS, BAD_NAME, BAD_SIGNAL = 1, 2, 10, 11


def check_config(text):
    tmp = tempfile.mkdtemp(prefix="sha-security-")
    try:
        path = os.path.join(tmp, "supervisord.conf")
        with open(path, "w") as f:
            f.write(text.replace("{tmp}", tmp))
        result = subprocess.run([SUPERVISORD, "-c", path, "--check-config"], capture_output=True, text=True,
                                timeout=30)
        return path, result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def connect_unix(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def read_until_closed(s, timeout):
    """What the server sent until it closed the connection; None if it did not within timeout."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
    except socket.timeout:
        return None
    except ConnectionResetError:
        return data


def read_headers(s, timeout=10):
    """A response's status line and headers, up to the blank line."""
    s.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def ok_page(path):
    """The status of GET /ok.html on a new connection."""
    s = connect_unix(path)
    try:
        try:
            s.sendall(b"GET /ok.html HTTP/1.0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            # A server over its connection limit may answer 503 and close before the
            # request is written: the answer still waits in our receive buffer.
            pass
        answer = read_until_closed(s, 10)
        return answer.split(b"\r\n", 1)[0] if answer else answer
    finally:
        s.close()


class UnixSocketCreation(unittest.TestCase):
    """Rule 1: bind under a umask that already gives the configured mode, chown
    through a descriptor (never by path), and only then listen."""

    @unittest.skipUnless(shutil.which("strace"), "strace is not installed (scripts/setup installs it)")
    @unittest.skipUnless(os.geteuid() == 0, "chown= needs root")
    def test_the_socket_never_has_a_broader_mode_or_another_owner_while_it_listens(self):
        d = Daemon("", "[unix_http_server]\nfile={tmp}/supervisor.sock\nchmod=0770\nchown=nobody:nogroup\n",
                   name="strace")
        sock_path = os.path.join(d.tmp, "supervisor.sock")
        trace_path = os.path.join(d.tmp, "trace.txt")
        tracer = subprocess.Popen(
            ["strace", "-f", "-qq", "-o", trace_path,
             "-e", "trace=umask,bind,listen,chmod,fchmod,fchmodat,chown,lchown,fchown,fchownat",
             SUPERVISORD, "-n", "-c", d.conf_path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=d.tmp,
            env=d.environment())
        try:
            d.wait_for_log(r"supervisord started with pid")
            status = os.stat(sock_path)
            self.assertEqual(status.st_mode & 0o7777, 0o770)
            self.assertEqual((status.st_uid, status.st_gid), (65534, 65534))
        finally:
            try:
                with open(os.path.join(d.tmp, "supervisord.pid")) as f:
                    os.kill(int(f.read()), signal.SIGTERM)
                tracer.wait(30)
            finally:
                d.assert_nothing_left()
        with open(trace_path) as f:
            calls = [re.sub(r"^\d+\s+", "", line.strip()) for line in f]
        shutil.rmtree(d.tmp, ignore_errors=True)

        binds = [i for i, c in enumerate(calls) if c.startswith("bind(") and '"%s"' % sock_path in c]
        self.assertEqual(len(binds), 1, "\n".join(calls))
        at_bind = binds[0]
        fd = re.match(r"bind\((\d+),", calls[at_bind]).group(1)
        listens = [i for i, c in enumerate(calls) if c.startswith("listen(%s," % fd)]
        self.assertTrue(listens, "\n".join(calls))
        at_listen = listens[0]
        # The umask in force at bind() lets through no bit beyond the configured 0770.
        umasks = [c for c in calls[:at_bind] if c.startswith("umask(")]
        self.assertTrue(umasks, "\n".join(calls))
        umask = int(re.match(r"umask\((0?[0-7]*)\)", umasks[-1]).group(1) or "0", 8)
        self.assertEqual((0o777 & ~umask) & ~0o770, 0, "umask %o at bind lets more through than 0770" % umask)
        # The owner changes between bind and listen, through a descriptor: AT_EMPTY_PATH.
        chowns = [c for c in calls[at_bind:at_listen] if "chown" in c]
        self.assertTrue(any('fchownat(' in c and '""' in c and "65534, 65534" in c and "AT_EMPTY_PATH" in c
                            for c in chowns), "\n".join(calls[at_bind:at_listen + 1]))
        # Nothing changes the socket's mode or owner by its path (a link put there would be followed).
        self.assertFalse([c for c in calls if ("chmod(" in c or "chown(" in c) and sock_path in c])

    def test_a_symlink_where_the_socket_should_be_is_refused_not_followed(self):
        d = Daemon("", "[unix_http_server]\nfile={tmp}/supervisor.sock\nchmod=0777\n", name="symlink")
        try:
            victim = os.path.join(d.tmp, "victim")
            with open(victim, "w") as f:
                f.write("secret\n")
            os.chmod(victim, 0o600)
            os.symlink(victim, os.path.join(d.tmp, "supervisor.sock"))
            result = subprocess.run([SUPERVISORD, "-n", "-c", d.conf_path], capture_output=True, text=True,
                                    timeout=20, cwd=d.tmp, env=d.environment())
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("is not a socket", result.stderr)
            self.assertEqual(os.stat(victim).st_mode & 0o7777, 0o600)
        finally:
            try:
                d.assert_nothing_left()
            finally:
                shutil.rmtree(d.tmp, ignore_errors=True)


class InetServerWithoutAuth(unittest.TestCase):
    """Rule 2: loopback without auth loads (with Supervisor's CRIT line); anything
    reachable from other hosts needs username/password or allow_unauthenticated."""

    def test_a_network_address_without_auth_is_refused_naming_file_line_and_key(self):
        for port in ("*:9001", "0.0.0.0:9001", "9001", "192.168.1.10:9001", "myhost.example:9001", "[::]:9001"):
            with self.subTest(port=port):
                path, result = check_config("[supervisord]\n[inet_http_server]\nport=%s\n" % port)
                self.assertEqual(result.returncode, 1, result.stdout)
                self.assertIn(path + ":3: [inet_http_server] port: port=%s is reachable from other hosts" % port,
                              result.stderr)
                self.assertIn("allow_unauthenticated = true", result.stderr)

    def test_loopback_without_auth_still_loads(self):
        for port in ("127.0.0.1:9001", "127.1.2.3:9001", "localhost:9001", "::1:9001", "[::1]:9001"):
            with self.subTest(port=port):
                _, result = check_config("[supervisord]\n[inet_http_server]\nport=%s\n" % port)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertIn("no authentication", result.stdout)

    def test_auth_or_the_explicit_key_lets_a_network_address_load(self):
        _, result = check_config("[supervisord]\n[inet_http_server]\nport=*:9001\nusername=u\npassword=p\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        _, result = check_config("[supervisord]\n[inet_http_server]\nport=*:9001\nallow_unauthenticated=true\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("server: http://*:9001, no authentication (allow_unauthenticated)", result.stdout)
        self.assertNotIn("allow_unauthenticated", result.stderr)  # a known key: no warning

    def test_a_loopback_server_without_auth_logs_supervisors_crit_line(self):
        port = free_port()
        with Daemon("", "[inet_http_server]\nport=127.0.0.1:%d\n" % port, name="crit") as d:
            d.wait_for_log(r"CRIT Server 'inet_http_server' running without any HTTP authentication checking")
            self.assertEqual(d.count("allow_unauthenticated"), 0)
            proxy = xmlrpc.client.ServerProxy("http://127.0.0.1:%d/RPC2" % port)
            self.assertEqual(proxy.supervisor.getState()["statename"], "RUNNING")

    def test_an_allowed_network_server_without_auth_logs_a_second_crit_line(self):
        port = free_port()
        with Daemon("", "[inet_http_server]\nport=*:%d\nallow_unauthenticated=true\n" % port, name="allowed") as d:
            d.wait_for_log(r"CRIT Server 'inet_http_server' running without any HTTP authentication checking")
            d.wait_for_log(r"CRIT Server 'inet_http_server' accepts unauthenticated requests from any host that "
                           r"can reach \*:%d \(allow_unauthenticated = true\)" % port)


class RequestLimits(unittest.TestCase):
    """Rule 4: request body, connections, and time per request have limits."""

    def setUp(self):
        self.daemon = Daemon("[program:cat]\ncommand=/bin/cat\nstartsecs=0\nstdout_logfile={tmp}/cat.out\n",
                             Daemon.RPC_SECTION, name="limits")
        self.addCleanup(self.daemon.__exit__, None, None, None)
        self.daemon.start()
        self.daemon.wait_for_log(r"success: cat entered RUNNING state")
        self.sock = os.path.join(self.daemon.tmp, "supervisor.sock")

    def test_a_body_over_2_mib_gets_413_and_the_daemon_goes_on(self):
        s = connect_unix(self.sock)
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\n"
                  b"Content-Length: %d\r\n\r\n" % (3 << 20) + b"<" * 65536)
        answer = read_until_closed(s, 10)
        s.close()
        self.assertTrue(answer.startswith(b"HTTP/1.1 413 "), answer)
        self.assertEqual(self.daemon.rpc().supervisor.getState()["statename"], "RUNNING")

    def test_when_every_connection_is_busy_one_more_gets_503_until_one_closes(self):
        # 128 live log tails: streams in progress, which are never closed to make room.
        streams = [connect_unix(self.sock) for _ in range(128)]
        try:
            for s in streams:
                s.sendall(b"GET /logtail/cat/stdout HTTP/1.1\r\nHost: localhost\r\n\r\n")
            for s in streams:
                self.assertTrue(read_headers(s).startswith(b"HTTP/1.1 200 OK"))
            self.assertEqual(ok_page(self.sock), b"HTTP/1.1 503 Service Unavailable")
            self.daemon.wait_for_log(r"refusing connections: 128 are open, the limit, all busy with requests")
            streams.pop().close()
            wait_until(lambda: ok_page(self.sock) == b"HTTP/1.0 200 OK", message="a free slot")
            self.assertEqual(self.daemon.count(r"refusing connections"), 1)  # once per episode, not per client
        finally:
            for s in streams:
                s.close()
        self.assertEqual(self.daemon.rpc().supervisor.getState()["statename"], "RUNNING")

    def test_a_trickling_client_and_a_silent_one_are_cut_off_after_30_seconds(self):
        # Slowloris: a byte every 2 s never trips an idle timeout; the request's
        # deadline (30 s from the connection) does. Both clients run at once.
        silent = connect_unix(self.sock)
        s = connect_unix(self.sock)
        started = time.monotonic()
        request = b"GET /ok.html HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + b"a" * 100
        closed_after = None
        s.settimeout(2)
        for byte in request:
            try:
                s.send(bytes([byte]))
                if s.recv(1) == b"":
                    closed_after = time.monotonic() - started
                    break
            except socket.timeout:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed_after = time.monotonic() - started
                break
        s.close()
        self.assertIsNotNone(closed_after, "still open after %.0f s" % (time.monotonic() - started))
        self.assertGreater(closed_after, 25)
        self.assertLess(closed_after, 36)
        self.assertEqual(read_until_closed(silent, 3), b"", "the silent client is still connected")
        silent.close()


class StalledCrowd(unittest.TestCase):
    """Rule 4: 1,000 clients that send half a request and stall cannot lock out an
    authenticated client, on TCP or on the unix socket; memory stays bounded, and every
    stalled connection is closed by the first-request deadline (30 s) at the latest."""

    CROWD = 1000

    def setUp(self):
        self.port = free_port()
        self.daemon = Daemon("", "[unix_http_server]\nfile={tmp}/supervisor.sock\n"
                             "[inet_http_server]\nport=127.0.0.1:%d\nusername=admin\npassword=s3cret\n"
                             % self.port, name="crowd")
        self.addCleanup(self.daemon.__exit__, None, None, None)
        self.daemon.start()
        self.sock = os.path.join(self.daemon.tmp, "supervisor.sock")

    def rss_kib(self):
        with open("/proc/%d/status" % self.daemon.proc.pid) as f:
            return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))

    def sanitized(self):
        with open("/proc/%d/maps" % self.daemon.proc.pid) as f:
            return "libasan" in f.read()

    def stall(self, connect):
        """CROWD connections, each with half a request: the server closes the oldest as
        newer ones arrive, so a send may find its connection closed already."""
        crowd = []
        for _ in range(self.CROWD):
            s = connect()
            crowd.append(s)
            try:
                s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        return crowd

    def assert_all_closed_by(self, crowd, deadline):
        """Every socket of `crowd` sees the server's close (end of file or a reset)
        before `deadline` (time.monotonic())."""
        selector = selectors.DefaultSelector()  # epoll: descriptors above 1024 are fine
        for s in crowd:
            s.setblocking(False)
            selector.register(s, selectors.EVENT_READ)
        open_count = len(crowd)
        while open_count and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=max(0, deadline - time.monotonic())):
                try:
                    data = key.fileobj.recv(4096)
                except ConnectionResetError:
                    data = b""
                self.assertEqual(data, b"", "a stalled client got an answer")
                selector.unregister(key.fileobj)
                open_count -= 1
        selector.close()
        self.assertEqual(open_count, 0, "%d stalled connections still open after the deadline" % open_count)

    def test_an_authenticated_call_is_answered_while_a_thousand_clients_stall(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * self.CROWD)), hard))
        before = self.rss_kib()
        authenticated = xmlrpc.client.ServerProxy("http://admin:s3cret@127.0.0.1:%d/RPC2" % self.port)
        crowd = []
        try:
            crowd += self.stall(lambda: socket.create_connection(("127.0.0.1", self.port)))
            self.assertEqual(authenticated.supervisor.getState()["statename"], "RUNNING")
            crowd += self.stall(lambda: connect_unix(self.sock))
            self.assertEqual(self.daemon.rpc().supervisor.getState()["statename"], "RUNNING")
            last_connect = time.monotonic()
            grown = self.rss_kib() - before
            if self.sanitized():
                # ASan's shadow memory and the quarantine it keeps freed blocks in make RSS
                # no measure of ours: the normal build (CI's first run) checks the bound.
                print("the daemon grew by %d KiB (AddressSanitizer build: not judged)" % grown)
            else:
                self.assertLess(grown, 16 * 1024, "the daemon grew by %d KiB" % grown)
            self.daemon.wait_for_log(r"connection limit reached \(128 open\): closing the connections that "
                                     r"waited longest for a request", count=2)
            # The last ones kept were accepted before last_connect; each one's deadline
            # is 30 s from its accept.
            self.assert_all_closed_by(crowd, last_connect + 40)
        finally:
            for s in crowd:
                s.close()
        self.assertEqual(self.daemon.rpc().supervisor.getState()["statename"], "RUNNING")


class NoShellNoInternals(unittest.TestCase):
    """Rule 5 (Supervisor's CVE-2017-11610 class): method names reach only the
    method table, and names, signals and data are never given to a shell."""

    def setUp(self):
        self.daemon = Daemon("[program:cat]\ncommand=/bin/cat\nstartsecs=0\n"
                             "stdout_logfile={tmp}/cat.out\n", Daemon.RPC_SECTION, name="noshell")
        self.addCleanup(self.daemon.__exit__, None, None, None)  # after tearDown
        self.daemon.start()
        self.daemon.wait_for_log(r"success: cat entered RUNNING state")
        self.marker = os.path.join(self.daemon.tmp, "pwned")
        self.rpc = self.daemon.rpc()

    def tearDown(self):
        self.rpc("close")()

    def hostile(self):
        m = self.marker
        return ["x; touch %s" % m, "$(touch %s)" % m, "`touch %s`" % m, "x\ntouch %s" % m, "x|touch %s" % m,
                "cat; touch %s" % m, "cat && touch %s" % m, "../../../bin/sh", "cat:$(touch %s)" % m]

    def assertFault(self, code, call, *args):
        with self.assertRaises(xmlrpc.client.Fault) as raised:
            call(*args)
        self.assertEqual(raised.exception.faultCode, code, raised.exception.faultString)

    def test_method_names_into_internals_are_unknown_methods(self):
        for name in ("supervisor.supervisord.options.execve", "supervisor.supervisord.options.warnings.linecache."
                     "os.system", "supervisor._rpc", "supervisor._getGroupAndProcess", "__class__",
                     "supervisor.__class__", "supervisor.__init__", "system.__dict__", "supervisor.getState.__call__",
                     "supervisor..getState", "supervisor.getState ", "os.system", "ha."):
            with self.subTest(method=name):
                # Not getattr(self.rpc, name): "__class__" would be the proxy's own attribute.
                self.assertFault(UNKNOWN_METHOD, lambda: self.rpc._ServerProxy__request(name, ()))
        results = self.rpc.system.multicall([{"methodName": "supervisor.supervisord.options.execve",
                                              "params": ["/bin/sh", ["sh", "-c", "touch " + self.marker], {}]}])
        self.assertEqual(results[0]["faultCode"], UNKNOWN_METHOD)
        self.assertFalse(os.path.exists(self.marker))

    def test_names_signals_and_stdin_data_are_never_run_by_a_shell(self):
        s = self.rpc.supervisor
        for name in self.hostile():
            with self.subTest(name=name):
                for call in (s.startProcess, s.stopProcess, s.startProcessGroup, s.stopProcessGroup,
                             s.addProcessGroup, s.removeProcessGroup, s.getProcessInfo, s.clearProcessLogs):
                    self.assertFault(BAD_NAME, call, name)
                self.assertFault(BAD_NAME, s.signalProcess, name, "HUP")
                self.assertFault(BAD_NAME, s.sendProcessStdin, name, "x")
                self.assertFault(BAD_NAME, s.readProcessStdoutLog, name, 0, 100)
                self.assertFault(BAD_NAME, s.tailProcessStderrLog, name, 0, 100)
                self.assertFault(BAD_SIGNAL, s.signalProcess, "cat", name)
                # Supervisor's make_allfunc: a result per process, not a fault.
                self.assertEqual([r["status"] for r in s.signalAllProcesses(name)], [BAD_SIGNAL])
        data = "$(touch %s)\n`touch %s`\n; touch %s\n" % ((self.marker,) * 3)
        self.assertTrue(s.sendProcessStdin("cat", data))
        def echoed():
            with open(os.path.join(self.daemon.tmp, "cat.out")) as f:
                return f.read() == data
        wait_until(echoed, message="cat to echo the data as it is")
        for path in ("/logtail/..%2F..%2F..%2Fetc%2Fpasswd", "/logtail/cat%3Btouch%20" + self.marker.replace(
                "/", "%2F"), "/logtail/$(touch%20x)/stdout"):
            with self.subTest(path=path):
                s_ = connect_unix(os.path.join(self.daemon.tmp, "supervisor.sock"))
                s_.sendall(b"GET " + path.encode() + b" HTTP/1.0\r\n\r\n")
                self.assertTrue(read_until_closed(s_, 10).startswith(b"HTTP/1.0 404 "))
                s_.close()
        time.sleep(0.5)
        self.assertFalse(os.path.exists(self.marker))
        self.assertEqual(self.daemon.rpc().supervisor.getProcessInfo("cat")["statename"], "RUNNING")


PROBE = r'''
import json, os, socket, sys
fds = []
for entry in os.listdir("/proc/self/fd"):
    try:
        os.readlink("/proc/self/fd/" + entry)  # the listing's own fd is closed by now
        fds.append(int(entry))
    except OSError:
        pass
report = {"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "egid": os.getegid(),
          "groups": sorted(os.getgroups()), "fds": sorted(fds)}
def attempt(action):
    try:
        action()
        return "succeeded"
    except OSError as error:
        return type(error).__name__
report["connect"] = attempt(lambda: socket.socket(socket.AF_UNIX).connect(sys.argv[1]))
report["daemon_fds"] = attempt(lambda: os.listdir("/proc/%d/fd" % os.getppid()))
report["setuid_root"] = attempt(lambda: os.setuid(0))
print(json.dumps(report), flush=True)
'''


class UserPrograms(unittest.TestCase):
    """Rule 6: a program with user= runs as that user, with its groups only, with
    no daemon fd, and cannot get into the daemon's chmod=0700 socket."""

    @unittest.skipUnless(os.geteuid() == 0, "user= needs root")
    def test_a_user_nobody_program_has_nobodys_ids_and_nothing_of_the_daemons(self):
        d = Daemon("[program:probe]\ncommand=/usr/bin/python3 {tmp}/probe.py {tmp}/supervisor.sock\n"
                   "user=nobody\nstartsecs=0\nautorestart=false\nstdout_logfile={tmp}/probe.out\n",
                   Daemon.RPC_SECTION + "chmod=0700\n[inet_http_server]\nport=127.0.0.1:%d\n" % free_port(),
                   name="user")
        try:
            with open(os.path.join(d.tmp, "probe.py"), "w") as f:
                f.write(PROBE)
            os.chmod(os.path.join(d.tmp, "probe.py"), 0o644)
            os.chmod(d.tmp, 0o755)  # only the socket's own mode may keep nobody out
            d.start()
            d.wait_for_log(r"exited: probe \(exit status 0")
            with open(os.path.join(d.tmp, "probe.out")) as f:
                report = json.loads(f.read())
            self.assertEqual(os.stat(os.path.join(d.tmp, "supervisor.sock")).st_mode & 0o777, 0o700)
        finally:
            d.__exit__(None, None, None)
        nobody_gid = 65534
        self.assertEqual((report["uid"], report["euid"]), (65534, 65534))
        self.assertEqual((report["gid"], report["egid"]), (nobody_gid, nobody_gid))
        self.assertNotIn(0, report["groups"])  # root's supplementary groups are gone
        self.assertEqual(report["groups"], [nobody_gid])
        self.assertEqual(report["fds"], [0, 1, 2])
        self.assertEqual(report["connect"], "PermissionError")
        self.assertEqual(report["daemon_fds"], "PermissionError")
        self.assertEqual(report["setuid_root"], "PermissionError")


if __name__ == "__main__":
    unittest.main(verbosity=2)
