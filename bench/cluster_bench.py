# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""GET orders?page_size=100 through one server reading the primary, and
through two servers reading a streaming standby (scripts/cluster.sh).

    ODOO_SRC=... POA_STATE_DIR=... python bench/cluster_bench.py \
        [--clients 16] [--seconds 20] [--orders 120]

Starts the cluster's PostgreSQL (``scripts/cluster.sh start`` with
POA_CLUSTER_ODOO=0: primary, standby 1 s behind, the database), makes one
partner with ``--orders`` orders through the API, then measures, one
configuration after the other, ``--clients`` threads sending
``GET orders?page_size=100`` back to back for ``--seconds`` (after 3 s of
warm-up), spread over the configuration's servers:

- ``1 server, primary``: one ``odoo-bin --workers=2``, no replica;
- ``2 servers, primary``: two of them, no replica (what a second server
  alone brings);
- ``2 servers, standby``: two of them, reads on the standby.

Besides requests per second and p50/p95 latency it measures the CPU time
the Odoo servers and each PostgreSQL instance used (psutil), hence the CPU
milliseconds a request costs and the requests per second one busy core
serves. Prints a markdown table and writes it to bench/results/cluster.md;
a WARNING/ERROR in a server log fails the run (and writes nothing).
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(REPO / "scripts"))
from common import percentile  # noqa: E402
from odoo_server import OdooServer, free_port  # noqa: E402

ODOO_SRC = os.environ.get("ODOO_SRC") or str(Path.home() / "odoo-18.0")
STATE = Path(
    os.environ.get("POA_STATE_DIR")
    or Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share"))
    / "partner_order_api"
)
CLUSTER = STATE / "cluster"
DB = os.environ.get("POA_CLUSTER_DB", "poa_cluster")
PG = None  # PostgreSQL's directory, from scripts/cluster.sh


def log(msg):
    print(
        f"[cluster-bench {time.strftime('%H:%M:%S')}] {msg}",
        file=sys.stderr,
        flush=True,
    )


def load_world():
    spec = importlib.util.spec_from_file_location(
        "poa_tests_live_conftest", REPO / "tests_live" / "conftest.py"
    )
    live = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(live)
    sys.path.insert(0, ODOO_SRC)
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        ["-c", str(CLUSTER / "odoo.conf"), "-d", DB, "--log-level=warn"]
    )
    return live, live.World(odoo, Registry(DB))


def primary_conf():
    """The cluster's odoo.conf without the replica."""
    path = CLUSTER / "odoo-primary-only.conf"
    lines = (CLUSTER / "odoo.conf").read_text().splitlines()
    path.write_text(
        "\n".join(line for line in lines if not line.startswith("db_replica_")) + "\n"
    )
    return path


def start_servers(count, conf):
    servers = []
    for _index in range(count):
        server = OdooServer(
            ODOO_SRC,
            conf,
            DB,
            CLUSTER / "logs" / f"bench-{time.time_ns()}.log",
            workers=2,
            args=("--log-level=info", f"--gevent-port={free_port()}"),
            env={"ODOO_HTTP_SOCKET_TIMEOUT": "15"},
        )
        servers.append(server.start(180))
    return servers


def pg_processes(data_dir):
    """The postmaster of ``data_dir`` and its children."""
    pid = int((data_dir / "postmaster.pid").read_text().split()[0])
    main = psutil.Process(pid)
    return [main, *main.children(recursive=True)]


def odoo_processes(servers):
    procs = []
    for server in servers:
        main = psutil.Process(server.process.pid)
        procs += [main, *main.children(recursive=True)]
    return procs


def cpu_seconds(procs):
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def run_clients(servers, key, clients, seconds):
    """Latencies (s) of the requests that completed within ``seconds``."""
    stop_at = time.monotonic() + seconds
    latencies, failures = [], []
    lock = threading.Lock()

    def client(index):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        url = f"{servers[index % len(servers)].url}/partner_order_api/orders"
        mine = []
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            response = session.get(url, params={"page_size": 100}, timeout=60)
            mine.append(time.perf_counter() - start)
            if response.status_code != 200 or len(response.json()["orders"]) != 100:
                failures.append(response.status_code)
        with lock:
            latencies.extend(mine)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    if failures:
        raise AssertionError(f"{len(failures)} requests failed: {failures[:5]}")
    return latencies


def measure(name, servers, key, clients, seconds):
    run_clients(servers, key, clients, 3)  # warm-up: caches, connections
    pg = {
        "primary": pg_processes(PG / "primary"),
        "standby": pg_processes(PG / "standby"),
    }
    odoo_procs = odoo_processes(servers)
    before = {"odoo": cpu_seconds(odoo_procs)} | {
        k: cpu_seconds(v) for k, v in pg.items()
    }
    started = time.monotonic()
    latencies = run_clients(servers, key, clients, seconds)
    elapsed = time.monotonic() - started
    # PostgreSQL backends started during the run are not counted: the
    # servers' connection pools are open after the warm-up
    after = {"odoo": cpu_seconds(odoo_procs)} | {
        k: cpu_seconds(v) for k, v in pg.items()
    }
    used = {k: after[k] - before[k] for k in before}
    count = len(latencies)
    row = {
        "name": name,
        "requests": count,
        "rps": count / elapsed,
        "p50": percentile(latencies, 50) * 1000,
        "p95": percentile(latencies, 95) * 1000,
        "cpu_ms": {k: v / count * 1000 for k, v in used.items()},
        "busy_cores": sum(used.values()) / elapsed,
    }
    row["rps_per_core"] = count / sum(used.values())
    log(f"{name}: {row}")
    return row


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--orders", type=int, default=120)
    return parser.parse_args()


def start_cluster():
    """The cluster's PostgreSQL started, the world of tests_live/ on it and
    one partner whose every request takes its token on the primary:
    (tests_live's conftest module, the world, the partner's key)."""
    global PG  # noqa: PLW0603
    log("starting the cluster's PostgreSQL (scripts/cluster.sh start)")
    subprocess.run(  # noqa: S603
        ["bash", str(REPO / "scripts" / "cluster.sh"), "start"],
        env=dict(os.environ, POA_CLUSTER_ODOO="0", POA_STANDBY_DELAY="1s"),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    live, world = load_world()
    PG = Path((CLUSTER / "pg.path").read_text().strip())
    partner_id, _user_id, _login, key = world.new_partner("Bench Cluster")
    # a budget never spent, so that every request takes its token on the
    # primary as in production (the world turns limiting off)
    with world.registry.cursor() as cr:
        world.env(cr)["res.partner"].browse(
            partner_id
        ).order_api_rate_limit_per_minute = 10**6
        cr.commit()
    return live, world, key


def stop_servers(servers, problems):
    """Stop ``servers``, their log's problems added to ``problems``."""
    for server in servers:
        problems += server.log_lines(" WARNING ", " ERROR ", " CRITICAL ")
        server.stop()


def measure_one_server(args, live, world, key, conf, problems):
    """The orders made through the API, then the row of one server reading
    the primary."""
    servers = start_servers(1, conf)
    try:
        log(f"creating {args.orders} orders through the API")
        with ThreadPoolExecutor(4) as pool:
            statuses = list(
                pool.map(
                    lambda i: (
                        live.api(
                            servers[0],
                            "POST",
                            "order",
                            key,
                            json=live.order_body(world.ean),
                        ).status_code
                    ),
                    range(args.orders),
                )
            )
        assert statuses == [201] * args.orders, statuses
        time.sleep(3)  # the standby replays them (1 s behind)
        return measure("1 server, primary", servers, key, args.clients, args.seconds)
    finally:
        stop_servers(servers, problems)


def measure_two_servers(args, name, key, conf, problems):
    """The row of two servers on ``conf``; on the standby, no GET may have
    run on the primary."""
    servers = start_servers(2, conf)
    try:
        row = measure(name, servers, key, args.clients, args.seconds)
        if "standby" in name:
            reruns = sum(
                len(s.log_lines("the request runs on the primary")) for s in servers
            )
            assert reruns == 0, f"{reruns} GETs ran on the primary"
        return row
    finally:
        stop_servers(servers, problems)


def table(args, rows):
    """The Markdown lines of the result."""
    lines = [
        f"`GET orders?page_size=100` (orders of one line, confirmed), "
        f"{args.clients} concurrent clients, {args.seconds:g} s per configuration, "
        f"`--workers=2` per server, standby 1 s behind, {os.cpu_count()} CPU cores "
        f"shared with other work (load average {os.getloadavg()[0]:.1f} at the end)",
        "",
        "| configuration | req/s | p50 ms | p95 ms "
        "| CPU ms/request (Odoo / primary / standby) | busy cores "
        "| req/s per busy core |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for row in rows:
        cpu = row["cpu_ms"]
        lines.append(
            f"| {row['name']} | {row['rps']:.1f} | {row['p50']:.0f} | {row['p95']:.0f} "
            f"| {cpu['odoo']:.1f} / {cpu['primary']:.1f} / {cpu['standby']:.1f} "
            f"| {row['busy_cores']:.2f} | {row['rps_per_core']:.1f} |"
        )
    return lines


def main():
    args = parse_args()
    live, world, key = start_cluster()
    conf_primary = primary_conf()
    conf_standby = CLUSTER / "odoo.conf"
    problems = []
    rows = [measure_one_server(args, live, world, key, conf_primary, problems)]
    for name, conf in (
        ("2 servers, primary", conf_primary),
        ("2 servers, standby", conf_standby),
    ):
        rows.append(measure_two_servers(args, name, key, conf, problems))
    lines = table(args, rows)
    print("\n" + "\n".join(lines))
    if not problems:
        (BENCH_DIR / "results" / "cluster.md").write_text("\n".join(lines) + "\n")
    if problems:
        print("\nServer log problems:\n" + "\n".join(problems[:20]))
        sys.exit(1)


if __name__ == "__main__":
    main()
