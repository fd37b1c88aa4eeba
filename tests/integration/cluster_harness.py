#!/usr/bin/python3
"""Pieces for cluster-mode scenario tests: a real etcd cluster, a cuttable network link per
node, several supervisord nodes, and a timeline that checks there was never more than one
primary.

  EtcdCluster   3 etcd members on loopback; stop/kill/restart one; get/put/delete helpers
  NodeLink      a TCP proxy between one node and etcd; cut() it (reset, blackhole, or one way), heal()
  ClusterNodes  one supervisord per node, each with its own directory, socket, NodeLink
  Timeline      the shared role log written by role_program.py, role_hook.py and the test

Everything here kills what it started when its context manager exits, even on failure.
Only the standard library is used (urllib for etcd's JSON gateway, selectors for the proxy).

`python3 cluster_harness.py --self-check` proves each piece on its own (no cluster mode in
the daemon needed; SUPERVISORD_BIN picks the daemon, as in daemon_harness.py).
"""
import base64
import collections
import errno
import json
import os
import queue
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS_DIR = os.path.join(HERE, "cluster_programs")
sys.path.insert(0, HERE)
sys.path.insert(0, PROGRAMS_DIR)
import daemon_harness  # noqa: E402
from daemon_harness import Daemon, UnixTransport, free_port, process_alive, wait_until  # noqa: E402,F401
from role_hook import append_event  # noqa: E402
from leftover_processes import Marker, kill_all  # noqa: E402

ETCD = os.environ.get("ETCD_BIN", shutil.which("etcd") or "/usr/bin/etcd")
ROLE_PROGRAM = os.path.join(PROGRAMS_DIR, "role_program.py")
ROLE_HOOK = os.path.join(PROGRAMS_DIR, "role_hook.py")


# ---- etcd ------------------------------------------------------------------------------------

class EtcdError(Exception):
    """An etcd request that no member answered successfully (message names each try)."""


def _b64(text):
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def _unb64(text):
    return base64.b64decode(text).decode(errors="replace")


def _prefix_end(prefix):
    """etcd's range_end for "every key starting with prefix"."""
    data = bytearray(prefix.encode())
    while data:
        if data[-1] < 0xFF:
            data[-1] += 1
            return bytes(data)
        data.pop()
    return b"\0"


# Loopback only: never through an http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_post_json(url, body, timeout):
    """POSTs JSON, returns the decoded answer; raises EtcdError on HTTP errors (with etcd's
    message), OSError on connection failures and socket.timeout/TimeoutError on timeouts."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as e:
        text = e.read().decode(errors="replace")
        try:
            text = json.loads(text).get("error", text)
        except ValueError:
            pass
        raise EtcdError("HTTP %d: %s" % (e.code, text)) from None


def _distinct_free_ports(count):
    ports = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def _port_trouble(etcd):
    """Whether a member's log says its port was taken."""
    for i in range(etcd.count):
        try:
            with open(etcd.log_path(i), errors="replace") as f:
                if "address already in use" in f.read():
                    return True
        except FileNotFoundError:
            pass
    return False


class EtcdCluster:
    """`members` etcd processes on free loopback ports under tmp/etcd, started and healthy when
    the constructor returns. Member indices are 0-based (member i is named m<i+1>).
    Every helper is a JSON-gateway call with a short timeout that tries the running members
    in turn and raises EtcdError when none answers."""

    def __init__(self, tmp, members=3, heartbeat_ms=50, election_ms=500, timeout=20, attempts=3):
        self.dir = os.path.join(tmp, "etcd")
        self.count = members
        self.heartbeat_ms = heartbeat_ms
        self.election_ms = election_ms
        self.procs = [None] * members
        self._outputs = [None] * members
        # A free port can be taken between free_port() and etcd's bind: then a member exits at
        # once, and the whole cluster starts again on fresh ports.
        for attempt in range(1, attempts + 1):
            shutil.rmtree(self.dir, ignore_errors=True)
            os.makedirs(self.dir)
            ports = _distinct_free_ports(2 * members)
            self.client_ports, self.peer_ports = ports[:members], ports[members:]
            self.endpoints = ["http://127.0.0.1:%d" % p for p in self.client_ports]
            self.peer_urls = ["http://127.0.0.1:%d" % p for p in self.peer_ports]
            try:
                for i in range(members):
                    self._spawn(i, "new")
                self.wait_healthy(timeout=timeout)
                self.put("/harness/ready", "1")
                self.delete("/harness/ready")
                return
            except BaseException:
                exited = any(p is not None and p.poll() is not None for p in self.procs)
                self.close()
                if attempt == attempts or not exited or not _port_trouble(self):
                    raise

    # -- processes --

    def name(self, i):
        return "m%d" % (i + 1)

    def log_path(self, i):
        return os.path.join(self.dir, self.name(i) + ".log")

    def _spawn(self, i, state):
        initial = ",".join("%s=%s" % (self.name(j), self.peer_urls[j]) for j in range(self.count))
        args = [ETCD, "--name", self.name(i), "--data-dir", os.path.join(self.dir, self.name(i) + ".data"),
                "--logger=zap", "--log-outputs", self.log_path(i),
                "--listen-client-urls", self.endpoints[i], "--advertise-client-urls", self.endpoints[i],
                "--listen-peer-urls", self.peer_urls[i], "--initial-advertise-peer-urls", self.peer_urls[i],
                "--initial-cluster", initial, "--initial-cluster-token", "harness",
                "--initial-cluster-state", state,
                "--heartbeat-interval=%d" % self.heartbeat_ms, "--election-timeout=%d" % self.election_ms]
        if self._outputs[i]:
            self._outputs[i].close()
        self._outputs[i] = open(os.path.join(self.dir, self.name(i) + ".out"), "ab")
        # Its own session: a Ctrl-C on the test reaches the test, which then kills etcd itself.
        self.procs[i] = subprocess.Popen(args, stdout=self._outputs[i], stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)

    def running(self, i):
        return self.procs[i] is not None and self.procs[i].poll() is None

    def stop(self, i, timeout=10):
        """SIGTERM to member i, waits for it to exit (SIGKILL after `timeout`)."""
        self._end(i, signal.SIGTERM, timeout)

    def kill(self, i):
        """SIGKILL to member i (a crash: no goodbye to its peers)."""
        self._end(i, signal.SIGKILL, 10)

    def _end(self, i, sig, timeout):
        proc = self.procs[i]
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def restart(self, i, wait=True, timeout=20):
        """Starts stopped member i again on its data directory (--initial-cluster-state
        existing); with `wait`, returns once it reports healthy (which needs a quorum)."""
        if self.running(i):
            raise AssertionError("etcd member %s is still running" % self.name(i))
        self._spawn(i, "existing")
        if wait:
            self.wait_healthy([i], timeout=timeout)

    def close(self):
        """Kills every member (SIGKILL: tests end fast) and closes the output files."""
        for i in range(self.count):
            if self.procs[i] is not None and self.procs[i].poll() is None:
                self.procs[i].kill()
                self.procs[i].wait()
            if self._outputs[i]:
                self._outputs[i].close()
                self._outputs[i] = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- health --

    def healthy(self, i, timeout=0.5):
        """Whether member i answers GET /health with health true (it has a leader)."""
        try:
            with _OPENER.open(self.endpoints[i] + "/health", timeout=timeout) as answer:
                return json.loads(answer.read()).get("health") == "true"
        except (OSError, ValueError):
            return False

    def wait_healthy(self, members=None, timeout=20):
        members = range(self.count) if members is None else members
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.healthy(i) for i in members):
                return
            for i in members:
                if self.procs[i] is not None and self.procs[i].poll() is not None:
                    raise AssertionError("etcd %s exited with %s:\n%s" % (
                        self.name(i), self.procs[i].returncode, self.log_tail(i)))
            time.sleep(0.05)
        raise AssertionError("etcd members %s not healthy after %ss:\n%s" % (
            [self.name(i) for i in members], timeout,
            "\n".join(self.log_tail(i, 1500) for i in members)))

    def log_tail(self, i, size=3000):
        try:
            with open(self.log_path(i), errors="replace") as f:
                return "--- %s ---\n%s" % (self.name(i), f.read()[-size:])
        except FileNotFoundError:
            return "--- %s: no log ---" % self.name(i)

    def leader(self):
        """The index of the member the running members call leader, or None."""
        for i in range(self.count):
            if not self.running(i):
                continue
            try:
                status = http_post_json(self.endpoints[i] + "/v3/maintenance/status", {}, 0.5)
                members = http_post_json(self.endpoints[i] + "/v3/cluster/member/list", {}, 0.5)
            except (OSError, EtcdError):
                continue
            for member in members.get("members", []):
                if member.get("ID") == status.get("leader"):
                    return int(member["name"][1:]) - 1
        return None

    # -- key-value helpers --

    def call(self, path, body, endpoint=None, timeout=1.0):
        """POSTs body to path ("/v3/kv/put") on `endpoint`, or on each running member in turn
        until one answers. Raises EtcdError naming every failed try."""
        targets = [endpoint] if endpoint else [self.endpoints[i] for i in range(self.count) if self.running(i)]
        failures = []
        for url in targets:
            try:
                return http_post_json(url + path, body, timeout)
            except EtcdError as e:
                failures.append("%s: %s" % (url, e))
            except (OSError, ValueError) as e:  # refused, reset, timed out, garbled
                failures.append("%s: %s" % (url, e if str(e) else type(e).__name__))
        raise EtcdError("%s failed on every member (%s)" % (path, "; ".join(failures) or "none running"))

    def put(self, key, value, lease=None, **kw):
        """Returns the revision of the put."""
        body = {"key": _b64(key), "value": _b64(value)}
        if lease:
            body["lease"] = str(lease)
        return int(self.call("/v3/kv/put", body, **kw)["header"]["revision"])

    def get(self, key, **kw):
        """The value of key, or None."""
        kvs = self.call("/v3/kv/range", {"key": _b64(key)}, **kw).get("kvs", [])
        return _unb64(kvs[0].get("value", "")) if kvs else None

    def get_entry(self, key, **kw):
        """The whole entry of key (value, lease, create_revision, ...; decoded), or None."""
        kvs = self.call("/v3/kv/range", {"key": _b64(key)}, **kw).get("kvs", [])
        if not kvs:
            return None
        entry = dict(kvs[0])
        entry["key"] = _unb64(entry["key"])
        entry["value"] = _unb64(entry.get("value", ""))
        return entry

    def get_prefix(self, prefix, **kw):
        """{key: value} for every key starting with prefix."""
        body = {"key": _b64(prefix), "range_end": _b64(_prefix_end(prefix))}
        return {_unb64(kv["key"]): _unb64(kv.get("value", ""))
                for kv in self.call("/v3/kv/range", body, **kw).get("kvs", [])}

    def delete(self, key, prefix=False, **kw):
        """Deletes key (or every key under it with prefix=True); returns how many went."""
        body = {"key": _b64(key)}
        if prefix:
            body["range_end"] = _b64(_prefix_end(key))
        return int(self.call("/v3/kv/deleterange", body, **kw).get("deleted", 0))

    def grant_lease(self, ttl, **kw):
        """A new lease's ID (a string: IDs exceed 2^53)."""
        return self.call("/v3/lease/grant", {"TTL": ttl}, **kw)["ID"]

    def revoke_lease(self, lease, **kw):
        self.call("/v3/lease/revoke", {"ID": str(lease)}, **kw)


# ---- NodeLink --------------------------------------------------------------------------------

class _Pipe:
    """One proxied connection: the client's socket, the upstream one, bytes in flight."""

    def __init__(self, client, upstream_address):
        self.client = client
        self.upstream_address = upstream_address
        self.upstream = None
        self.connecting = False
        self.to_upstream = b""
        self.to_client = b""
        self.client_eof = False     # the client sent FIN: pass it on once to_upstream is out
        self.upstream_eof = False
        self.masks = {}             # socket -> registered selector mask


class NodeLink:
    """A TCP proxy for one node's view of etcd: one loopback port per etcd member, each
    forwarding to that member. One thread runs every connection; cut()/heal() take effect
    before they return. close() (or the context manager) joins the thread and closes every
    socket.

    cut("reset"): live connections are reset (RST) and new ones refused, like a host whose
    network is down. cut("blackhole"): nothing is forwarded any more, like a partition:
    live connections stall (their bytes wait in kernel buffers) and new ones are accepted but
    never answered. cut("drop-to-client") / cut("drop-to-upstream"): a one-way partition:
    the bytes one way are read and thrown away, the other way flows (requests arrive, their
    answers never do; new connections are made, a simplification of TCP, whose handshake
    a one-way cut would stall). heal() forwards again, stalled connections included (what TCP
    retransmission does after a short partition); heal(drop_stalled=True) resets them
    instead.
    """

    def __init__(self, upstreams, name="link"):
        self.name = name
        self.upstreams = [self._address(u) for u in upstreams]
        self.mode = "open"  # "open" | "reset" | "blackhole" | "drop-to-client" | "drop-to-upstream"
        self._selector = selectors.DefaultSelector()
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._commands = queue.Queue()
        self._pipes = set()
        self._owner = {}  # socket -> _Pipe
        # A bound, never-listening socket per port keeps the port ours while cut("reset")
        # closes the listener (so connections are refused, not reset).
        self._holds = []
        self._listeners = []
        self.ports = []
        try:
            for _ in self.upstreams:
                hold = self._port_socket(0)
                self._holds.append(hold)
                self.ports.append(hold.getsockname()[1])
            self._listeners = [None] * len(self.ports)
            self._listen_all()
        except BaseException:
            for s in self._holds:
                s.close()
            self._selector.close()
            self._wake_read.close()
            self._wake_write.close()
            raise
        self._selector.register(self._wake_read, selectors.EVENT_READ, ("wake", None))
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="NodeLink-" + name, daemon=True)
        self._thread.start()

    @staticmethod
    def _address(upstream):
        if isinstance(upstream, tuple):
            return upstream
        text = upstream[7:] if upstream.startswith("http://") else upstream
        host, port = text.rstrip("/").rsplit(":", 1)
        return host, int(port)

    @staticmethod
    def _port_socket(port):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind(("127.0.0.1", port))
        return s

    @property
    def endpoints(self):
        """The proxied client URLs, in the order of the upstreams given."""
        return ["http://127.0.0.1:%d" % p for p in self.ports]

    @property
    def etcd_setting(self):
        """The value for [cluster] etcd =."""
        return ",".join(self.endpoints)

    # -- the caller's side: commands run on the proxy thread, cut()/heal() wait for them --

    def cut(self, mode="reset"):
        if mode not in ("reset", "blackhole", "drop-to-client", "drop-to-upstream"):
            raise ValueError("cut mode is 'reset', 'blackhole', 'drop-to-client' or 'drop-to-upstream', not %r" % mode)
        self._do(lambda: self._apply_cut(mode))

    def heal(self, drop_stalled=False):
        self._do(lambda: self._apply_heal(drop_stalled))

    def connection_count(self):
        """Connections the proxy holds right now (stalled ones included)."""
        result = []
        self._do(lambda: result.append(len(self._pipes)))
        return result[0]

    def close(self):
        if self._closed:
            return
        self._closed = True
        if self._thread.is_alive():
            self._commands.put((None, None))
            self._wake()
            self._thread.join(10)
        for s in self._holds:
            s.close()
        self._wake_write.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _do(self, command):
        if self._closed:
            raise RuntimeError("NodeLink %s is closed" % self.name)
        done = threading.Event()
        self._commands.put((command, done))
        self._wake()
        if not done.wait(10):
            raise RuntimeError("NodeLink %s did not answer" % self.name)

    def _wake(self):
        try:
            self._wake_write.send(b"x")
        except OSError:
            pass

    # -- the proxy thread --

    def _listen_all(self):
        for i, port in enumerate(self.ports):
            if self._listeners[i] is None:
                listener = self._port_socket(port)
                listener.listen(64)
                listener.setblocking(False)
                self._listeners[i] = listener
                self._selector.register(listener, selectors.EVENT_READ, ("accept", i))

    def _unlisten_all(self):
        for i, listener in enumerate(self._listeners):
            if listener is not None:
                self._selector.unregister(listener)
                listener.close()
                self._listeners[i] = None

    def _apply_cut(self, mode):
        self.mode = mode
        if mode == "reset":
            self._unlisten_all()
            for pipe in list(self._pipes):
                self._close_pipe(pipe, reset=True)
        else:
            self._listen_all()  # after a reset: accepted from now on (held by a blackhole)
            for pipe in list(self._pipes):
                if pipe.upstream is None and self._flowing():
                    self._connect_upstream(pipe)  # held by a blackhole before
                else:
                    self._update(pipe)

    def _apply_heal(self, drop_stalled):
        previous, self.mode = self.mode, "open"
        self._listen_all()
        for pipe in list(self._pipes):
            if drop_stalled and previous == "blackhole":
                self._close_pipe(pipe, reset=True)
            elif pipe.upstream is None:
                self._connect_upstream(pipe)
            else:
                if previous.startswith("drop-") and not pipe.connecting:
                    self._deliver_lost_eofs(pipe)  # TCP retransmits a FIN the cut lost
                if pipe in self._pipes:
                    self._update(pipe)

    def _deliver_lost_eofs(self, pipe):
        try:
            if pipe.client_eof and not pipe.to_upstream:
                pipe.upstream.shutdown(socket.SHUT_WR)
            if pipe.upstream_eof and not pipe.to_client:
                pipe.client.shutdown(socket.SHUT_WR)
        except OSError:
            self._close_pipe(pipe, reset=True)
            return
        if pipe.client_eof and pipe.upstream_eof:
            self._close_pipe(pipe)

    def _run(self):
        try:
            while True:
                for key, events in self._selector.select(timeout=1.0):
                    kind, data = key.data
                    if kind == "wake":
                        try:
                            while self._wake_read.recv(4096):
                                pass
                        except BlockingIOError:
                            pass
                    elif kind == "accept":
                        self._accept(data)
                    else:
                        self._on_ready(data, key.fileobj, events)
                while True:
                    try:
                        command, done = self._commands.get_nowait()
                    except queue.Empty:
                        break
                    if command is None:
                        return
                    try:
                        command()
                    finally:
                        done.set()
        finally:
            for pipe in list(self._pipes):
                self._close_pipe(pipe, reset=True)
            self._unlisten_all()
            self._selector.close()
            self._wake_read.close()

    def _accept(self, index):
        listener = self._listeners[index]
        if listener is None:
            return
        try:
            client, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        client.setblocking(False)
        pipe = _Pipe(client, self.upstreams[index])
        self._pipes.add(pipe)
        self._owner[client] = pipe
        if self._flowing():
            self._connect_upstream(pipe)
        else:
            self._update(pipe)  # blackhole: held, never answered until heal()

    def _connect_upstream(self, pipe):
        upstream = socket.socket()
        upstream.setblocking(False)
        pipe.upstream = upstream
        pipe.connecting = True
        self._owner[upstream] = pipe
        error = upstream.connect_ex(pipe.upstream_address)
        if error not in (0, errno.EINPROGRESS):
            self._close_pipe(pipe, reset=True)  # the member is down: the client sees a reset
            return
        self._update(pipe)

    def _flowing(self):
        return self.mode in ("open", "drop-to-client", "drop-to-upstream")

    def _dropping(self, outgoing):
        """Whether bytes bound for `outgoing` ("to_client", "to_upstream") are thrown away."""
        return self.mode == "drop-" + outgoing.replace("_", "-")

    def _update(self, pipe):
        """Registers each socket for what it can do now; stalled pipes wait for nothing."""
        flowing = self._flowing()
        client_mask = upstream_mask = 0
        if flowing and pipe.upstream is not None:
            if pipe.connecting:
                upstream_mask = selectors.EVENT_WRITE
            else:
                if not pipe.client_eof and not pipe.to_upstream:
                    client_mask |= selectors.EVENT_READ
                if pipe.to_client:
                    client_mask |= selectors.EVENT_WRITE
                if not pipe.upstream_eof and not pipe.to_client:
                    upstream_mask |= selectors.EVENT_READ
                if pipe.to_upstream:
                    upstream_mask |= selectors.EVENT_WRITE
        self._register(pipe, pipe.client, client_mask)
        if pipe.upstream is not None:
            self._register(pipe, pipe.upstream, upstream_mask)

    def _register(self, pipe, sock, mask):
        old = pipe.masks.get(sock, 0)
        if mask == old:
            return
        if old and mask:
            self._selector.modify(sock, mask, ("pipe", pipe))
        elif mask:
            self._selector.register(sock, mask, ("pipe", pipe))
        else:
            self._selector.unregister(sock)
        pipe.masks[sock] = mask

    def _on_ready(self, pipe, sock, events):
        if pipe not in self._pipes:
            return
        try:
            if pipe.connecting:
                error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if error:
                    self._close_pipe(pipe, reset=True)
                    return
                pipe.connecting = False
            elif sock is pipe.client:
                self._move(pipe, events, pipe.client, pipe.upstream, "to_upstream", "to_client", "client_eof")
            else:
                self._move(pipe, events, pipe.upstream, pipe.client, "to_client", "to_upstream", "upstream_eof")
        except OSError:
            self._close_pipe(pipe, reset=True)
            return
        if pipe in self._pipes:
            if pipe.client_eof and pipe.upstream_eof and not pipe.to_client and not pipe.to_upstream:
                self._close_pipe(pipe)
            else:
                self._update(pipe)

    def _move(self, pipe, events, source, target, outgoing, incoming, eof_flag):
        """Reads from `source` into the buffer bound for `target`; writes `source`'s own
        pending bytes (the `incoming` buffer) when it is writable."""
        if events & selectors.EVENT_WRITE and getattr(pipe, incoming):
            data = getattr(pipe, incoming)
            sent = source.send(data)
            setattr(pipe, incoming, data[sent:])
            other_eof = "upstream_eof" if eof_flag == "client_eof" else "client_eof"
            if not getattr(pipe, incoming) and getattr(pipe, other_eof):
                source.shutdown(socket.SHUT_WR)
        if events & selectors.EVENT_READ:
            data = source.recv(65536)
            if not data:
                setattr(pipe, eof_flag, True)
                if not getattr(pipe, outgoing) and not self._dropping(outgoing):  # a one-way cut loses the FIN too
                    target.shutdown(socket.SHUT_WR)
                return
            if self._dropping(outgoing):
                return  # a one-way cut: read, never delivered
            sent = 0
            try:
                sent = target.send(data)
            except BlockingIOError:
                pass
            setattr(pipe, outgoing, data[sent:])

    def _close_pipe(self, pipe, reset=False):
        self._pipes.discard(pipe)
        for sock in (pipe.client, pipe.upstream):
            if sock is None:
                continue
            if pipe.masks.get(sock):
                self._selector.unregister(sock)
            self._owner.pop(sock, None)
            if reset:
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
            sock.close()
        pipe.masks.clear()


# ---- Timeline --------------------------------------------------------------------------------

Event = collections.namedtuple("Event", "time node event detail")

# A node is primary from its "primary" line until the next of these.
ROLE_ENDS = ("replica", "stopped", "killed", "fenced", "crashed")
ROLE_EVENTS = ("primary",) + ROLE_ENDS


class Timeline:
    """The shared role log: lines "<monotonic seconds> <node> <event> [detail]" appended by
    role_program.py, role_hook.py and the test (mark()). Stamps are CLOCK_MONOTONIC, which is
    machine-wide on Linux, so lines from every process compare. Reads the file afresh on
    every call; events with equal stamps keep file order."""

    def __init__(self, path):
        self.path = path
        open(path, "a").close()

    def mark(self, node, event, detail=""):
        """Appends a line of the test's own (e.g. mark("n1", "killed"))."""
        append_event(self.path, node, event, detail)

    def events(self):
        result = []
        with open(self.path, errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split(" ", 3)
                if len(parts) < 3:
                    continue
                try:
                    stamp = float(parts[0])
                except ValueError:
                    continue
                result.append(Event(stamp, parts[1], parts[2], parts[3] if len(parts) > 3 else ""))
        result.sort(key=lambda e: e.time)  # stable: file order among equal stamps
        return result

    def role_changes(self, node):
        """[(time, event, detail)] of node's role lines (primary, replica, stopped, ...)."""
        return [(e.time, e.event, e.detail) for e in self.events() if e.node == node and e.event in ROLE_EVENTS]

    def primary_intervals(self, events=None):
        """{node: [(start, end)]}: when each node was primary; end is None while it still is."""
        intervals = collections.defaultdict(list)
        since = {}
        for e in self.events() if events is None else events:
            if e.event == "primary" and e.node not in since:
                since[e.node] = e.time
            elif e.event in ROLE_ENDS and e.node in since:
                intervals[e.node].append((since.pop(e.node), e.time))
        for node, start in since.items():
            intervals[node].append((start, None))
        return dict(intervals)

    def primaries_at_any_time(self):
        """The replay: [(time, (primaries...))] after every role change, in time order."""
        current = set()
        result = []
        for e in self.events():
            if e.event == "primary":
                current.add(e.node)
            elif e.event in ROLE_ENDS:
                current.discard(e.node)
            else:
                continue
            result.append((e.time, tuple(sorted(current))))
        return result

    def overlaps(self):
        """[((node_a, start, end), (node_b, start, end))] for every pair of primary intervals
        of different nodes that share a moment (touching ends do not count)."""
        intervals = self.primary_intervals()
        flat = sorted((start, float("inf") if end is None else end, node)
                      for node, spans in intervals.items() for start, end in spans)
        found = []
        for i, (start_a, end_a, node_a) in enumerate(flat):
            for start_b, end_b, node_b in flat[i + 1:]:
                if start_b >= end_a:
                    break
                if node_a != node_b:
                    found.append(((node_a, start_a, end_a), (node_b, start_b, end_b)))
        return found

    def current_primaries(self):
        return sorted(node for node, spans in self.primary_intervals().items() if spans[-1][1] is None)

    def current_primary(self):
        """The node that is primary now, or None; fails when two are."""
        primaries = self.current_primaries()
        if len(primaries) > 1:
            raise AssertionError("%d primaries at once: %s\n%s" % (len(primaries), primaries, self.dump()))
        return primaries[0] if primaries else None

    def wait_for_primary(self, node=None, timeout=30):
        """Waits until exactly one node is primary (`node`, if given); returns it."""
        deadline = time.monotonic() + timeout
        while True:
            primaries = self.current_primaries()
            if len(primaries) == 1 and (node is None or primaries[0] == node):
                return primaries[0]
            if time.monotonic() >= deadline:
                raise AssertionError("no single primary%s after %ss (primaries now: %s)\n%s" % (
                    "" if node is None else " " + node, timeout, primaries or "none", self.dump()))
            time.sleep(0.05)

    def wait_for(self, node, event, detail=None, after=None, timeout=30):
        """Waits for a line of node with this event (and detail prefix), stamped after
        `after` (a monotonic time); returns the Event."""
        deadline = time.monotonic() + timeout
        while True:
            for e in self.events():
                if (e.node == node and e.event == event and (after is None or e.time > after)
                        and (detail is None or e.detail.startswith(detail))):
                    return e
            if time.monotonic() >= deadline:
                raise AssertionError("timeline never showed '%s %s%s'%s after %ss\n%s" % (
                    node, event, "" if detail is None else " " + detail,
                    "" if after is None else " after %.3f" % after, timeout, self.dump()))
            time.sleep(0.05)

    def assert_never_two_primaries(self):
        found = self.overlaps()
        if not found:
            return
        lines = ["two primaries at once, %d overlap(s):" % len(found)]
        origin = self._origin()
        for (node_a, start_a, end_a), (node_b, start_b, end_b) in found:
            lines.append("  %s primary %s  overlaps  %s primary %s  (both for %.3fs)" % (
                node_a, self._span(start_a, end_a, origin), node_b, self._span(start_b, end_b, origin),
                min(end_a, end_b, time.monotonic()) - max(start_a, start_b)))
        raise AssertionError("\n".join(lines) + "\n" + self.dump())

    def _origin(self):
        events = self.events()
        return events[0].time if events else 0.0

    @staticmethod
    def _span(start, end, origin):
        return "[+%.3fs, %s)" % (start - origin, "now" if end == float("inf") else "+%.3fs" % (end - origin))

    def dump(self, last=80):
        """The timeline, times relative to its first line (the last `last` lines)."""
        events = self.events()
        if not events:
            return "(timeline empty)"
        origin = events[0].time
        shown = events[-last:]
        head = ["timeline %s (+seconds since %.3f)%s:" % (
            self.path, origin, "" if len(shown) == len(events) else ", last %d of %d" % (len(shown), len(events)))]
        return "\n".join(head + [("  +%8.3f %-4s %s %s" % (e.time - origin, e.node, e.event, e.detail)).rstrip()
                                 for e in shown])


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
        global _distinct_free_ports
        fresh, taken = _distinct_free_ports, [busy.getsockname()[1]]

        def first_port_taken(count):
            return [taken.pop()] + fresh(count - 1) if taken else fresh(count)
        _distinct_free_ports = first_port_taken
        try:
            with EtcdCluster(os.path.join(tmp, "single"), members=1) as single:
                single.put("/a", "b")
        finally:
            _distinct_free_ports = fresh
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

                link.cut("drop-to-client")
                expect_failure("a put through a one-way cut", lambda: proxied(
                    "/v3/kv/put", {"key": _b64("/oneway"), "value": _b64("arrived")}, endpoint=link.endpoints[0],
                    timeout=1))
                assert etcd.get("/oneway") == "arrived"
                step("cut(drop-to-client): the put arrives, its answer never does")
                link.cut("drop-to-upstream")
                expect_failure("a put the other way", lambda: proxied(
                    "/v3/kv/put", {"key": _b64("/oneway"), "value": _b64("lost")}, endpoint=link.endpoints[0],
                    timeout=1))
                assert etcd.get("/oneway") == "arrived"
                step("cut(drop-to-upstream): the put never arrives")
                link.heal()

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
