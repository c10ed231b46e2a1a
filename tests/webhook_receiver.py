# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Real servers on the loopback that play webhook receivers.

``WebhookReceiver`` is a healthy HTTP server that records what it receives;
``RawReceiver`` is a TCP server that misbehaves the way it is told (silent,
trickling, huge answers) and records what it managed to send. Used by
tests/, tests_live/, tests_standalone/ and bench/ (plain Python, no Odoo).
"""

import http.server
import socket
import threading
import time


class WebhookReceiver:
    """Start with ``with WebhookReceiver() as receiver:``; ``receiver.url``.

    ``statuses``: the status codes to answer, in turn (the last one repeats);
    ``hang``: seconds to wait before answering (a slow partner); ``host``
    and ``port``: where to listen (port 0: a free one); ``hold_first``: the
    first ``hold_first`` requests are read and recorded, then held open and
    never answered until the client goes away (a sender that dies during
    the call).

    Each of ``requests`` records ``status`` (what was answered, None for a
    held request) and, for a held request, ``released_at`` (when the
    client closed the connection, or the receiver stopped)."""

    def __init__(self, statuses=(200,), hang=0, host="127.0.0.1", port=0, hold_first=0):
        self.statuses = list(statuses)
        self.hang = hang
        self.hold_first = hold_first
        self.requests = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._received = threading.Condition(self._lock)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    index = len(receiver.requests)
                    held = index < receiver.hold_first
                    status = receiver.statuses[min(index, len(receiver.statuses) - 1)]
                    record = {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "received_at": time.monotonic(),
                        "status": None if held else status,
                        "released_at": None,
                    }
                    receiver.requests.append(record)
                    receiver._received.notify_all()
                if held:
                    self._hold(record)
                    return
                if receiver.hang:
                    time.sleep(receiver.hang)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"nope")

            def _hold(self, record):
                self.close_connection = True
                self.connection.settimeout(0.2)
                while not receiver._stopping.is_set():
                    try:
                        if self.connection.recv(1) == b"":
                            break  # the client went away
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                with receiver._lock:
                    record["released_at"] = time.monotonic()
                    receiver._received.notify_all()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://{host}:{self.port}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._received.wait(left)
            return list(self.requests)

    def wait_released(self, index, timeout=10):
        """The held request ``index`` once the client let it go (or at the
        timeout): its ``released_at`` says which."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.requests[index]["released_at"] is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._received.wait(left)
            return dict(self.requests[index])


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens."""
    server = http.server.HTTPServer(
        ("127.0.0.1", 0), http.server.BaseHTTPRequestHandler
    )
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/hook"


class RawReceiver:
    """A TCP server on ``host`` answering every connection as ``behaviour``
    says; start with ``with RawReceiver("silent") as receiver:``.

    * ``"silent"``: reads the request, then says nothing until the client
      goes away;
    * ``"trickle"``: status line and headers announcing ``length`` bytes,
      then one body byte every ``interval`` seconds;
    * ``"trickle_head"``: the status line and headers themselves, one byte
      every ``interval`` seconds;
    * ``"hang_up"``: reads the request and closes the connection;
    * ``"huge"``: ``200`` and a body of ``size`` bytes, as fast as the
      client takes them (small send buffer: what it sent is what the client
      read, give or take the kernel's buffers);
    * ``"huge_headers"``: a status line, then header lines up to ``size``
      bytes.

    ``connections``: one dict per connection: ``accepted_at``, ``request``
    (the bytes of the request), ``sent`` (bytes the client's side took),
    ``reset`` (the client closed it first), ``closed_at``."""

    def __init__(
        self,
        behaviour,
        host="127.0.0.1",
        port=0,
        interval=2.0,
        length=30,
        size=50 * 1024 * 1024,
        status=200,
    ):
        self.behaviour = behaviour
        self.interval = interval
        self.length = length
        self.size = size
        self.status = status
        self.connections = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}/hook"
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.sock.close()
        self._thread.join(5)

    def wait_closed(self, count, timeout=30):
        """The connections, once ``count`` of them are closed (or at the
        timeout)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while sum(1 for c in self.connections if c["closed_at"]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return [dict(c) for c in self.connections]

    def _accept_loop(self):
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _address = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            record = {
                "accepted_at": time.monotonic(),
                "request": b"",
                "sent": 0,
                "reset": False,
                "closed_at": None,
            }
            with self._lock:
                self.connections.append(record)
                self._changed.notify_all()
            threading.Thread(
                target=self._serve, args=(conn, record), daemon=True
            ).start()

    def _serve(self, conn, record):
        try:
            conn.settimeout(10)
            record["request"] = _read_request(conn)
            getattr(self, f"_{self.behaviour}")(conn, record)
        except OSError:
            record["reset"] = True
        finally:
            conn.close()
            with self._lock:
                record["closed_at"] = time.monotonic()
                self._changed.notify_all()

    def _head(self, length):
        return (
            f"HTTP/1.1 {self.status} Whatever\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {length}\r\n\r\n"
        ).encode()

    def _silent(self, conn, record):
        conn.settimeout(0.2)
        while not self._stop.is_set():
            try:
                if conn.recv(1) == b"":
                    record["reset"] = True  # the client gave up
                    return
            except TimeoutError:
                continue

    def _hang_up(self, conn, record):
        pass

    def _trickle(self, conn, record):
        conn.sendall(self._head(self.length))
        for _byte in range(self.length):
            if self._stop.wait(self.interval):
                return
            conn.sendall(b"x")
            record["sent"] += 1

    def _trickle_head(self, conn, record):
        for byte in self._head(self.length):
            if self._stop.wait(self.interval):
                return
            conn.sendall(bytes([byte]))
            record["sent"] += 1

    def _send_counted(self, conn, record, data):
        view = memoryview(data)
        while view and not self._stop.is_set():
            sent = conn.send(view)
            record["sent"] += sent
            view = view[sent:]

    def _huge(self, conn, record):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        conn.settimeout(30)
        conn.sendall(self._head(self.size))
        chunk = b"x" * 65536
        while record["sent"] < self.size and not self._stop.is_set():
            self._send_counted(conn, record, chunk)

    def _huge_headers(self, conn, record):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        conn.settimeout(30)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        line = b"X-Filler: " + b"y" * 1000 + b"\r\n"
        while record["sent"] < self.size and not self._stop.is_set():
            self._send_counted(conn, record, line)


def _read_request(conn):
    """The request's head and body (by its Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _colon, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def same_port_receivers(first, second, attempts=20):
    """Two receivers on one port of two loopback addresses: ``first`` and
    ``second`` are factories ``port -> receiver`` (the first gets 0)."""
    for _attempt in range(attempts):
        one = first(0)
        try:
            return one, second(one.port)
        except OSError:  # that port is taken on the other address: again
            _close(one)
    raise RuntimeError("no port free on both addresses")


def _close(receiver):
    server = getattr(receiver, "server", None)
    if server is not None:
        server.server_close()
    else:
        receiver.sock.close()
