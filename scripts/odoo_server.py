# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``odoo-bin --workers=N`` on one database, for tests_live/ and bench/.

The server listens on 127.0.0.1 on a free port, runs in its own process
group (so that a kill takes its workers down with it, as a machine crash
would), and is ready once ``/web/health`` answers. Not part of the addon.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooServer:
    """``args`` are appended to the command line, ``env`` to the
    environment."""

    def __init__(self, src, conf, db, log, *, workers=2, args=(), env=None):
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(log)
        self.env = dict(env or {})
        self.cmd = [
            sys.executable,
            str(Path(src) / "odoo-bin"),
            "-c",
            str(conf),
            # the database by name, without --db-filter: a request without
            # a session (every bearer request) then needs no listing of the
            # databases (with a filter, Odoo connects to "postgres" and lists
            # them on each such request; see the README, "Performance")
            "-d",
            db,
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--workers={workers}",
            "--max-cron-threads=1",
            f"--logfile={self.log}",
            *args,
        ]
        self.process = None

    def start(self, timeout=120):
        self.process = subprocess.Popen(  # noqa: S603
            self.cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ, **self.env),
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"odoo-bin exited with {self.process.returncode}; see {self.log}"
                )
            try:
                if requests.get(f"{self.url}/web/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(
            f"odoo-bin did not answer /web/health within {timeout} s; see {self.log}"
        )

    def stop(self, kill=False):
        """Stop gracefully, or with ``kill`` SIGKILL the whole server (main
        process and workers)."""
        if not self.process or self.process.poll() is not None:
            return
        pgid = os.getpgid(self.process.pid)
        if kill:
            os.killpg(pgid, signal.SIGKILL)
        else:
            self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(10)
        # workers outlive their parent for a moment: wait until none is left
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        os.killpg(pgid, signal.SIGKILL)

    def log_lines(self, *marks):
        """The lines of the server's log holding one of ``marks``."""
        if not self.log.exists():
            return []
        return [
            line
            for line in self.log.read_text(errors="replace").splitlines()
            if any(mark in line for mark in marks)
        ]
