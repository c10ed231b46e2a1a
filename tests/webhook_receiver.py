# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A real HTTP server on 127.0.0.1 that records the webhooks it receives."""

import http.server
import threading
import time


class WebhookReceiver:
    """Start with ``with WebhookReceiver() as receiver:``; ``receiver.url``.

    ``statuses``: the status codes to answer, in turn (the last one repeats);
    ``hang``: seconds to wait before answering (a slow partner)."""

    def __init__(self, statuses=(200,), hang=0):
        self.statuses = list(statuses)
        self.hang = hang
        self.requests = []
        self._lock = threading.Lock()
        self._received = threading.Condition(self._lock)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    index = len(receiver.requests)
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                            "received_at": time.monotonic(),
                        }
                    )
                    status = receiver.statuses[min(index, len(receiver.statuses) - 1)]
                    receiver._received.notify_all()
                if receiver.hang:
                    time.sleep(receiver.hang)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"nope")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
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


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens."""
    server = http.server.HTTPServer(
        ("127.0.0.1", 0), http.server.BaseHTTPRequestHandler
    )
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/hook"
