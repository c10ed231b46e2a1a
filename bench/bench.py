# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark of the Partner Order API against a real multi-process Odoo.

Run through ``bench/run.sh`` (it finds Odoo, the virtualenv and PostgreSQL,
copies the addon and writes the configuration). Steps:

1. template database: the addon with demo data, then ``fill.seed`` (real
   flows); reused while the addon's files are unchanged;
2. one database per N (copies of the template) filled by ``fill.replicate``
   and VACUUM ANALYZEd, then checked over HTTP (``fill.verify``);
3. one ``odoo-bin --workers=2`` per database; every comparison runs its
   series side by side (round-robin, same run), warm-up first;
4. the table on stdout and in bench/results/latest.md.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time

import fill
import requests
from common import (
    API,
    BENCH_DIR,
    CONF,
    LOGS,
    ODOO_SRC,
    STATE,
    Server,
    env,
    interleave,
    log,
    odoo,
    percentile,
    registry,
    summary,
    timed,
)

sys.path.insert(0, str(BENCH_DIR.parent / "tests"))
from webhook_receiver import WebhookReceiver  # noqa: E402

PREFIX = os.environ.get("BENCH_DB_PREFIX", "poa_bench")
TEMPLATE = f"{PREFIX}_tpl"
ADDON_DIR = STATE / "addons" / "partner_order_api"
ORDER_STATES = ["sent", "sale", "cancel"]
HEADER_FIELDS = [
    "name",
    "order_api_external_id",
    "client_order_ref",
    "state",
    "order_api_status",
    "partner_shipping_id",
    "amount_total",
    "currency_id",
    "date_order",
    "create_date",
    "order_api_updated_at",
    "order_api_note",
]


def label(n):
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


# ----------------------------------------------------------------------------
# Databases
# ----------------------------------------------------------------------------
def psql(db, sql):
    return subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-Atc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def db_exists(db):
    return (
        psql("postgres", f"SELECT count(*) FROM pg_database WHERE datname = '{db}'")
        == "1"
    )


def drop_db(db):
    close_db(db)
    psql("postgres", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    shutil.rmtree(STATE / "data" / "filestore" / db, ignore_errors=True)


def close_db(db):
    o = odoo()
    from odoo.modules.registry import Registry  # noqa: PLC0415

    Registry.delete(db)
    o.sql_db.close_db(db)


def addon_digest():
    digest = hashlib.sha256()
    for path in sorted(ADDON_DIR.rglob("*")):
        top = path.relative_to(ADDON_DIR).parts[0]
        if top in {
            "bench",
            "tests",
            "tests_live",
            "tests_standalone",
            "scripts",
            "readme",
        }:
            continue
        if path.is_file() and path.suffix in {
            ".py",
            ".xml",
            ".csv",
            ".json",
            ".po",
            ".pot",
        }:
            digest.update(str(path.relative_to(ADDON_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_template(force):
    digest = addon_digest()
    if db_exists(TEMPLATE) and not force:
        try:
            stamp = psql(
                TEMPLATE,
                "SELECT value FROM ir_config_parameter WHERE key = 'bench.template_digest'",
            )
        except subprocess.CalledProcessError:
            stamp = ""
        if stamp == digest:
            log(f"template {TEMPLATE}: reused (addon unchanged)")
            return {"reused": True}
    drop_db(TEMPLATE)
    log(f"template {TEMPLATE}: installing partner_order_api with demo data (~2 min)")
    t0 = time.monotonic()
    install_log = LOGS / f"install-{TEMPLATE}.log"
    subprocess.run(
        [
            sys.executable,
            str(ODOO_SRC / "odoo-bin"),
            "-c",
            str(CONF),
            "-d",
            TEMPLATE,
            "-i",
            "partner_order_api",
            "--stop-after-init",
            "--no-http",
            f"--logfile={install_log}",
            "--log-level=info",
        ],
        check=True,
    )
    install_seconds = time.monotonic() - t0
    seeded = fill.seed(TEMPLATE)
    with registry(TEMPLATE).cursor() as cr:
        env(cr)["ir.config_parameter"].set_param("bench.template_digest", digest)
    close_db(TEMPLATE)
    return {"reused": False, "install_seconds": install_seconds, **seeded}


def make_db(n):
    db = f"{PREFIX}_{label(n)}"
    t0 = time.monotonic()
    drop_db(db)
    close_db(TEMPLATE)
    psql("postgres", f'CREATE DATABASE "{db}" TEMPLATE "{TEMPLATE}"')
    filestore = STATE / "data" / "filestore"
    shutil.rmtree(filestore / db, ignore_errors=True)
    # attachments (assets) live outside the database
    if (filestore / TEMPLATE).is_dir():
        shutil.copytree(filestore / TEMPLATE, filestore / db)
    created = time.monotonic() - t0
    result = fill.replicate(db, n)
    t1 = time.monotonic()
    psql(
        db,
        "VACUUM ANALYZE sale_order, sale_order_line, procurement_group, stock_picking, stock_move, "
        "stock_move_line, stock_lot, stock_quant, stock_valuation_layer, mail_followers, "
        "mail_followers_mail_message_subtype_rel, account_tax_sale_order_line_rel, "
        "partner_order_api_order_tally",
    )
    vacuum = time.monotonic() - t1
    close_db(db)
    total = time.monotonic() - t0
    log(
        f"{db}: {n} orders; copy {created:.0f} s + replicate {result['fill_seconds']:.0f} s + vacuum {vacuum:.0f} s"
    )
    return db, {
        "db": db,
        "fill_total_seconds": total,
        "createdb_seconds": created,
        "vacuum_seconds": vacuum,
        **result,
    }


# ----------------------------------------------------------------------------
# HTTP clients
# ----------------------------------------------------------------------------
class Client:
    def __init__(self, server, facts):
        self.server = server
        self.url = server.url
        self.facts = facts
        self.http = requests.Session()
        self.rpc = requests.Session()
        self.partner_id = facts["partner_id"]
        self._rpc_id = 0

    def api(self, method, route, key=None, **kwargs):
        headers = {"Authorization": f"Bearer {key or self.facts['key']}"}
        resp = self.http.request(
            method, f"{self.url}{API}/{route}", headers=headers, timeout=120, **kwargs
        )
        if resp.status_code >= 400:
            raise RuntimeError(
                f"{method} {route}: {resp.status_code} {resp.text[:300]}"
            )
        return resp

    def login(self):
        resp = self.rpc.post(
            f"{self.url}/web/session/authenticate",
            json={
                "jsonrpc": "2.0",
                "params": {"db": self.server.db, "login": "admin", "password": "admin"},
            },
            timeout=60,
        )
        result = resp.json()
        if "error" in result:
            raise RuntimeError(f"admin login failed: {result['error']}")

    def call_kw(self, model, method, args, kwargs):
        self._rpc_id += 1
        resp = self.rpc.post(
            f"{self.url}/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": self._rpc_id,
                "params": {
                    "model": model,
                    "method": method,
                    "args": args,
                    "kwargs": kwargs,
                },
            },
            timeout=120,
        )
        result = resp.json()
        if "error" in result:
            raise RuntimeError(f"call_kw {model}.{method}: {result['error']}")
        return result["result"]

    def search_read_page(self):
        """JSON-RPC search_read of the same 100 orders, header fields only."""
        return self.call_kw(
            "sale.order",
            "search_read",
            [],
            {
                "domain": [
                    ["partner_id", "child_of", self.partner_id],
                    ["state", "in", ORDER_STATES],
                ],
                "fields": HEADER_FIELDS,
                "limit": 100,
                "order": "create_date desc, id desc",
            },
        )

    def orders_page(self, page_size=100, **params):
        return self.api("GET", "orders", params={"page_size": page_size, **params})

    def order_status(self, external_id):
        return self.api(
            "GET",
            "order_status",
            params={"identifiedBy": "external", "order_id": external_id},
        )


# ----------------------------------------------------------------------------
# Measurements
# ----------------------------------------------------------------------------
def measure_lists(clients, rounds, warmup, rss_samples):
    """GET orders?page_size=100 and JSON-RPC search_read, at every N, side by side."""
    for client in clients.values():
        client.login()
        api_names = [
            o["biomes_order_id"] for o in client.orders_page().json()["orders"]
        ]
        rpc_names = [o["name"] for o in client.search_read_page()]
        assert api_names == rpc_names, "search_read does not read the same 100 orders"
    funcs = {}
    for n, client in clients.items():
        funcs[f"api_orders_{n}"] = client.orders_page
        funcs[f"rpc_search_read_{n}"] = client.search_read_page
    times = {name: [] for name in funcs}
    for index in range(warmup + rounds):
        for name, func in funcs.items():
            seconds, _ = timed(func)
            if index >= warmup:
                times[name].append(seconds)
        if index >= warmup and index % 10 == 0:
            for n, client in clients.items():
                rss_samples.setdefault(n, []).append(client.server.rss())
    return times


def measure_status(clients, rounds, warmup):
    rng = random.Random(42)
    funcs = {}
    for n, client in clients.items():
        # a different order each request (no lucky cache), seed and copies alike
        funcs[f"api_order_status_{n}"] = lambda c=client, n=n: c.order_status(
            fill.ext_id(rng.randint(1, n))
        )
    return interleave(funcs, rounds, warmup)


def measure_auth(db, key, rounds):
    """In-process: Odoo's bearer key check (``_check_credentials``: one SQL
    query and a pbkdf2 verify), the bare pbkdf2 verify, and the service's
    ``_authenticate`` as the routes call it (with whatever cache it has)."""
    from odoo.addons.base.models.res_users import KEY_CRYPT_CONTEXT  # noqa: PLC0415

    with registry(db).cursor() as cr:
        e = env(cr)
        keys = e["res.users.apikeys"]
        service = e["partner.order.api.service"]
        check, service_check = [], []
        for index in range(rounds + 20):
            seconds, uid = timed(
                lambda: keys._check_credentials(scope="partner_order_api", key=key)
            )
            assert uid
            seconds_service, (uid, _ro) = timed(
                lambda: service._authenticate(f"Bearer {key}")
            )
            if index >= 20:
                check.append(seconds)
                service_check.append(seconds_service)
        # the rate limiter as every authenticated request runs it: one token
        # taken in PostgreSQL on its own cursor and committed
        buckets = e["partner.order.api.rate.bucket"].sudo()
        rate = []
        for index in range(rounds + 20):
            seconds, (allowed, _remaining, _retry) = timed(
                lambda: buckets._take(f"bench-rate-{key}", 10**9)
            )
            assert allowed
            if index >= 20:
                rate.append(seconds)
        cr.execute("SELECT key FROM res_users_apikeys WHERE index = %s", [key[:8]])
        hashed = cr.fetchone()[0]
        verify = [
            timed(lambda: KEY_CRYPT_CONTEXT.verify(key, hashed))[0]
            for _i in range(rounds)
        ]
    return {
        "check": check,
        "pbkdf2": verify,
        "service": service_check,
        "rate_limit": rate,
    }


def capture_queries(func):
    """The SQL statements ``func()`` runs in this thread (Odoo's query hooks)."""
    seen = []

    def hook(cr, query, params, start, delay):
        seen.append(cr._obj.mogrify(query, params).decode())

    thread = threading.current_thread()
    old = getattr(thread, "query_hooks", ())
    thread.query_hooks = (*old, hook)
    try:
        func()
    finally:
        thread.query_hooks = old
    return seen


def explain_sync_query(db, facts, n):
    """EXPLAIN (ANALYZE, BUFFERS) of the queries _list_orders runs for
    ?updated_since=...&sort=updated_asc&page_size=100, as the portal user,
    captured as the service ran them."""
    o = odoo()
    with registry(db).cursor() as cr:
        cr.execute(
            "SELECT order_api_updated_at FROM sale_order WHERE order_api_partner_id = %s "
            "ORDER BY order_api_updated_at DESC OFFSET %s LIMIT 1",
            [facts["partner_id"], n // 100],
        )
        since = cr.fetchone()[0]  # the newest 1 %: a sync poll
        e = o.api.Environment(cr, facts["user_id"], {})
        service = e["partner.order.api.service"]
        filters = {"statuses": None, "sort": "updated_asc", "updated_since": since}
        queries = capture_queries(lambda: service._list_orders(1, 100, filters))
        # the page and its count: one statement on sale_order AS so
        wanted = [q for q in queries if "FROM sale_order so" in q]
        plans = []
        for query in wanted:
            cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
            plans.append((query, "\n".join(row[0] for row in cr.fetchall())))
        # and the default page (created_desc), for reference
        queries = capture_queries(
            lambda: service._list_orders(
                1, 100, {"statuses": None, "sort": "created_desc"}
            )
        )
        default = [q for q in queries if "FROM sale_order so" in q]
        for query in default:
            cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
            plans.append((query, "\n".join(row[0] for row in cr.fetchall())))
        cr.rollback()
    return since, plans


def orm_create_order(reg, facts, shipping_id, lines, index):
    """The bare ORM doing what POST order does: create + action_confirm (with
    the API's deferred reservation), committed, in this process."""
    with reg.cursor() as cr:
        e = env(cr)
        partner = e["res.partner"].browse(facts["writer_id"])
        user = e["res.users"].browse(facts["writer_user_id"])
        vals = {
            "partner_id": user.partner_id.id,
            "partner_shipping_id": shipping_id,
            "order_api_partner_id": partner.id,
            "order_api_external_id": f"ORM-{index}-{time.time_ns()}",
            "client_order_ref": f"ORM-{index}",
            "company_id": e.company.id,
            "pricelist_id": partner.property_product_pricelist.id,
            "order_line": [
                (0, 0, {"product_id": pid, "product_uom_qty": qty})
                for pid, qty in lines
            ],
        }
        order = e["sale.order"].create(vals)
        order.with_context(order_api_defer_reservation=True).action_confirm()
        order.picking_ids._order_api_defer_reservation()


_EANS = {}


def order_lines(db):
    """[(product id, ean, amount)] of the benchmark's POST order: 2 lines."""
    if db not in _EANS:
        with registry(db).cursor() as cr:
            e = env(cr)
            sensor = e.ref("partner_order_api.demo_product_soil_sensor")
            nutrient = e.ref("partner_order_api.demo_product_nutrient_pack")
            _EANS[db] = [
                (sensor.id, sensor.barcode, 2),
                (nutrient.id, nutrient.barcode, 1),
            ]
    return _EANS[db]


def order_body(db, external_id=None):
    return {
        "lines": [
            {"ean": ean, "amount": amount} for _pid, ean, amount in order_lines(db)
        ],
        "external_order_id": external_id or f"API-{time.time_ns()}",
        "delivery_address": dict(fill.ADDRESSES[0]),
    }


def measure_post(client, db, facts, rounds, warmup):
    reg = registry(db)
    orm_lines = [(pid, amount) for pid, _ean, amount in order_lines(db)]
    address = fill.ADDRESSES[0]
    key = facts["writer_key"]

    def api_post():
        resp = client.api("POST", "order", key=key, json=order_body(db))
        assert resp.status_code == 201

    api_post()  # creates the delivery contact the ORM loop reuses
    with reg.cursor() as cr:
        shipping_id = (
            env(cr)["res.partner"]
            .search(
                [
                    ("parent_id", "=", facts["writer_id"]),
                    ("type", "=", "delivery"),
                    ("name", "=", address["name"]),
                ],
                limit=1,
            )
            .id
        )
    orm_index = iter(range(10**9))
    funcs = {
        "api_post_order": api_post,
        "orm_create_confirm": lambda: orm_create_order(
            reg, facts, shipping_id, orm_lines, next(orm_index)
        ),
        "empty_request": lambda: client.api(
            "GET", "available_products", key=facts["empty_key"]
        ),
    }
    return interleave(funcs, rounds, warmup)


def measure_webhooks(client, db, facts, count):
    reg = registry(db)
    latencies = []
    with WebhookReceiver() as receiver:
        client.api(
            "PUT", "webhook", key=facts["writer_key"], json={"url": receiver.url}
        )
        # the reservation cron of the server reserves what POST created
        deadline = time.monotonic() + 300
        while True:
            with reg.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM stock_picking WHERE order_api_reservation_pending"
                )
                pending = cr.fetchone()[0]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(1)
        with reg.cursor() as cr:
            e = env(cr)
            pickings = e["stock.picking"].search(
                [
                    ("sale_id.order_api_partner_id", "=", facts["writer_id"]),
                    ("state", "in", ("assigned", "confirmed")),
                    ("picking_type_code", "=", "outgoing"),
                ],
                order="id",
                limit=count,
            )
            picking_ids = pickings.ids
        assert len(picking_ids) == count, (
            f"only {len(picking_ids)} reserved deliveries for webhooks"
        )
        for picking_id in picking_ids:
            expected = len(receiver.requests) + 1
            with reg.cursor() as cr:
                picking = env(cr, 2)["stock.picking"].browse(picking_id)
                if any(move.state != "assigned" for move in picking.move_ids):
                    picking.action_assign()  # see fill.seed: the cron skipped it
                for move in picking.move_ids:
                    move.picked = True
                picking.with_context(
                    skip_sms=True, skip_backorder=True
                ).button_validate()
                assert picking.state == "done"
                cr.commit()
                committed = time.monotonic()
            seen = receiver.wait_for(expected, timeout=90)
            if len(seen) < expected:
                latencies.append(float("inf"))
                continue
            latencies.append(seen[expected - 1]["received_at"] - committed)
            time.sleep(0.2)
    return latencies


ROUTES = {
    "GET orders page_size=100": lambda m, t: (
        m == "GET"
        and t.startswith(f"{API}/orders?page_size=100")
        and "updated_since" not in t
    ),
    "GET orders page_size=10": lambda m, t: (
        m == "GET" and t == f"{API}/orders?page_size=10"
    ),
    "GET orders page_size=100&sort=updated_asc&updated_since=...": lambda m, t: (
        m == "GET" and "updated_since" in t
    ),
    "GET order_status (by external id)": lambda m, t: (
        m == "GET" and t.startswith(f"{API}/order_status")
    ),
    "POST order (2 lines)": lambda m, t: m == "POST" and t == f"{API}/order",
    "PUT webhook": lambda m, t: m == "PUT" and t == f"{API}/webhook",
    "JSON-RPC call_kw search_read (admin)": lambda m, t: t.startswith(
        "/web/dataset/call_kw/sale.order/search_read"
    ),
}
PHASE_ROUTES = {
    # the same URL serves two partners: named by the phase that sent it
    "extra": {
        "GET available_products (3 products)": lambda m, t: t.startswith(
            f"{API}/available_products"
        )
    },
    "post": {
        "GET available_products (0 products: the empty request)": lambda m, t: (
            t.startswith(f"{API}/available_products")
        )
    },
}


def query_counts(servers, marks):
    """{(route, n): [query counts]} from the servers' access logs, between
    the log offsets ``marks`` = [(phase, {n: offset})] taken at each phase."""
    result = {}
    for (phase, starts), (_next, ends) in zip(marks, marks[1:], strict=False):
        if phase == "warmup":
            continue
        routes = dict(ROUTES, **PHASE_ROUTES.get(phase, {}))
        for n, server in servers.items():
            for method, target, status, queries in server.access_lines(
                starts[n], ends[n]
            ):
                if queries is None or status >= 400:
                    continue
                for name, match in routes.items():
                    if match(method, target):
                        result.setdefault((name, n), []).append(queries)
                        break
    return result


def mode(values):
    return max(sorted(set(values)), key=values.count)


# ----------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------
def ms(value):
    return f"{value * 1000:.1f}"


def cell(values):
    """ "p50 / p95" in ms of a list of seconds."""
    stats = summary(values)
    return f"{ms(stats['p50'])} / {ms(stats['p95'])}"


def p50(values):
    return percentile(values, 50)


def yes(ok):
    return "yes" if ok else "NO"


def timing_rows(r):
    """The table's rows: (measure, A, B, ratio, target, met)."""
    n_small, n_big = r["sizes"]
    s, b = label(n_small), label(n_big)
    t = r["times"]
    rows = []
    vs_rpc = "GET orders page_size=100 (A) vs JSON-RPC search_read, same 100 orders (B)"
    for name, num, den, target in (
        (
            f"{vs_rpc}, N={s}",
            f"api_orders_{n_small}",
            f"rpc_search_read_{n_small}",
            1.5,
        ),
        (f"{vs_rpc}, N={b}", f"api_orders_{n_big}", f"rpc_search_read_{n_big}", 1.5),
        (
            f"GET orders page_size=100: N={b} (A) vs N={s} (B)",
            f"api_orders_{n_big}",
            f"api_orders_{n_small}",
            1.3,
        ),
        (
            f"JSON-RPC search_read (reference): N={b} (A) vs N={s} (B)",
            f"rpc_search_read_{n_big}",
            f"rpc_search_read_{n_small}",
            None,
        ),
        (
            f"GET order_status by external id: N={b} (A) vs N={s} (B)",
            f"api_order_status_{n_big}",
            f"api_order_status_{n_small}",
            1.3,
        ),
    ):
        a, c = t[num], t[den]
        ratio = p50(a) / p50(c)
        rows.append(
            (
                name,
                cell(a),
                cell(c),
                f"{ratio:.2f} (p95 {percentile(a, 95) / percentile(c, 95):.2f})",
                f"<= {target}" if target else "-",
                yes(ratio <= target) if target else "-",
            )
        )
    api_p, orm_p, rtt = t["api_post_order"], t["orm_create_confirm"], t["empty_request"]
    allowed = 1.15 * p50(orm_p) + p50(rtt)
    rows.append(
        (
            f"POST order, 2 lines (A) vs ORM create + action_confirm in-process, committed (B), N={s}",
            cell(api_p),
            cell(orm_p),
            f"{p50(api_p) / p50(orm_p):.2f}; A-B = {ms(p50(api_p) - p50(orm_p))} ms",
            f"A <= 1.15 B + RTT = {ms(allowed)}",
            yes(p50(api_p) <= allowed),
        )
    )
    rows.append(
        (
            "RTT: empty authenticated request (GET available_products, 0 products)",
            cell(rtt),
            "",
            "",
            "-",
            "-",
        )
    )
    auth, status = r["auth"]["check"], t[f"api_order_status_{n_small}"]
    rows.append(
        (
            f"Bearer key check, Odoo's _check_credentials in-process (A) vs whole GET order_status, N={s} (B)",
            cell(auth),
            cell(status),
            f"{p50(auth) / p50(status):.2f}",
            f"measured (pbkdf2 verify alone: {cell(r['auth']['pbkdf2'])}; the service's _authenticate "
            f"as deployed, with its cache: {cell(r['auth']['service'])})",
            "-",
        )
    )
    rate = r["auth"]["rate_limit"]
    rows.append(
        (
            "Rate limiter: one token taken in PostgreSQL (own cursor, committed), in-process",
            cell(rate),
            "",
            "",
            "p50 < 1 ms",
            yes(p50(rate) < 0.001),
        )
    )
    wh = r["webhook"]
    lost = sum(1 for x in wh if x == float("inf"))
    rows.append(
        (
            f"Webhook: delivery validated + committed -> receiver has the POST ({len(wh)} deliveries, {lost} lost)",
            cell(wh),
            "",
            "",
            "p50 <= 2000",
            yes(p50(wh) <= 2),
        )
    )
    mib = 2**20
    small = [max(x[i] for x in r["rss"][n_small]) / mib for i in (0, 1)]
    big = [max(x[i] for x in r["rss"][n_big]) / mib for i in (0, 1)]
    rows.append(
        (
            f"Server RSS serving page_size=100, max, all processes / HTTP workers: N={b} (A) vs N={s} (B)",
            f"{big[0]:.0f} / {big[1]:.0f} MB",
            f"{small[0]:.0f} / {small[1]:.0f} MB",
            f"A-B = {big[0] - small[0]:+.0f} MB (workers {big[1] - small[1]:+.0f} MB)",
            "<= +50 MB",
            yes(big[0] - small[0] <= 50),
        )
    )
    return rows


def common_values(values):
    """The values of at least 20 % of the requests (a worker's first request
    after a cache invalidation, or when the 60 s cache of verified keys
    turns over, runs a few more)."""
    return sorted(v for v in set(values) if values.count(v) >= 0.2 * len(values))


def query_rows(r):
    n_small, n_big = r["sizes"]
    counts = r["queries"]
    names = list(dict.fromkeys(name for name, _n in counts))
    rows = []
    for name in names:
        cells, sets = [], []
        for n in (n_small, n_big):
            c = counts.get((name, n))
            if c:
                usual = common_values(c)
                sets.append(usual)
                rare = sorted(set(c) - set(usual))
                cells.append(
                    f"{' or '.join(map(str, usual))} ({len(c)} req"
                    + (f"; rarely {rare}" if rare else "")
                    + ")"
                )
            else:
                cells.append("-")
        rows.append(
            (
                name,
                cells[0],
                cells[1],
                yes(sets[0] == sets[1]) if len(sets) == 2 else "-",
            )
        )
    page_sets = {
        tuple(common_values(counts[(name, n)]))
        for name in ("GET orders page_size=10", "GET orders page_size=100")
        for n in (n_small, n_big)
        if counts.get((name, n))
    }
    return rows, page_sets


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return lines


def build_report(r):
    n_small, n_big = r["sizes"]
    s, b = label(n_small), label(n_big)
    out = [
        f"# Partner Order API benchmark ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"odoo-bin --workers=2 per database on 127.0.0.1; {r['rounds']} requests per series after {r['warmup']} "
        "warm-up; the series of a comparison run side by side (round-robin) in the same run. Times in ms.",
        f"Load average (1 min) at start / end: {r['load'][0]:.1f} / {r['load'][1]:.1f} on 2 cores (other processes "
        "on the machine add noise; series side by side share it).",
        "",
    ]
    out += table(
        ("Measure", "A p50 / p95", "B p50 / p95", "p50 ratio A/B", "Target", "Met"),
        timing_rows(r),
    )
    rows, page_sets = query_rows(r)
    out += [
        "",
        "SQL queries per request, from each server's access log: Odoo's werkzeug line carries the number of",
        "statements the request ran in its thread (every cursor: rate limiter, registry checks included).",
        "Values of at least 20 % of the requests; 'rarely': a worker's first request after a cache",
        "invalidation, or when its 60 s cache of verified keys turns over (+1: the key query).",
        "",
    ]
    out += table(("Endpoint", f"N={s}", f"N={b}", "Constant in N"), rows)
    out += [
        "",
        f"GET orders: same count for page_size 10 and 100 at both N: {yes(len(page_sets) == 1)} {sorted(page_sets)}",
        "",
        "Fill:",
    ]
    tpl = r["template"]
    if tpl.get("reused"):
        out.append("- template: reused (addon unchanged since it was seeded)")
    else:
        out.append(
            f"- template: install {tpl['install_seconds']:.0f} s; seed of {fill.SEED_ORDERS} orders through the real "
            f"flows {tpl['seed_seconds']:.0f} s (statuses {tpl['statuses']}; {tpl['unflagged_pickings']} deliveries "
            "never flagged for the reservation cron, reserved with action_assign)"
        )
    for n in (n_small, n_big):
        f, v = r["fill"][n], r["verify"][n]
        out.append(
            f"- N={label(n)}: {f['fill_total_seconds']:.0f} s (createdb -T {f['createdb_seconds']:.0f} s, "
            f"SQL replication x{f['copies']} {f['fill_seconds']:.0f} s, VACUUM ANALYZE {f['vacuum_seconds']:.0f} s); "
            f"verified: total_count = {v['total_count']}, {v['copies_checked']} copies answer order_status "
            "like their originals"
            + (f"; not copied: {f['uncopied']}" if f.get("uncopied") else "")
        )
    out += [
        "",
        f"EXPLAIN (ANALYZE, BUFFERS) at N={b}, as the portal user, of the queries _list_orders ran for",
        f"updated_since={r['explain_since']} (newest 1 %), sort=updated_asc, page_size=100; then the default page:",
        "",
    ]
    for query, plan in r["explain"]:
        out.append(
            f"Index sale_order_order_api_updated_idx used: {yes('sale_order_order_api_updated_idx' in plan)}"
        )
        out += ["```sql", query, "```", "```", plan, "```"]
    if r.get("problems"):
        out += ["", "Server log problems:"] + [
            f"    {line}" for line in r["problems"][:20]
        ]
    out += ["", f"Whole run: {r['total_seconds'] / 60:.1f} min"]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", default="1000,100000", help="N values, comma-separated (small,big)"
    )
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--webhooks", type=int, default=20)
    parser.add_argument(
        "--rebuild-template",
        action="store_true",
        help="reinstall and reseed the template",
    )
    parser.add_argument(
        "--reuse-dbs",
        action="store_true",
        help="reuse filled databases from a previous run",
    )
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    assert len(sizes) == 2 and sizes[0] < sizes[1]
    t_start = time.monotonic()
    r = {
        "sizes": sizes,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "times": {},
        "fill": {},
        "verify": {},
    }
    load_start = os.getloadavg()[0]
    r["template"] = ensure_template(args.rebuild_template)
    dbs = {}
    for n in sizes:
        db = f"{PREFIX}_{label(n)}"
        if args.reuse_dbs and db_exists(db):
            dbs[n] = db
            r["fill"][n] = {
                "fill_total_seconds": 0,
                "createdb_seconds": 0,
                "vacuum_seconds": 0,
                "fill_seconds": 0,
                "copies": n // fill.SEED_ORDERS - 1,
            }
            continue
        dbs[n], r["fill"][n] = make_db(n)
    facts = {n: fill.facts(db) for n, db in dbs.items()}
    servers = {}
    try:
        for n, db in dbs.items():
            servers[n] = Server(db, workers=2, name=label(n)).start()
            log(
                f"server N={label(n)}: {servers[n].url} (--workers=2), log {servers[n].log}"
            )
        clients = {n: Client(servers[n], facts[n]) for n in sizes}
        for n in sizes:
            r["verify"][n] = fill.verify(
                clients[n].http,
                servers[n].url,
                facts[n]["key"],
                n,
                facts[n]["seed_orders"],
            )
            log(
                f"verify N={label(n)}: {r['verify'][n]['total_count']} orders; copies match their originals"
            )
        marks = []

        def mark(phase):
            marks.append(
                (phase, {n: server.log_size() for n, server in servers.items()})
            )

        def extra_requests(client, count):
            for _i in range(count):
                client.orders_page(page_size=10)
                client.orders_page(
                    page_size=100,
                    sort="updated_asc",
                    updated_since="2000-01-01T00:00:00Z",
                )
                client.api("GET", "available_products")

        for n, client in clients.items():  # every worker's caches warm before counting
            client.login()
            for _i in range(4):
                client.orders_page()
                client.search_read_page()
                client.order_status(fill.ext_id(1))
                client.api(
                    "POST", "order", key=facts[n]["writer_key"], json=order_body(dbs[n])
                )
            extra_requests(client, 4)
        log("measuring GET orders vs JSON-RPC search_read")
        r["rss"] = {}
        mark("lists")
        r["times"].update(measure_lists(clients, args.rounds, args.warmup, r["rss"]))
        log("measuring GET order_status")
        mark("status")
        r["times"].update(measure_status(clients, args.rounds, args.warmup))
        mark("extra")  # more requests for the query counts: other page size, sync
        for client in clients.values():
            extra_requests(client, 20)
        mark("in-process")
        log("measuring the bearer key check in-process")
        r["auth"] = measure_auth(dbs[sizes[0]], facts[sizes[0]]["key"], args.rounds)
        log("EXPLAIN of the sync query")
        r["explain_since"], r["explain"] = explain_sync_query(
            dbs[sizes[1]], facts[sizes[1]], sizes[1]
        )
        log("measuring POST order vs the ORM")
        mark("post")
        post_rounds = max(args.rounds, args.webhooks)
        r["times"].update(
            measure_post(
                clients[sizes[0]],
                dbs[sizes[0]],
                facts[sizes[0]],
                post_rounds,
                args.warmup,
            )
        )
        mark("warmup")  # the big N's workers have been idle: warm them first
        for _i in range(4):
            clients[sizes[1]].api(
                "POST",
                "order",
                key=facts[sizes[1]]["writer_key"],
                json=order_body(dbs[sizes[1]]),
            )
        mark("post")
        for _i in range(20):  # POST's query count at the big N too
            clients[sizes[1]].api(
                "POST",
                "order",
                key=facts[sizes[1]]["writer_key"],
                json=order_body(dbs[sizes[1]]),
            )
        log("measuring webhook latency")
        mark("webhook")
        r["webhook"] = measure_webhooks(
            clients[sizes[0]], dbs[sizes[0]], facts[sizes[0]], args.webhooks
        )
        mark("end")
        r["queries"] = query_counts(servers, marks)
        r["problems"] = [
            line for server in servers.values() for line in server.problems()
        ]
    finally:
        for server in servers.values():
            server.stop()
    r["total_seconds"] = time.monotonic() - t_start
    r["load"] = (load_start, os.getloadavg()[0])
    report = build_report(r)
    results = BENCH_DIR / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text(report + "\n")
    raw = {k: v for k, v in r.items() if k not in ("explain",)}
    raw["queries"] = {f"{name} @ {n}": c for (name, n), c in r["queries"].items()}
    (results / "latest.json").write_text(json.dumps(raw, indent=1, default=str))
    print(report)


if __name__ == "__main__":
    main()
