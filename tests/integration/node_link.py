"""NodeLink: a TCP proxy between one node and what it talks to (etcd, another node's
database), which a test cuts and heals: both ways (reset, blackhole) or one way. One
thread runs every connection. Part of cluster_harness.py's pieces."""
import errno
import queue
import selectors
import socket
import struct
import threading


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
    never answered. cut("hold-to-client") / cut("hold-to-upstream"): a one-way partition:
    the bytes one way are held (not read: they wait in kernel buffers, and the sender blocks
    once those are full, as TCP does while its packets are lost and retransmitted), the other
    way flows (requests arrive, their answers do not; new connections are made, a
    simplification of TCP, whose handshake a one-way cut would stall). Never are bytes of
    a live connection thrown away while it goes on: no network does that to TCP, and a
    replication stream with a hole in it silently skips transactions. heal() forwards again,
    stalled and held connections included (what TCP retransmission does after a short
    partition); heal(drop_stalled=True) resets the stalled ones instead.
    """

    def __init__(self, upstreams, name="link"):
        self.name = name
        self.upstreams = [self._address(u) for u in upstreams]
        self.mode = "open"  # "open" | "reset" | "blackhole" | "hold-to-client" | "hold-to-upstream"
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
        if mode not in ("reset", "blackhole", "hold-to-client", "hold-to-upstream"):
            raise ValueError("cut mode is 'reset', 'blackhole', 'hold-to-client' or 'hold-to-upstream', not %r" % mode)
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
                self._update(pipe)

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
        return self.mode in ("open", "hold-to-client", "hold-to-upstream")

    def _holding(self, outgoing):
        """Whether bytes bound for `outgoing` ("to_client", "to_upstream") are held by a one-way cut."""
        return self.mode == "hold-" + outgoing.replace("_", "-")

    def _update(self, pipe):
        """Registers each socket for what it can do now; stalled pipes wait for nothing."""
        flowing = self._flowing()
        client_mask = upstream_mask = 0
        if flowing and pipe.upstream is not None:
            if pipe.connecting:
                upstream_mask = selectors.EVENT_WRITE
            else:
                to_upstream = not self._holding("to_upstream")
                to_client = not self._holding("to_client")
                if to_upstream and not pipe.client_eof and not pipe.to_upstream:
                    client_mask |= selectors.EVENT_READ
                if to_client and pipe.to_client:
                    client_mask |= selectors.EVENT_WRITE
                if to_client and not pipe.upstream_eof and not pipe.to_client:
                    upstream_mask |= selectors.EVENT_READ
                if to_upstream and pipe.to_upstream:
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
                if not getattr(pipe, outgoing):
                    target.shutdown(socket.SHUT_WR)
                return
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
