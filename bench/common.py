# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shared pieces of the benchmark: Odoo in this process, servers, statistics.

Nothing here is imported by the addon; the benchmark runs from ``bench/run.sh``.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from odoo_server import OdooServer, free_port  # noqa: E402
from storm import percentile  # noqa: E402  (one percentile for bench and storm)

BENCH_DIR = Path(__file__).resolve().parent
ODOO_SRC = Path(os.environ.get("ODOO_SRC") or Path.home() / "odoo-18.0")
STATE = Path(os.environ.get("BENCH_STATE") or "/tmp/partner_order_api_bench")
CONF = STATE / "odoo.conf"
LOGS = STATE / "logs"
API = "/partner_order_api"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------
# Odoo in this process (through its registry, like tests_live/conftest.py)
# ----------------------------------------------------------------------------
_odoo = None


def odoo():
    """The ``odoo`` package, configured from the bench's odoo.conf."""
    global _odoo
    if _odoo is None:
        if str(ODOO_SRC) not in sys.path:
            sys.path.insert(0, str(ODOO_SRC))
        import odoo as odoo_pkg  # noqa: PLC0415

        odoo_pkg.tools.config.parse_config(["-c", str(CONF), "--log-level=warn"])
        _odoo = odoo_pkg
    return _odoo


def registry(db):
    odoo()
    from odoo.modules.registry import Registry  # noqa: PLC0415

    return Registry(db)


def env(cr, uid=None, context=None):
    o = odoo()
    return o.api.Environment(cr, o.SUPERUSER_ID if uid is None else uid, context or {})


# ----------------------------------------------------------------------------
# Servers: odoo-bin --workers on 127.0.0.1
# ----------------------------------------------------------------------------
class Server(OdooServer):
    """The benchmark's server: the werkzeug access log (INFO) carries each
    request's SQL query count (Odoo's PerfFilter).

    ``port``: the HTTP port (None: a free one); the evented (gevent) process
    that ``--workers`` starts listens on ``port + 1`` then, instead of
    Odoo's fixed default 8072, which two servers cannot share."""

    def __init__(self, db, workers=2, name=None, port=None):
        super().__init__(
            ODOO_SRC,
            CONF,
            db,
            LOGS / f"server-{name or db}.log",
            workers=workers,
            args=(
                # the access log (werkzeug, INFO) has the per-request query count
                "--log-level=warn",
                "--log-handler=werkzeug:INFO",
                "--limit-time-real=600",
                "--limit-time-cpu=600",
            ),
        )
        if port:
            self.port = port
            self.url = f"http://127.0.0.1:{port}"
            self.cmd = [
                f"--http-port={port}" if arg.startswith("--http-port=") else arg
                for arg in self.cmd
            ]
        self.cmd.append(f"--gevent-port={port + 1 if port else free_port()}")

    def start(self, timeout=120):
        LOGS.mkdir(parents=True, exist_ok=True)
        if self.log.exists():
            self.log.unlink()
        return super().start(timeout)

    def processes(self):
        """The master and all its children (HTTP workers, cron worker)."""
        master = psutil.Process(self.process.pid)
        return [master, *master.children(recursive=True)]

    def rss(self):
        """(RSS of all processes, RSS of the HTTP workers) in bytes. The HTTP
        workers are the children that keep the listening socket (the cron
        worker closes it)."""
        total = workers = 0
        master = self.process.pid
        for proc in self.processes():
            try:
                rss = proc.memory_info().rss
                listening = any(
                    c.status == psutil.CONN_LISTEN and c.laddr.port == self.port
                    for c in getattr(proc, "net_connections", proc.connections)(
                        kind="tcp"
                    )
                )
            except psutil.Error:
                continue
            total += rss
            if proc.pid != master and listening:
                workers += rss
        return total, workers

    def log_size(self):
        return self.log.stat().st_size if self.log.exists() else 0

    def access_lines(self, since=0, until=None):
        """Access-log lines between byte offsets: (method, path+query,
        status, query count)."""
        lines = []
        with open(self.log, "rb") as fh:
            fh.seek(since)
            data = fh.read() if until is None else fh.read(max(0, until - since))
            for raw in data.decode(errors="replace").splitlines():
                if " werkzeug: " not in raw or '"' not in raw:
                    continue
                try:
                    request_line = raw.split('"')[1]
                    method, target, _proto = request_line.split(" ")
                    tail = raw.split('"')[2].split()
                    status, queries = int(tail[0]), tail[2]
                except (IndexError, ValueError):
                    continue
                lines.append(
                    (
                        method,
                        target,
                        status,
                        int(queries) if queries.isdigit() else None,
                    )
                )
        return lines

    def problems(self):
        """Lines of the server's log that fail the run: a WARNING, ERROR or
        CRITICAL record, or a traceback, from its start to its stop."""
        return self.log_lines(" WARNING ", " ERROR ", " CRITICAL ", "Traceback")


# ----------------------------------------------------------------------------
# Statistics
# ----------------------------------------------------------------------------
def summary(values):
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "mean": statistics.fmean(values) if values else float("nan"),
    }


def timed(func):
    """(seconds, result) of ``func()``."""
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def interleave(funcs, rounds, warmup, rng, after_round=None, before=None):
    """Run every ``funcs[name]()`` once per round, side by side (so that load
    drifts hit all series alike), in an order ``rng`` shuffles anew each
    round (no series always runs first, on caches another one warmed);
    return {name: [seconds]} of the rounds after ``warmup``.

    ``after_round(index)`` runs after each round, untimed; ``before[name]()``
    before each request of the series ``name``, untimed."""
    times = {name: [] for name in funcs}
    names = list(funcs)
    for index in range(warmup + rounds):
        order = names[:]
        rng.shuffle(order)
        for name in order:
            if before and name in before:
                before[name]()
            seconds, _result = timed(funcs[name])
            if index >= warmup:
                times[name].append(seconds)
        if after_round:
            after_round(index)
    return times


def dumps(data):
    return json.dumps(data, indent=2, sort_keys=True, default=str)
