"""Two XML-RPC clients over supervisord's unix socket, both keeping one connection alive.

server_proxy(path): python3's xmlrpc.client.ServerProxy with a unix-socket transport (what most
automation uses; it parses every response into Python values).
RawClient(path): sends a pre-encoded HTTP/1.1 POST and reads exactly one response (Content-Length
or chunked), checking only the status line and that it is not a fault: the cheapest client
Python can be, so the daemon, not the client, sets the pace.
Connection problems raise OSError; faults raise xmlrpc.client.Fault / RawFault.
"""
import http.client
import socket
import xmlrpc.client


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


class _UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path, timeout):
        super().__init__()
        self._path = path
        self._timeout = timeout

    def make_connection(self, host):
        # Transport caches one connection and reuses it while the server keeps it alive.
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        self._connection = host, _UnixConnection(self._path, self._timeout)
        return self._connection[1]


def server_proxy(socket_path, timeout=60):
    return xmlrpc.client.ServerProxy("http://localhost/RPC2",
                                     transport=_UnixTransport(socket_path, timeout))


class RawFault(Exception):
    pass


def encode_request(method, params=()):
    body = xmlrpc.client.dumps(tuple(params), method).encode()
    head = ("POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\n"
            "Content-Length: %d\r\n\r\n" % len(body)).encode()
    return head + body


class RawClient:
    def __init__(self, socket_path, timeout=60):
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(timeout)
        self._sock.connect(socket_path)
        self._buffer = b""

    def close(self):
        self._sock.close()

    def call(self, request):
        """Sends one encoded request (encode_request) and returns the response body."""
        self._sock.sendall(request)
        head = self._read_until(b"\r\n\r\n")
        status_line, _, header_text = head.partition(b"\r\n")
        if not status_line.startswith(b"HTTP/1.") or status_line.split()[1] != b"200":
            raise RawFault("HTTP status: %r" % status_line)
        headers = {}
        for line in header_text.split(b"\r\n"):
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if b"content-length" in headers:
            body = self._read_exactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            body = self._read_chunked()
        else:
            raise RawFault("response has neither Content-Length nor chunked encoding")
        if b"<fault>" in body:
            raise RawFault(body[:300].decode(errors="replace"))
        return body

    def _fill(self):
        chunk = self._sock.recv(262144)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self._buffer += chunk

    def _read_until(self, marker):
        while True:
            index = self._buffer.find(marker)
            if index >= 0:
                head = self._buffer[:index]
                self._buffer = self._buffer[index + len(marker):]
                return head
            self._fill()

    def _read_exactly(self, count):
        while len(self._buffer) < count:
            self._fill()
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def _read_chunked(self):
        parts = []
        while True:
            size = int(self._read_until(b"\r\n").split(b";")[0], 16)
            if size == 0:
                self._read_until(b"\r\n")
                return b"".join(parts)
            parts.append(self._read_exactly(size))
            self._read_exactly(2)
