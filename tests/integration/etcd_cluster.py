"""EtcdCluster: a real etcd cluster on loopback for the cluster tests (3 members by
default): start, stop, kill and restart members, and get/put/delete through etcd's JSON
gateway with the standard library (urllib). Part of cluster_harness.py's pieces."""
import base64
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request

from daemon_harness import free_port

ETCD = os.environ.get("ETCD_BIN", shutil.which("etcd") or "/usr/bin/etcd")


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
