# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tests against the real topology of scripts/cluster.sh: a PostgreSQL
primary and a streaming hot standby of their own (initdb, pg_basebackup -R,
``recovery_min_apply_delay`` = 1 s), and two ``odoo-bin --workers=2``
servers on the primary with the standby as their replica.

The session starts PostgreSQL and the database with ``scripts/cluster.sh
start`` (POA_CLUSTER_ODOO=0) and the two servers itself, with the helpers
of tests_live/ (``World`` makes partners, keys and the product through
Odoo's registry in this process, on the primary; ``Server`` runs
``odoo-bin``); ``scripts/cluster.sh clean`` removes everything at the end
(POA_CLUSTER_KEEP=1 leaves PostgreSQL running for the next run).

Needs ODOO_SRC (scripts/test.sh sets it); the ports are cluster.sh's
(POA_CLUSTER_PRIMARY_PORT, POA_CLUSTER_STANDBY_PORT); server logs go to
POA_CLUSTER_LOG_DIR (scripts/test.sh checks them for warnings).
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CLUSTER_SH = REPO / "scripts" / "cluster.sh"
DELAY = "1s"


def _load_live_conftest():
    """tests_live/conftest.py under a name of its own (this file is the
    ``conftest`` module here)."""
    spec = importlib.util.spec_from_file_location(
        "poa_tests_live_conftest", REPO / "tests_live" / "conftest.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


live = _load_live_conftest()
# what the tests here, and the tests_live/ modules they import
# (test_noisy_neighbour.py), take from ``conftest``; the helpers they share
# with tests_live/ (``_validate_delivery``, ...) come from its
# live_helpers.py, which imports no ``conftest``
World = live.World
api = live.api
order_body = live.order_body
_require_env = live._require_env
sys.path.insert(0, str(REPO / "tests_live"))
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "tests"))  # webhook_receiver
from odoo_server import free_port  # noqa: E402


class Server(live.Server):
    """tests_live's server, with a longpolling port of its own (two servers
    run side by side) and its log in POA_CLUSTER_LOG_DIR."""

    def __init__(self, conf, db, src, workers=2, extra=()):
        super().__init__(
            conf,
            db,
            src,
            workers=workers,
            extra=(f"--gevent-port={free_port()}", *extra),
        )
        log_dir = Path(os.environ.get("POA_CLUSTER_LOG_DIR", "/tmp"))
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log = log_dir / f"poa-cluster-{db}-{self.port}-{time.time_ns()}.log"
        self.cmd = [
            f"--logfile={self.log}" if arg.startswith("--logfile=") else arg
            for arg in self.cmd
        ]


class Cluster:
    """The topology's facts: ports, database, odoo.conf; SQL on either side."""

    def __init__(self):
        self.primary_port = int(os.environ.get("POA_CLUSTER_PRIMARY_PORT", "5442"))
        self.standby_port = int(os.environ.get("POA_CLUSTER_STANDBY_PORT", "5443"))
        self.db = os.environ.get("POA_CLUSTER_DB", "poa_cluster")
        state = os.environ.get("POA_STATE_DIR") or str(
            Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share"))
            / "partner_order_api"
        )
        self.dir = Path(state) / "cluster"
        self.conf = self.dir / "odoo.conf"

    def script(self, *args, **env):
        return subprocess.run(  # noqa: S603
            ["bash", str(CLUSTER_SH), *args],
            env=dict(os.environ, **env),
            check=True,
            capture_output=True,
            text=True,
        )

    @property
    def pg(self):
        """PostgreSQL's directory (data directories and logs)."""
        return Path((self.dir / "pg.path").read_text().strip())

    def query(self, sql, params=None, standby=False):
        """Rows of ``sql`` on the primary, or the standby."""
        cnx = psycopg2.connect(
            host="127.0.0.1",
            port=self.standby_port if standby else self.primary_port,
            dbname=self.db,
        )
        try:
            with cnx, cnx.cursor() as cr:
                cr.execute(sql, params)
                return cr.fetchall()
        finally:
            cnx.close()

    def wait_replayed(self, timeout=30):
        """Until the standby has replayed everything the primary committed
        so far."""
        (lsn,) = self.query("SELECT pg_current_wal_lsn()")[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            (done,) = self.query(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn], standby=True
            )[0]
            if done:
                return
            time.sleep(0.1)
        raise AssertionError("the standby does not catch up")


@pytest.fixture(scope="session")
def cluster():
    if not os.environ.get("ODOO_SRC"):
        pytest.fail(
            "tests_cluster/ needs ODOO_SRC (scripts/test.sh sets it)", pytrace=False
        )
    topology = Cluster()
    try:
        topology.script("start", POA_CLUSTER_ODOO="0", POA_STANDBY_DELAY=DELAY)
    except subprocess.CalledProcessError as exc:
        pytest.fail(
            f"scripts/cluster.sh start failed:\n{exc.stdout}{exc.stderr}", pytrace=False
        )
    yield topology
    log_dir = os.environ.get("POA_CLUSTER_LOG_DIR")
    if log_dir:  # the install's log, checked by scripts/test.sh with the servers'
        for install_log in (topology.dir / "logs").glob("install-*.log"):
            shutil.copy(install_log, Path(log_dir) / f"cluster-{install_log.name}")
    if os.environ.get("POA_CLUSTER_KEEP") != "1":
        topology.script("clean")


@pytest.fixture(scope="session")
def world(cluster):
    src = os.environ["ODOO_SRC"]
    if src not in sys.path:
        sys.path.insert(0, src)
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", str(cluster.conf), "-d", cluster.db])
    registry = Registry(cluster.db)
    with registry.cursor() as cr:
        # Odoo's daily stock scheduler may be due in a database restored from
        # the test run's: both servers' cron workers would run it at start,
        # reserving stock beside the tests' own deliveries (a serialization
        # failure Odoo logs as an ERROR). The tests do not use it.
        cr.execute(
            """
            UPDATE ir_cron SET nextcall = now() AT TIME ZONE 'UTC' + INTERVAL '1 day'
             WHERE id IN (SELECT res_id FROM ir_model_data
                           WHERE module = 'stock' AND name = 'ir_cron_scheduler_action')
            """
        )
        cr.commit()
    return World(odoo, registry)


@pytest.fixture(scope="session")
def servers(cluster, world):
    """Two ``odoo-bin --workers=2`` on the primary, the standby as replica."""
    started = []
    try:
        for _index in range(2):
            started.append(
                Server(str(cluster.conf), cluster.db, os.environ["ODOO_SRC"]).start()
            )
        yield started
    finally:
        for server in started:
            server.stop()
