#!/usr/bin/python3
"""Pieces for cluster-mode scenario tests: a real etcd cluster, a cuttable network link per
node, several supervisord nodes, and a timeline that checks there was never more than one
primary.

  EtcdCluster   (etcd_cluster.py) 3 etcd members on loopback; stop/kill/restart one; get/put/delete
  NodeLink      (node_link.py) a TCP proxy between one node and etcd; cut() it (reset, blackhole,
                or one way), heal()
  Timeline      (timeline.py) the shared role log written by role_program.py, role_hook.py and the test
  ClusterNodes  (here) one supervisord per node, each with its own directory, socket, NodeLink

Everything here kills what it started when its context manager exits, even on failure.
Only the standard library is used (urllib for etcd's JSON gateway, selectors for the proxy).

`python3 cluster_harness.py --self-check` proves each piece on its own (no cluster mode in
the daemon needed; SUPERVISORD_BIN picks the daemon, as in daemon_harness.py).
"""
import collections
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS_DIR = os.path.join(HERE, "cluster_programs")
sys.path.insert(0, HERE)
sys.path.insert(0, PROGRAMS_DIR)
import daemon_harness  # noqa: E402
from daemon_harness import Daemon, UnixTransport, process_alive, wait_until  # noqa: E402
from leftover_processes import Marker, kill_all  # noqa: E402

ROLE_PROGRAM = os.path.join(PROGRAMS_DIR, "role_program.py")
ROLE_HOOK = os.path.join(PROGRAMS_DIR, "role_hook.py")


# The pieces, in modules of their own; imported from here by the tests.
import etcd_cluster  # noqa: E402
from etcd_cluster import EtcdCluster, EtcdError, _b64, _unb64  # noqa: E402
from node_link import NodeLink  # noqa: E402
from timeline import Timeline  # noqa: E402


# ---- ClusterNodes ----------------------------------------------------------------------------

def _parent_map():
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    return parents


def descendants(pid):
    """Every live process below pid, deepest last (children, grandchildren, ...)."""
    children = collections.defaultdict(list)
    for child, parent in _parent_map().items():
        children[parent].append(child)
    result, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            result.append(child)
            todo.append(child)
    return result


def kill_daemon_and_below(proc, marker):
    """A node dies: SIGKILL to the daemon `proc` first (so it cannot spawn anything more),
    then to every process below it (programs and hooks run in process groups of their own,
    so /proc is walked), then to whatever carrying its environment `marker` was forked
    meanwhile. Reaps the daemon; returns the pids killed below it."""
    below = descendants(proc.pid)
    proc.kill()
    for pid in below:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    return below + list(kill_all(marker.value))


def processes_mentioning(text):
    """Pids whose command line contains text (ours: our unique temporary paths)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open("/proc/%s/cmdline" % entry, "rb") as f:
                    if text.encode() in f.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


class _ClosingUnixTransport(UnixTransport):
    """UnixTransport that closes its socket after each call: its connection is in a
    reference cycle, so an unclosed one would hold its fd until the garbage collector runs."""

    def make_connection(self, host):
        self._open = super().make_connection(host)  # the base class does not keep it
        return self._open

    def request(self, *args, **kwargs):
        try:
            return super().request(*args, **kwargs)
        finally:
            if getattr(self, "_open", None) is not None:
                self._open.close()
                self._open = None


def unix_rpc(path, **kwargs):
    """An XML-RPC proxy to a unix socket that leaves no socket open between calls."""
    return xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=_ClosingUnixTransport(path), **kwargs)


class NodeDaemon(Daemon):
    """A harness Daemon in a directory chosen by the caller (the node's own)."""

    def __init__(self, directory, programs, supervisord_extra=""):
        os.makedirs(directory, exist_ok=True)
        self.tmp = directory
        self.log_path = os.path.join(directory, "supervisord.log")
        self.conf_path = os.path.join(directory, "supervisord.conf")
        self.write_config(programs, supervisord_extra)
        self.proc = None
        self.marker = Marker()


def python_command(script, *args):
    return " ".join([sys.executable, "-u", script] + [str(a) for a in args])


def role_program_section(nodes, node, program="db", hooks=("score", "promote", "demote", "follow", "route",
                                                           "notify"), extra=""):
    """The usual [program:<program>]: role_program.py as a promotable program with
    role_hook.py for every hook in `hooks`; `extra` adds or overrides nothing, it is appended
    (so put keys there that this section does not set)."""
    common = ("--state", nodes.state_dir, "--timeline", nodes.timeline.path, "--node", node)
    lines = ["[program:%s]" % program,
             "command = " + python_command(ROLE_PROGRAM, "--node", node, "--timeline", nodes.timeline.path,
                                           "--state", nodes.state_dir),
             "startsecs = 1", "startretries = 2", "stopwaitsecs = 5", "role = promotable",
             "hook_timeout = 10"]
    lines += ["%s_command = %s" % (hook, python_command(ROLE_HOOK, hook, *common)) for hook in hooks]
    return "\n".join(lines) + "\n" + extra + "\n"


class ClusterNodes:
    """One supervisord per node name, each in tmp/<node> with its own config, unix socket
    (rpc()), log and NodeLink to the etcd cluster. The shared state directory (tmp/state:
    role files and hook knobs) and timeline (tmp/timeline.log) belong to every node.

    program_section_fn(nodes, node) returns the node's program sections (default:
    role_program_section). cluster=True writes the [cluster] section of the contract
    (cluster_options overrides its keys, cluster_extra is appended verbatim); cluster=False
    leaves it out, for a daemon without cluster mode. start=True starts every node."""

    DEFAULT_CLUSTER = collections.OrderedDict([
        ("lease_ttl", "3"), ("fence_margin", "1"), ("no_quorum_policy", "demote"), ("settle", "0.5")])

    def __init__(self, tmp, etcd, nodes=("n1", "n2", "n3"), program_section_fn=None, cluster_extra="",
                 cluster=True, cluster_name="demo", cluster_options=None, supervisord_extra="", start=True):
        self.tmp = tmp
        self.etcd = etcd
        self.names = list(nodes)
        self.state_dir = os.path.join(tmp, "state")
        os.makedirs(self.state_dir, exist_ok=True)
        self.timeline = Timeline(os.path.join(tmp, "timeline.log"))
        self.cluster = cluster
        self.cluster_name = cluster_name
        self.links = {}
        self.daemons = {}
        self.addresses = {}
        program_section_fn = program_section_fn or role_program_section
        try:
            for index, node in enumerate(self.names):
                self.links[node] = NodeLink(etcd.endpoints, name=node)
                self.addresses[node] = "127.0.0.1:%d" % (5401 + index)  # given to hooks, never dialled
                sections = Daemon.RPC_SECTION
                if cluster:
                    options = collections.OrderedDict(
                        [("name", cluster_name), ("node", node), ("etcd", self.links[node].etcd_setting)])
                    options.update(self.DEFAULT_CLUSTER)
                    options["advertise"] = self.addresses[node]
                    options.update(cluster_options or {})
                    sections += "\n[cluster]\n" + "".join("%s = %s\n" % kv for kv in options.items())
                    sections += cluster_extra + "\n"
                sections += "\n" + program_section_fn(self, node)
                self.daemons[node] = NodeDaemon(os.path.join(tmp, node), sections, supervisord_extra)
            if start:
                for node in self.names:
                    self.start(node)
        except BaseException:
            self.close()
            raise

    # -- accessors --

    def daemon(self, node):
        return self.daemons[node]

    def rpc(self, node):
        return unix_rpc(os.path.join(self.daemons[node].tmp, "supervisor.sock"))

    def link(self, node):
        return self.links[node]

    def address(self, node):
        return self.addresses[node]

    def knob(self, node, name, value=True):
        """Sets a file role_program/role_hook read: knob("n1", "score", 5),
        knob("n2", "promote_fail"), knob("n1", "demote_sleep", 3); value None removes it."""
        path = os.path.join(self.state_dir, "%s.%s" % (node, name))
        if value is None:
            if os.path.exists(path):
                os.remove(path)
            return
        with open(path + ".tmp", "w") as f:
            f.write("" if value is True else "%s\n" % value)
        os.replace(path + ".tmp", path)

    def role(self, node):
        """What the node's role file says ("replica", "primary"), or None."""
        try:
            with open(os.path.join(self.state_dir, node + ".role")) as f:
                return f.read().strip()
        except FileNotFoundError:
            return None

    def hook_environment(self, node, hook):
        """The SUPERVISOR_* variables the node's last `hook` run got (dict), or None."""
        try:
            with open(os.path.join(self.state_dir, "%s.%s.env" % (node, hook))) as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def etcd_keys(self):
        """{key: value} of this cluster's keys in etcd (the contract's /supervisor-ha/<name>/),
        or {"(etcd)": error} when etcd does not answer."""
        try:
            return self.etcd.get_prefix("/supervisor-ha/%s/" % self.cluster_name)
        except EtcdError as e:
            return {"(etcd)": str(e)}

    def diagnostics(self, log_lines=25):
        """What to print when a scenario fails: the timeline, the etcd keys, each node's
        link state and its supervisord log's last lines."""
        parts = [self.timeline.dump(), "etcd keys:"]
        parts += ["  %s = %s" % kv for kv in sorted(self.etcd_keys().items())]
        for node in self.names:
            daemon = self.daemons[node]
            running = daemon.proc is not None and daemon.proc.poll() is None
            parts.append("--- %s (%s, link %s), last %d log lines ---" % (
                node, "running" if running else "not running", self.links[node].mode, log_lines))
            parts += daemon.log().splitlines()[-log_lines:]
        return "\n".join(parts)

    # -- node life --

    def start(self, node):
        """Starts (or starts again) the node's supervisord; returns its Daemon."""
        daemon = self.daemons[node]
        if daemon.proc is not None and daemon.proc.poll() is None:
            raise AssertionError("%s is running" % node)
        if getattr(daemon, "output", None):
            daemon.output.close()
        return daemon.start()

    def stop(self, node, timeout=30):
        """SIGTERM to the node's supervisord (it stops its programs); returns its exit code."""
        return self.daemons[node].stop(timeout)

    def kill(self, node, mark=True):
        """The node dies: SIGKILL to its supervisord and every process below it (programs
        and hooks run in their own process groups, so this walks /proc). Marks "<node> killed"
        in the timeline unless mark=False."""
        daemon = self.daemons[node]
        if daemon.proc is None or daemon.proc.poll() is not None:
            return
        below = kill_daemon_and_below(daemon.proc, daemon.marker)
        wait_until(lambda: not any(process_alive(pid) for pid in below), 10, "%s's processes to die" % node)
        if mark:
            self.timeline.mark(node, "killed")

    def cut(self, node, mode="reset"):
        """Cuts the node off etcd (NodeLink.cut) and marks "<node> cut <mode>"."""
        self.links[node].cut(mode)
        self.timeline.mark(node, "cut", mode)

    def heal(self, node, **kw):
        self.links[node].heal(**kw)
        self.timeline.mark(node, "heal")

    def close(self):
        """Stops every daemon (SIGTERM, then SIGKILL), kills anything left that runs our
        programs or hooks, closes every NodeLink. Then raises AssertionError if a daemon left
        a process of its own running (found through its environment marker; killed now)."""
        for node, daemon in self.daemons.items():
            if daemon.proc is not None and daemon.proc.poll() is None:
                try:
                    daemon.stop(timeout=15)
                except Exception:
                    pass
            if getattr(daemon, "output", None):
                daemon.output.close()
                daemon.output = None
        leftovers = []
        for node, daemon in self.daemons.items():
            try:
                daemon.marker.assert_none_left("%s's supervisord" % node)
            except AssertionError as e:
                leftovers.append(str(e))
        # What the test itself started with our paths on its command line (not the daemons').
        for pid in processes_mentioning(self.state_dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for link in self.links.values():
            link.close()
        if leftovers:
            raise AssertionError("\n".join(leftovers))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- self-check ------------------------------------------------------------------------------

def _self_check(keep, with_cluster):
    import tempfile
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="sha-cluster-")
    threads_before = threading.active_count()
    fds_before = len(os.listdir("/proc/self/fd"))

    def step(text):
        print("[%5.1fs] %s" % (time.monotonic() - started, text), flush=True)

    def expect_failure(what, call, fast=None):
        t0 = time.monotonic()
        try:
            call()
        except (EtcdError, OSError) as e:
            took = time.monotonic() - t0
            step("  %s fails as it should after %.2fs: %s" % (what, took, str(e)[:150]))
            if fast is not None:
                assert took < fast, "%s took %.2fs, expected under %ss" % (what, took, fast)
            return
        raise AssertionError("%s succeeded" % what)

    try:
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        fresh, taken = etcd_cluster._distinct_free_ports, [busy.getsockname()[1]]

        def first_port_taken(count):
            return [taken.pop()] + fresh(count - 1) if taken else fresh(count)
        etcd_cluster._distinct_free_ports = first_port_taken
        try:
            with EtcdCluster(os.path.join(tmp, "single"), members=1) as single:
                single.put("/a", "b")
        finally:
            etcd_cluster._distinct_free_ports = fresh
            busy.close()
        step("etcd: a member whose port is taken fails, EtcdCluster starts again on other ports")
        with EtcdCluster(tmp) as etcd:
            step("etcd: %d members healthy: %s" % (etcd.count, " ".join(etcd.endpoints)))
            etcd.put("/demo/a", "1")
            etcd.put("/demo/b", "two")
            etcd.put("/demox", "outside")
            assert etcd.get("/demo/a") == "1" and etcd.get("/nothing") is None
            assert etcd.get_prefix("/demo/") == {"/demo/a": "1", "/demo/b": "two"}, etcd.get_prefix("/demo/")
            assert etcd.delete("/demo/", prefix=True) == 2 and etcd.get_prefix("/demo/") == {}
            lease = etcd.grant_lease(2)
            etcd.put("/demo/leased", "x", lease=lease)
            assert etcd.get_entry("/demo/leased")["lease"] == lease
            step("put/get/get_prefix/delete/lease work; leader is %s" % etcd.name(etcd.leader()))

            victims = [i for i in range(etcd.count) if i != 0][:2]
            for i in victims:
                etcd.kill(i)
            step("killed %s; %s alone has no quorum" % (", ".join(etcd.name(i) for i in victims), etcd.name(0)))
            expect_failure("put", lambda: etcd.put("/demo/q", "lost"))
            for i in victims:
                etcd.restart(i, wait=False)
            etcd.wait_healthy()
            etcd.put("/demo/q", "back")
            assert etcd.get("/demo/q") == "back"
            step("restarted them (existing state): healthy again, put works, leader %s" % etcd.name(etcd.leader()))
            leader = etcd.leader()
            etcd.stop(leader)
            etcd.put("/demo/q", "two of three")
            etcd.restart(leader)
            assert etcd.get("/demo/q", endpoint=etcd.endpoints[leader]) == "two of three"
            step("stop(%s) (SIGTERM, the leader): two members still write; restart(%s) catches up" % (
                etcd.name(leader), etcd.name(leader)))

            with NodeLink(etcd.endpoints, name="check") as link:
                proxied = etcd.call
                for url in link.endpoints:
                    proxied("/v3/kv/put", {"key": _b64("/link"), "value": _b64(url)}, endpoint=url)
                assert etcd.get("/link") == link.endpoints[-1]
                step("NodeLink %s forwards to each member" % " ".join(link.endpoints))

                # A live watch through the link: reset ends it at once.
                watch = socket.create_connection(("127.0.0.1", link.ports[0]), timeout=2)
                body = json.dumps({"create_request": {"key": _b64("/w"), "range_end": _b64("/x")}}).encode()
                watch.sendall(b"POST /v3/watch HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                assert b"created" in watch.recv(4096)
                stream = http_keepalive(link.ports[1])
                stream.request("/v3/kv/range", {"key": _b64("/link")})
                wait_until(lambda: link.connection_count() == 2, 5, "only the watch and the keep-alive connection")

                link.cut("blackhole")
                step("cut(blackhole): live connections stall, new ones are never answered")
                expect_failure("get through the link", lambda: proxied("/v3/kv/range", {"key": _b64("/link")},
                                                                       endpoint=link.endpoints[0], timeout=1))
                expect_failure("request on a live connection", lambda: stream.request(
                    "/v3/kv/range", {"key": _b64("/link")}, timeout=1))
                etcd.put("/w/1", "during")
                watch.settimeout(0.5)
                try:
                    watch.recv(4096)
                    raise AssertionError("the watch got data through a blackhole")
                except socket.timeout:
                    step("  the live watch hears nothing (a put happened meanwhile)")
                link.heal()
                data = watch.recv(4096)
                assert _b64("/w/1").encode() in data, data
                step("heal(): the stalled watch delivers the event it missed; new requests work")
                proxied("/v3/kv/range", {"key": _b64("/link")}, endpoint=link.endpoints[0])

                link.cut("reset")
                step("cut(reset): live connections reset, new ones refused")
                watch.settimeout(2)
                try:
                    rest = watch.recv(4096)
                    assert rest == b"", rest
                    step("  the live watch ends (EOF)")
                except ConnectionResetError:
                    step("  the live watch is reset")
                watch.close()
                stream.close()
                expect_failure("get through the link", lambda: proxied(
                    "/v3/kv/range", {"key": _b64("/link")}, endpoint=link.endpoints[0], timeout=1), fast=0.5)
                assert link.connection_count() == 0
                link.heal()
                proxied("/v3/kv/range", {"key": _b64("/link")}, endpoint=link.endpoints[2])
                step("heal(): works again")

                link.cut("hold-to-client")
                expect_failure("a put through a one-way cut", lambda: proxied(
                    "/v3/kv/put", {"key": _b64("/oneway"), "value": _b64("arrived")}, endpoint=link.endpoints[0],
                    timeout=1))
                assert etcd.get("/oneway") == "arrived"
                step("cut(hold-to-client): the put arrives, its answer does not")
                link.cut("hold-to-upstream")
                # Held, not lost: a request sent on a live connection during the cut arrives
                # once healed, and its answer comes back on that connection (what TCP
                # retransmission does; a one-way cut never leaves a hole in a stream).
                body = json.dumps({"key": _b64("/oneway"), "value": _b64("late")}).encode()
                host, port = link.endpoints[0].split("//")[-1].rsplit(":", 1)
                raw = socket.create_connection((host, int(port)), timeout=10)
                raw.sendall(b"POST /v3/kv/put HTTP/1.1\r\nHost: etcd\r\nContent-Type: application/json\r\n"
                            b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                time.sleep(0.5)
                assert etcd.get("/oneway") == "arrived"
                step("cut(hold-to-upstream): a put sent meanwhile does not arrive while the cut lasts")
                link.heal()
                answer = raw.recv(65536)
                raw.close()
                assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
                assert etcd.get("/oneway") == "late"
                step("heal(): it arrives, and its answer comes back")

                # Bytes in bulk and many connections at once.
                big = "x" * 1000000
                proxied("/v3/kv/put", {"key": _b64("/big"), "value": _b64(big)}, endpoint=link.endpoints[1])
                answer = proxied("/v3/kv/range", {"key": _b64("/big")}, endpoint=link.endpoints[2], timeout=5)
                assert _unb64(answer["kvs"][0]["value"]) == big
                results = []
                workers = [threading.Thread(target=lambda n=n: results.append(proxied(
                    "/v3/kv/put", {"key": _b64("/many/%d" % n), "value": _b64("v")},
                    endpoint=link.endpoints[n % 3], timeout=5))) for n in range(40)]
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join()
                assert len(results) == 40 and len(etcd.get_prefix("/many/")) == 40
                wait_until(lambda: link.connection_count() == 0, 5, "the proxied connections to close")
                step("1 MB each way and 40 concurrent requests through the link; every connection closed after")
            wait_until(lambda: threading.active_count() == threads_before, 5, "the proxy thread to end")

            timeline_check(tmp, step)
            nodes_check(tmp, etcd, step, with_cluster)

        fds_after = len(os.listdir("/proc/self/fd"))
        assert threading.active_count() == threads_before, threading.enumerate()
        assert fds_after <= fds_before, "fds: %d before, %d after: %s" % (
            fds_before, fds_after, open_files())
        leftovers = processes_mentioning(tmp)
        assert not leftovers, "processes left: %s" % leftovers
        step("no thread, socket or process left behind (threads %d, fds %d)" % (threads_before, fds_after))
        step("self-check passed")
    finally:
        if keep:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def open_files():
    """{fd: what it is} of this process (the self-check's leak report)."""
    found = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            found[int(fd)] = os.readlink("/proc/self/fd/" + fd)
        except OSError:
            pass
    return found


class http_keepalive:
    """A persistent HTTP/1.1 connection for the self-check (one request at a time)."""

    def __init__(self, port):
        import http.client
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)

    def request(self, path, body, timeout=2):
        self.connection.sock and self.connection.sock.settimeout(timeout)
        self.connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        answer = self.connection.getresponse()
        return json.loads(answer.read())

    def close(self):
        self.connection.close()


def timeline_check(tmp, step):
    """role_program and role_hook by hand: a clean handover passes, an overlap is caught."""
    state = os.path.join(tmp, "hand", "state")
    os.makedirs(state)
    timeline = Timeline(os.path.join(tmp, "hand", "timeline.log"))
    common = ["--state", state, "--timeline", timeline.path]

    def hook(name, node, **env):
        full = dict(os.environ, SUPERVISOR_NODE=node, **env)
        return subprocess.run([sys.executable, ROLE_HOOK, name] + common, env=full,
                              capture_output=True, text=True, timeout=10)

    programs = {node: subprocess.Popen([sys.executable, ROLE_PROGRAM, "--node", node] + common,
                                       stdout=subprocess.DEVNULL)
                for node in ("n1", "n2")}
    try:
        for node in programs:
            timeline.wait_for(node, "replica", "start", timeout=5)
        with open(os.path.join(state, "n1.score"), "w") as f:
            f.write("7\n")
        with open(os.path.join(state, "n2.score"), "w") as f:
            f.write("none\n")
        n1, n2 = hook("score", "n1"), hook("score", "n2")
        assert (n1.stdout, n1.returncode, n2.stdout, n2.returncode) == ("7\n", 0, "", 1), (n1, n2)
        assert hook("score", "n3").stdout == "0\n"
        assert hook("promote", "n1").returncode == 0
        assert hook("route", "n1").returncode == 0
        assert hook("follow", "n2", SUPERVISOR_PRIMARY_NODE="n1").returncode == 0
        assert hook("notify", "n2", SUPERVISOR_NOTIFY_TYPE="post", SUPERVISOR_NOTIFY_OPERATION="promote",
                    SUPERVISOR_NOTIFY_NODE="n1").returncode == 0
        assert timeline.current_primary() == "n1"
        open(os.path.join(state, "n2.promote_fail"), "w").close()
        assert hook("promote", "n2").returncode == 1 and timeline.current_primary() == "n1"
        os.remove(os.path.join(state, "n2.promote_fail"))
        mismatch = subprocess.run([sys.executable, ROLE_HOOK, "promote", "--node", "n2"] + common,
                                  env=dict(os.environ, SUPERVISOR_NODE="n1"), capture_output=True, timeout=10)
        assert mismatch.returncode == 2
        # Clean handover: n1 demotes (slowly), then n2 promotes.
        with open(os.path.join(state, "n1.demote_sleep"), "w") as f:
            f.write("0.3\n")
        assert hook("demote", "n1").returncode == 0
        assert hook("promote", "n2").returncode == 0
        timeline.assert_never_two_primaries()
        assert timeline.current_primary() == "n2"
        assert [c[1:] for c in timeline.role_changes("n1")] == [
            ("replica", "start"), ("primary", ""), ("replica", "demoted")], timeline.role_changes("n1")
        step("timeline: scores, promote/route/follow/notify, a failing promote, a node mismatch, "
             "a clean handover n1 -> n2: accepted")
        # A primary that is stopped stops being primary.
        programs["n2"].send_signal(signal.SIGTERM)
        assert programs["n2"].wait(5) == 0
        assert timeline.current_primary() is None
        # Injected overlap: n1 promoted again, then n2's fresh instance too, before n1 demotes.
        hook("promote", "n1")
        timeline.mark("n2", "primary", "injected")
        time.sleep(0.05)
        hook("demote", "n1")
        try:
            timeline.assert_never_two_primaries()
        except AssertionError as e:
            step("timeline: the injected overlap is caught:\n" + "\n".join("      " + l for l in str(e).splitlines()))
        else:
            raise AssertionError("the overlap went unnoticed")
        try:
            timeline.mark("n3", "primary")
            timeline.current_primary()
            raise AssertionError("two current primaries went unnoticed")
        except AssertionError as e:
            assert "2 primaries at once" in str(e), e
        crash = subprocess.run([sys.executable, ROLE_PROGRAM, "--node", "n4", "--crash-after", "0.1"] + common,
                               timeout=10, stdout=subprocess.DEVNULL)
        open(os.path.join(state, "n5.crash"), "w").close()
        crash_at_start = subprocess.run([sys.executable, ROLE_PROGRAM, "--node", "n5"] + common, timeout=10,
                                        capture_output=True)
        assert (crash.returncode, crash_at_start.returncode) == (1, 1)
        assert timeline.role_changes("n5") == [timeline.role_changes("n5")[0]] and \
            timeline.role_changes("n5")[0][1:] == ("crashed", "start")
        step("role_program: SIGTERM -> 'stopped' exit 0; --crash-after and the crash file -> exit 1")
    finally:
        for proc in programs.values():
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def nodes_check(tmp, etcd, step, with_cluster):
    """Three real supervisords (no [cluster] unless asked): the role program runs on each;
    ha.promote/ha.demote drive role_hook.py through the daemon; kill() takes a node's tree."""
    if not os.path.exists(daemon_harness.SUPERVISORD):
        raise AssertionError("no supervisord at %s (set SUPERVISORD_BIN)" % daemon_harness.SUPERVISORD)
    with ClusterNodes(os.path.join(tmp, "nodes"), etcd, cluster=with_cluster) as nodes:
        for node in nodes.names:
            nodes.timeline.wait_for(node, "replica", "start", timeout=10)
            wait_until(lambda: nodes.rpc(node).supervisor.getProcessInfo("db")["statename"] == "RUNNING", 10,
                       "%s's db RUNNING" % node)
        step("nodes: %s up%s, each with its own socket and NodeLink (%s)" % (
            ", ".join(nodes.names), " with [cluster]" if with_cluster else " without [cluster]",
            nodes.link("n1").etcd_setting))
        if with_cluster:
            step("  [cluster] given: waiting for the daemons' own election")
            nodes.timeline.wait_for_primary(timeout=20)
        else:
            nodes.rpc("n1").ha.promote("db")
            nodes.timeline.wait_for_primary("n1", timeout=10)
            assert nodes.role("n1") == "primary"
            env = nodes.hook_environment("n1", "promote")
            assert env["SUPERVISOR_HOOK"] == "promote" and env["SUPERVISOR_PROCESS_NAME"] == "db", env
            nodes.rpc("n1").ha.demote("db")
            nodes.timeline.wait_for("n1", "replica", "demoted", timeout=10)
            nodes.rpc("n2").ha.promote("db")
            nodes.timeline.wait_for_primary("n2", timeout=10)
            nodes.timeline.assert_never_two_primaries()
            step("  ha.promote n1, ha.demote n1, ha.promote n2 through the daemons: one primary at a time")
        primary = nodes.timeline.current_primary()
        pid = nodes.daemon(primary).pid_of("db")
        nodes.kill(primary)
        assert not process_alive(pid), "the killed node's program survived"
        assert nodes.timeline.current_primary() is None or with_cluster
        step("  kill(%s): supervisord and its program gone, timeline says killed" % primary)
        nodes.start(primary)
        nodes.timeline.wait_for(primary, "replica", "start", after=nodes.timeline.role_changes(primary)[-1][0])
        step("  start(%s) again: its program is back as a replica" % primary)
        nodes.cut("n3", "blackhole")
        assert nodes.link("n3").mode == "blackhole"
        nodes.heal("n3")
        print(nodes.diagnostics(log_lines=3))


if __name__ == "__main__":
    if "--self-check" not in sys.argv[1:]:
        print("usage: cluster_harness.py --self-check [--keep] [--with-cluster]", file=sys.stderr)
        sys.exit(2)
    _self_check("--keep" in sys.argv, "--with-cluster" in sys.argv)
