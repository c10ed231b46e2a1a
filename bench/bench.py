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
import datetime
import functools
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time

import changes
import fill
import large_orders
import pdf
import requests
import storm_row
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
COLD_KEY_NAME = "bench cold key"
# Rate limits during the run: every request takes a token from its partner's
# budget as in production, a budget the bench never spends; failed
# authentications keep Odoo's default limit (no request of the bench fails
# its authentication, but every one looks at its address's budget).
RATE_LIMITS = {
    "partner_order_api.rate_limit_per_minute": 1_000_000,
    "partner_order_api.auth_failure_limit_per_minute": 30,
}
# GET orders?page_size=100 / JSON-RPC header-only search_read of the same
# page, p50: objects from the workers' caches (issue 24; issue 13 allowed
# 1.2), and every object made anew after a real change of every order
WARM_TARGET = 1.0
COLD_TARGET = 1.3
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
# what GET orders shows of a line (display lines are not order lines)
LINE_FIELDS = [
    "order_id",
    "product_id",
    "name",
    "product_uom_qty",
    "qty_delivered",
    "price_unit",
    "price_subtotal",
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


def odoo_bin_step(db, option, name):
    """``odoo-bin -c CONF -d db <option> partner_order_api --stop-after-init``,
    logged to ``<name>-<db>.log``."""
    subprocess.run(
        [
            sys.executable,
            str(ODOO_SRC / "odoo-bin"),
            "-c",
            str(CONF),
            "-d",
            db,
            option,
            "partner_order_api",
            "--stop-after-init",
            "--no-http",
            f"--logfile={LOGS / f'{name}-{db}.log'}",
            "--log-level=info",
        ],
        check=True,
    )


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
    odoo_bin_step(TEMPLATE, "-i", "install")
    install_seconds = time.monotonic() - t0
    seeded = fill.seed(TEMPLATE)
    with registry(TEMPLATE).cursor() as cr:
        env(cr)["ir.config_parameter"].set_param("bench.template_digest", digest)
    close_db(TEMPLATE)
    return {"reused": False, "install_seconds": install_seconds, **seeded}


def upgrade_if_changed(db):
    """Upgrade the addon in the reused database ``db`` when its files changed
    since ``db`` was made (``odoo-bin -u``, as a deployment would): the
    seconds it took, or None when it was up to date."""
    digest = addon_digest()
    stamp = psql(
        db, "SELECT value FROM ir_config_parameter WHERE key = 'bench.template_digest'"
    )
    if stamp == digest:
        return None
    log(f"{db}: upgrading partner_order_api (the addon changed since it was made)")
    t0 = time.monotonic()
    odoo_bin_step(db, "-u", "upgrade")
    with registry(db).cursor() as cr:
        env(cr)["ir.config_parameter"].set_param("bench.template_digest", digest)
    close_db(db)
    return time.monotonic() - t0


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
    # and statistics for every other table (res_partner above all): a template
    # made minutes ago has none yet, and the planner then misjudges the
    # partner's contacts (a run without them sorted all 100,000 orders)
    psql(db, "SET client_min_messages = error; ANALYZE")
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

    def call_kw(self, model, method, args, kwargs, tag=None):
        """``tag``: a last part of the URL, which Odoo ignores (its access
        log shows it: the bench counts queries per call by URL)."""
        self._rpc_id += 1
        resp = self.rpc.post(
            f"{self.url}/web/dataset/call_kw/{model}/{method}"
            + (f"/{tag}" if tag else ""),
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

    def search_read_page(self, offset=0, fields=None, tag=None):
        """JSON-RPC search_read of the same 100 orders as GET orders (its
        default sort), header fields only: one round trip."""
        return self.call_kw(
            "sale.order",
            "search_read",
            [],
            {
                "domain": [
                    ["partner_id", "child_of", self.partner_id],
                    ["state", "in", ORDER_STATES],
                ],
                "fields": fields or HEADER_FIELDS,
                "offset": offset,
                "limit": 100,
                "order": "create_date desc, id desc",
            },
            tag,
        )

    def search_read_with_lines(self, offset=0):
        """The same 100 orders with their lines, as a JSON-RPC client reads
        them: search_read of the orders (header fields and their line ids),
        then search_read of those lines (what GET orders shows of a line):
        two calls, one round trip each. (Deliveries, tracking and lots, which
        GET orders also answers, would be more calls: not read.)"""
        orders = self.search_read_page(
            offset, [*HEADER_FIELDS, "order_line"], "with_lines"
        )
        lines = self.call_kw(
            "sale.order.line",
            "search_read",
            [],
            {
                "domain": [
                    ["order_id", "in", [order["id"] for order in orders]],
                    ["display_type", "=", False],
                ],
                "fields": LINE_FIELDS,
                "order": "order_id, sequence, id",
            },
        )
        return orders, lines

    def health(self):
        """GET /web/health: Odoo's round trip without authentication (no
        key, no session, no rate limiter)."""
        resp = self.http.get(f"{self.url}/web/health", timeout=60)
        resp.raise_for_status()
        return resp

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
def check_same_orders(client, page=1):
    """GET orders and both JSON-RPC reads of page ``page`` (100 orders) hold
    the same orders, and the two-call read the same lines."""
    api_orders = client.orders_page(page=page).json()["orders"]
    offset = (page - 1) * 100
    api_names = [o["biomes_order_id"] for o in api_orders]
    rpc_names = [o["name"] for o in client.search_read_page(offset)]
    assert len(api_names) == 100, f"page {page}: {len(api_names)} orders"
    assert api_names == rpc_names, f"page {page}: search_read reads other orders"
    orders, lines = client.search_read_with_lines(offset)
    assert [o["name"] for o in orders] == api_names, f"page {page}: other orders"
    api_lines = sum(len(o["lines"]) for o in api_orders)
    assert len(lines) == api_lines, (
        f"page {page}: {len(lines)} lines by JSON-RPC, {api_lines} by GET orders"
    )
    return api_lines


def measure_lists(clients, rounds, warmup, rss_samples, rng):
    """GET orders?page_size=100 and JSON-RPC reads of the same 100 orders
    (header fields; and with their lines), at every N, side by side."""
    for client in clients.values():
        client.login()
        check_same_orders(client)
    funcs = {}
    for n, client in clients.items():
        funcs[f"api_orders_{n}"] = client.orders_page
        funcs[f"rpc_search_read_{n}"] = client.search_read_page
        funcs[f"rpc_with_lines_{n}"] = client.search_read_with_lines

    def sample_rss(index):
        if index >= warmup and index % 10 == 0:
            for n, client in clients.items():
                rss_samples.setdefault(n, []).append(client.server.rss())

    return interleave(funcs, rounds, warmup, rng, after_round=sample_rss)


def measure_lists_cold(clients, rounds, warmup, rng):
    """GET orders?page_size=100 with every order object made anew, beside
    JSON-RPC search_read (header fields) of the same page, at every N:
    before each GET (untimed) every order of its page is changed through
    Odoo (``changes.page_changer``: a JSON-RPC write of the partner's note,
    which the object shows), so each order's digest differs, its
    ``updated_at`` moves and no worker has its object. Apart from
    ``measure_lists``, whose GET orders it would make anew too. (sort= the
    default sort: a URL of its own in the access log.)"""
    funcs = {}
    before = {}
    for n, client in clients.items():
        funcs[f"api_orders_cold_{n}"] = functools.partial(
            client.orders_page, sort="created_desc"
        )
        before[f"api_orders_cold_{n}"] = changes.page_changer(client)
        funcs[f"rpc_search_read_cold_{n}"] = client.search_read_page
    return interleave(funcs, rounds, warmup, rng, before=before)


def deep_pages(n):
    """Page 1, a middle page and the last page of N orders, 100 a page."""
    last = -(-n // 100)
    return [1, max(1, last // 2), last]


def measure_deep_pages(client, n, rounds, warmup, rng):
    """GET orders page_size=100 at page 1, a middle page and the last page,
    each beside JSON-RPC search_read (header fields) with the same offset."""
    client.login()
    funcs = {}
    for page in deep_pages(n):
        check_same_orders(client, page)
        funcs[f"api_orders_p{page}_{n}"] = lambda p=page: client.orders_page(page=p)
        funcs[f"rpc_search_read_p{page}_{n}"] = lambda p=page: client.search_read_page(
            (p - 1) * 100
        )
    return interleave(funcs, rounds, warmup, rng)


def measure_status(clients, rounds, warmup, rng):
    pick = random.Random(42)
    funcs = {}
    for n, client in clients.items():
        # a different order each request (no lucky cache), seed and copies alike
        funcs[f"api_order_status_{n}"] = lambda c=client, n=n: c.order_status(
            fill.ext_id(pick.randint(1, n))
        )
    return interleave(funcs, rounds, warmup, rng)


def fresh_keys(db, user_id, count):
    """``count`` new API keys of the user ``user_id``, committed: keys no
    worker has seen (generating them costs a pbkdf2 hash each, here)."""
    expiration = datetime.datetime.now() + datetime.timedelta(days=7)
    with registry(db).cursor() as cr:
        keys = env(cr)["res.users.apikeys"].with_user(user_id).sudo()
        return [
            keys._generate(fill.SCOPE, f"{COLD_KEY_NAME} {index}", expiration)
            for index in range(count)
        ]


def measure_cold_key(client, db, facts, rounds, warmup, rng):
    """GET order_status with a key no worker has seen (one new key per
    request: the service checks it with Odoo's pbkdf2 and queries its row,
    on a cursor of its own) beside the same request with the warm key (its
    check remembered by the worker). The URL says which (``bench=cold``, a
    parameter the API ignores), for the access log's query counts."""
    keys = iter(fresh_keys(db, facts["user_id"], rounds + warmup))
    params = {"identifiedBy": "external", "order_id": fill.ext_id(1)}

    def cold():
        return client.api(
            "GET", "order_status", key=next(keys), params={**params, "bench": "cold"}
        )

    def warm():
        return client.api("GET", "order_status", params={**params, "bench": "warm"})

    try:
        return interleave(
            {"api_status_cold_key": cold, "api_status_warm_key": warm},
            rounds,
            warmup,
            rng,
        )
    finally:
        # gone without the ORM (its unlink would clear every worker's caches)
        with registry(db).cursor() as cr:
            cr.execute(
                "DELETE FROM res_users_apikeys WHERE user_id = %s AND name LIKE %s",
                [facts["user_id"], f"{COLD_KEY_NAME} %"],
            )


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
            seconds, budget = timed(lambda: buckets._take(f"bench-rate-{key}", 10**9))
            assert budget.allowed
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


def explain_list_queries(db, facts, n):
    """EXPLAIN (ANALYZE, BUFFERS) of the queries _list_orders runs, as the
    portal user, captured as the service ran them: for
    ?updated_since=...&sort=updated_asc&page_size=100 (a sync poll), for the
    default first page, and the page query of the last page (deep OFFSET).
    Returns (updated_since, [(title, query, plan)])."""
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
        default = {"statuses": None, "sort": "created_desc"}
        last = deep_pages(n)[-1]
        plans = []
        for title, page, filters in (
            (
                "sync poll: updated_since (newest 1 %), sort=updated_asc",
                1,
                {"statuses": None, "sort": "updated_asc", "updated_since": since},
            ),
            ("default sort, page 1", 1, default),
            (
                f"default sort, page {last} (the last): the page query",
                last,
                default,
            ),
        ):
            queries = capture_queries(
                lambda p=page, f=filters: service._list_orders(p, 100, f)
            )
            # the page with its count and the orders' headers: one statement
            wanted = [q for q in queries if "OFFSET" in q and "sale_order" in q]
            for query in wanted:
                cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
                plans.append((title, query, "\n".join(row[0] for row in cr.fetchall())))
        cr.rollback()
    return since, plans


def orm_create_order(reg, facts, eans, address, index):
    """The bare ORM doing what POST order does, committed, in this process:
    the products resolved by barcode among those the partner may order, the
    external id checked unused, the country found by code, the delivery
    contact searched by its address (created when missing), then create +
    action_confirm (with the API's deferred reservation)."""
    with reg.cursor() as cr:
        e = env(cr)
        partner = e["res.partner"].browse(facts["writer_id"])
        user = e["res.users"].browse(facts["writer_user_id"])
        company = e.company
        by_ean = {}
        for product in partner.order_api_product_ids.filtered(
            lambda p: (
                p.active
                and p.sale_ok
                and p.barcode
                and p.company_id in (company, company.browse())
            )
        ).sorted("id"):
            by_ean.setdefault(product.barcode, product)
        lines = [(by_ean[ean], amount) for ean, amount in eans]
        external_id = f"ORM-{index}-{time.time_ns()}"
        assert not e["sale.order"].search_count(
            [
                ("order_api_partner_id", "=", partner.id),
                ("order_api_external_id", "=", external_id),
            ],
            limit=1,
        )
        country = e["res.country"].search(
            [("code", "=", address["country_code"])], limit=1
        )
        contact_vals = {
            "name": address["name"],
            "street": address["street"],
            "street2": address.get("street2") or False,
            "zip": address["zip"],
            "city": address["city"],
            "country_id": country.id,
        }
        Partner = e["res.partner"]
        shipping = Partner.search(
            [("parent_id", "=", partner.id), ("type", "=", "delivery")]
            + [(field, "=", value) for field, value in contact_vals.items()],
            order="id",
            limit=1,
        ) or Partner.create(dict(contact_vals, parent_id=partner.id, type="delivery"))
        vals = {
            "partner_id": user.partner_id.id,
            "partner_shipping_id": shipping.id,
            "order_api_partner_id": partner.id,
            "order_api_external_id": external_id,
            "client_order_ref": external_id,
            "company_id": company.id,
            "pricelist_id": partner.property_product_pricelist.id,
            "order_line": [
                (0, 0, {"product_id": product.id, "product_uom_qty": qty})
                for product, qty in lines
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


def measure_post(client, db, facts, rounds, warmup, rng):
    """POST order beside the bare ORM doing the same work in this process,
    the round trip of a request (GET /web/health), and an empty
    authenticated request."""
    reg = registry(db)
    eans = [(ean, amount) for _pid, ean, amount in order_lines(db)]
    address = fill.ADDRESSES[0]
    key = facts["writer_key"]

    def api_post():
        resp = client.api("POST", "order", key=key, json=order_body(db))
        assert resp.status_code == 201

    orm_index = iter(range(10**9))
    funcs = {
        "api_post_order": api_post,
        "orm_create_confirm": lambda: orm_create_order(
            reg, facts, eans, address, next(orm_index)
        ),
        "rtt_health": client.health,
        "empty_request": lambda: client.api(
            "GET", "available_products", key=facts["empty_key"]
        ),
    }
    return interleave(funcs, rounds, warmup, rng)


BATCH_SIZE = 100


def measure_batch(client, db, facts, rounds, warmup, rng):
    """POST orders/batch of BATCH_SIZE two-line orders (one request) beside
    BATCH_SIZE POST order calls of the same orders one after the other (a
    client's loop), each series timed whole; every order is checked
    created (201). New external ids each time: nothing is refused."""
    key = facts["writer_key"]

    def batch():
        orders = [order_body(db) for _i in range(BATCH_SIZE)]
        resp = client.api("POST", "orders/batch", key=key, json={"orders": orders})
        statuses = [result["status"] for result in resp.json()["results"]]
        assert statuses == [201] * BATCH_SIZE, statuses

    def singles():
        for _i in range(BATCH_SIZE):
            resp = client.api("POST", "order", key=key, json=order_body(db))
            assert resp.status_code == 201

    return interleave(
        {"api_batch_100": batch, "api_post_order_x100": singles}, rounds, warmup, rng
    )


def measure_webhooks(client, db, facts, count, port=0):
    reg = registry(db)
    latencies = []
    with WebhookReceiver(port=port) as receiver:
        # the delivery events alone: one request per validated delivery, as
        # the latency below counts them
        client.api(
            "PUT",
            "webhook",
            key=facts["writer_key"],
            json={
                "url": receiver.url,
                "event_types": ["order.partially_shipped", "order.shipped"],
            },
        )
        # the reservation cron of the server reserves what POST created
        # (before the deliveries are validated here: a validation beside the
        # cron's reservation of the same lots makes PostgreSQL refuse one of
        # them, which Odoo logs as an error)
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


DEEP_PAGE = re.compile(rf"^{API}/orders\?page_size=100&page=(\d+)$")
ROUTES = {
    "GET orders page_size=100&sort=created_desc, every order changed before": lambda m, t: (
        m == "GET" and t == f"{API}/orders?page_size=100&sort=created_desc"
    ),
    "JSON-RPC call_kw write of the page's 100 notes (the change before it, admin)": lambda m, t: (
        t == f"/web/dataset/call_kw/sale.order/write/{changes.CHANGE_TAG}"
    ),
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
    "GET order_status, a fresh key's first request": lambda m, t: (
        m == "GET" and t.startswith(f"{API}/order_status") and t.endswith("bench=cold")
    ),
    "GET order_status, the warm key (beside it)": lambda m, t: (
        m == "GET" and t.startswith(f"{API}/order_status") and t.endswith("bench=warm")
    ),
    "GET order_status (by external id)": lambda m, t: (
        m == "GET" and t.startswith(f"{API}/order_status")
    ),
    "POST order (2 lines)": lambda m, t: m == "POST" and t == f"{API}/order",
    f"POST orders/batch ({BATCH_SIZE} orders of 2 lines)": lambda m, t: (
        m == "POST" and t == f"{API}/orders/batch"
    ),
    "PUT webhook": lambda m, t: m == "PUT" and t == f"{API}/webhook",
    "JSON-RPC call_kw search_read of 100 orders, header fields (admin)": lambda m, t: (
        t == "/web/dataset/call_kw/sale.order/search_read"
    ),
    "JSON-RPC call_kw search_read of 100 orders with their line ids (admin)": lambda m, t: (
        t == "/web/dataset/call_kw/sale.order/search_read/with_lines"
    ),
    "JSON-RPC call_kw search_read of their lines (admin)": lambda m, t: t.startswith(
        "/web/dataset/call_kw/sale.order.line/search_read"
    ),
    "GET /web/health (no authentication)": lambda m, t: t == "/web/health",
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


def route_name(routes, method, target):
    page = DEEP_PAGE.match(target)
    if method == "GET" and page and page.group(1) != "1":
        return f"GET orders page_size=100&page={page.group(1)}"
    for name, match in routes.items():
        if match(method, target):
            return name
    return None


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
                name = route_name(routes, method, target)
                if name:
                    result.setdefault((name, n), []).append(queries)
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


def ratio_row(name, a, c, target):
    """A row comparing two series by their p50 (and p95); ``target``: the
    largest p50 ratio A/B allowed, or None."""
    ratio = p50(a) / p50(c)
    return (
        name,
        cell(a),
        cell(c),
        f"{ratio:.2f} (p95 {percentile(a, 95) / percentile(c, 95):.2f})",
        f"<= {target}" if target else "-",
        ratio <= target if target else None,
    )


def timing_rows(r):
    """The table's rows: (measure, A, B, ratio, target, met: True, False or
    None when the row has no target)."""
    n_small, n_big = r["sizes"]
    s, b = label(n_small), label(n_big)
    t = r["times"]
    rows = []
    vs_rpc = (
        "GET orders page_size=100, objects from the workers' caches (A) vs JSON-RPC "
        "search_read of the same 100 orders, header fields only, 1 call (B)"
    )
    vs_lines = (
        "GET orders page_size=100 (A) vs JSON-RPC, the same 100 orders with their lines: "
        "search_read of the orders, then of their lines, 2 calls (B)"
    )
    vs_rpc_cold = (
        "GET orders page_size=100, every order of the page changed through Odoo "
        "before each request (JSON-RPC write of its note: every object made anew) "
        "(A) vs JSON-RPC search_read of the same 100 orders, header fields only, "
        "beside it (B)"
    )
    for name, num, den, target in (
        (
            f"{vs_rpc}, N={s}",
            f"api_orders_{n_small}",
            f"rpc_search_read_{n_small}",
            WARM_TARGET,
        ),
        (
            f"{vs_rpc}, N={b}",
            f"api_orders_{n_big}",
            f"rpc_search_read_{n_big}",
            WARM_TARGET,
        ),
        (
            f"{vs_rpc_cold}, N={s}",
            f"api_orders_cold_{n_small}",
            f"rpc_search_read_cold_{n_small}",
            COLD_TARGET,
        ),
        (
            f"{vs_rpc_cold}, N={b}",
            f"api_orders_cold_{n_big}",
            f"rpc_search_read_cold_{n_big}",
            COLD_TARGET,
        ),
        (
            f"{vs_lines}, N={s}",
            f"api_orders_{n_small}",
            f"rpc_with_lines_{n_small}",
            1.5,
        ),
        (f"{vs_lines}, N={b}", f"api_orders_{n_big}", f"rpc_with_lines_{n_big}", 1.5),
        (
            f"GET orders page_size=100: N={b} (A) vs N={s} (B)",
            f"api_orders_{n_big}",
            f"api_orders_{n_small}",
            1.3,
        ),
        (
            f"JSON-RPC search_read, header fields (reference): N={b} (A) vs N={s} (B)",
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
        rows.append(ratio_row(name, t[num], t[den], target))
    pages = deep_pages(n_big)
    for page in pages:
        rows.append(
            ratio_row(
                f"GET orders page_size=100, page {page} of {pages[-1]} (A) vs JSON-RPC "
                f"search_read, header fields, offset {(page - 1) * 100} (B), N={b}",
                t[f"api_orders_p{page}_{n_big}"],
                t[f"rpc_search_read_p{page}_{n_big}"],
                1.2,
            )
        )
    first, last = pages[0], pages[-1]
    rows.append(
        ratio_row(
            f"Deep page, GET orders page_size=100, N={b}: page {last} (A) vs page {first} (B)",
            t[f"api_orders_p{last}_{n_big}"],
            t[f"api_orders_p{first}_{n_big}"],
            None,
        )
    )
    rows.append(
        ratio_row(
            f"Deep page, JSON-RPC search_read (reference), N={b}: offset {(last - 1) * 100} (A) vs 0 (B)",
            t[f"rpc_search_read_p{last}_{n_big}"],
            t[f"rpc_search_read_p{first}_{n_big}"],
            None,
        )
    )
    api_p, orm_p, rtt = t["api_post_order"], t["orm_create_confirm"], t["rtt_health"]
    allowed = 1.15 * p50(orm_p) + p50(rtt)
    rows.append(
        (
            f"POST order, 2 lines (A) vs the ORM in-process doing the same, committed: products "
            f"by barcode, external id checked, delivery contact searched, create + action_confirm "
            f"(B), N={s}",
            cell(api_p),
            cell(orm_p),
            f"{p50(api_p) / p50(orm_p):.2f}; A-B = {ms(p50(api_p) - p50(orm_p))} ms",
            f"A <= 1.15 B + RTT = {ms(allowed)}",
            p50(api_p) <= allowed,
        )
    )
    batch, singles = t["api_batch_100"], t["api_post_order_x100"]
    rows.append(
        (
            f"POST orders/batch, {BATCH_SIZE} orders of 2 lines in one request (A) vs "
            f"{BATCH_SIZE} POST order of 2 lines one after the other (B), N={s}; "
            f"per order: A {ms(p50(batch) / BATCH_SIZE)} ms, B {ms(p50(singles) / BATCH_SIZE)} ms",
            cell(batch),
            cell(singles),
            f"{p50(batch) / p50(singles):.2f} (p95 "
            f"{percentile(batch, 95) / percentile(singles, 95):.2f})",
            "measured",
            None,
        )
    )
    rows.append(
        (
            "RTT: GET /web/health (no key, no session, no rate limiter)",
            cell(rtt),
            "",
            "",
            "-",
            None,
        )
    )
    rows.append(
        ratio_row(
            "Empty authenticated request: GET available_products of a partner with 0 products "
            "(key check, rate limiter, caller) (A) vs GET /web/health (B)",
            t["empty_request"],
            rtt,
            1.5,
        )
    )
    cold, warm = t["api_status_cold_key"], t["api_status_warm_key"]
    rows.append(
        (
            f"GET order_status: a key's first request, no worker has seen it (A) vs a warm "
            f"key (B), N={s}",
            cell(cold),
            cell(warm),
            f"{p50(cold) / p50(warm):.2f}; A-B = {ms(p50(cold) - p50(warm))} ms",
            "measured",
            None,
        )
    )
    if "pdf_rendered" in t:  # results of a run before the PDF row have none
        rendered, again = t["pdf_rendered"], t["pdf_served_again"]
        rows.append(
            (
                "GET order/document?type=order: rendered by wkhtmltopdf, the document "
                f"cache emptied first (A) vs the same PDF served again (B), N={s}",
                cell(rendered),
                cell(again),
                f"{p50(rendered) / p50(again):.1f}",
                "measured",
                None,
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
            None,
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
            p50(rate) < 0.001,
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
            p50(wh) <= 2,
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
            big[0] - small[0] <= 50,
        )
    )
    if r.get("rss_large"):
        rows.append(large_orders.row(r["rss_large"], b))
    if r.get("storm"):
        rows.extend(storm_row.rows(r["storm"]))
    return rows


def met_cell(met, log_problems):
    """The Met column: a row with a target is not met when a server logged a
    problem during the run, whatever its figures."""
    if met is None:
        return "-"
    if log_problems:
        return "NO (server log)" if met else "NO"
    return "yes" if met else "NO"


def verdict(r, rows):
    """(met, why): the run is met when every row with a target is and no
    server logged a WARNING, ERROR or CRITICAL."""
    missed = [row[0] for row in rows if row[5] is False]
    why = []
    if r.get("problems"):
        why.append(
            f"the servers logged {len(r['problems'])} problem line(s), listed at the end"
        )
    if missed:
        why.append(f"{len(missed)} target(s) missed")
    return not why, "; ".join(why)


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
    """(the report in Markdown, whether the run met its targets)."""
    n_small, n_big = r["sizes"]
    s, b = label(n_small), label(n_big)
    rows = timing_rows(r)
    met, why = verdict(r, rows)
    out = [
        f"# Partner Order API benchmark ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
    ]
    if r.get("quick"):
        out += [
            "**Quick trial run (--quick): few requests, small N; not a result.**",
            "",
        ]
    out += [
        f"**Run: {'met' if met else 'NOT MET'}**"
        + (f" ({why})" if why else "")
        + ": every target below, and no WARNING, ERROR or CRITICAL in the servers' logs.",
        "",
        f"odoo-bin --workers=2 per database on 127.0.0.1; {r['rounds']} requests per series after {r['warmup']} "
        "warm-up; the series of a comparison run side by side in the same run, in an order shuffled "
        f"anew each round (seed {r['seed']}). Times in ms, client-side. POST orders/batch "
        f"beside {BATCH_SIZE} POST order: {r.get('batch_rounds')} rounds after 1 of warm-up, each "
        "series timed whole.",
        "Rate limits: "
        + ", ".join(
            f"{name.split('.')[-1]} = {value:,}" for name, value in RATE_LIMITS.items()
        )
        + " (every request takes a token of its partner's budget, which the bench never spends).",
        f"Load average (1 min) at start / end: {r['load'][0]:.1f} / {r['load'][1]:.1f} on {os.cpu_count()} "
        "cores (other processes on the machine add noise; series side by side share it).",
        "",
    ]
    out += table(
        ("Measure", "A p50 / p95", "B p50 / p95", "p50 ratio A/B", "Target", "Met"),
        [(*row[:5], met_cell(row[5], r.get("problems"))) for row in rows],
    )
    if r.get("storm"):
        out += storm_row.notes(r["storm"])
    rows, page_sets = query_rows(r)
    out += [
        "",
        "SQL queries per request, from each server's access log: Odoo's werkzeug line carries the number of",
        "statements the request ran in its thread (every cursor: rate limiter, registry checks included).",
        "Values of at least 20 % of the requests; 'rarely': a worker's first request after a cache",
        "invalidation, or when its 60 s cache of verified keys turns over (+4: the key's check, on a",
        "cursor of its own, as for a fresh key).",
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
        if f.get("reused"):
            upgraded = f.get("upgraded_seconds")
            out.append(
                f"- N={label(n)}: reused from a previous run (--reuse-dbs)"
                + (
                    f", the addon upgraded there (-u, {upgraded:.0f} s)"
                    if upgraded is not None
                    else ""
                )
                + f"; verified: total_count = {v['total_count']}, "
                f"{v['copies_checked']} copies answer order_status like their originals"
            )
            continue
        out.append(
            f"- N={label(n)}: {f['fill_total_seconds']:.0f} s (createdb -T {f['createdb_seconds']:.0f} s, "
            f"SQL replication x{f['copies']} {f['fill_seconds']:.0f} s, VACUUM ANALYZE {f['vacuum_seconds']:.0f} s); "
            f"verified: total_count = {v['total_count']}, {v['copies_checked']} copies answer order_status "
            "like their originals"
            + (f"; not copied: {f['uncopied']}" if f.get("uncopied") else "")
        )
    out += [
        "",
        f"EXPLAIN (ANALYZE, BUFFERS) at N={b}, as the portal user, of the queries _list_orders ran",
        f"(page_size=100; the sync poll's updated_since={r['explain_since']}):",
        "",
    ]
    for title, query, plan in r["explain"]:
        out.append(f"{title}:")
        if "updated_since" in title:
            out.append(
                f"Index sale_order_order_api_updated_idx used: {yes('sale_order_order_api_updated_idx' in plan)}"
            )
        out += ["```sql", query, "```", "```", plan, "```"]
    if r.get("problems"):
        out += [
            "",
            f"Server log problems ({len(r['problems'])} line(s), the first 20):",
            "",
        ] + [f"    {line}" for line in r["problems"][:20]]
    out += ["", f"Whole run: {r['total_seconds'] / 60:.1f} min"]
    return "\n".join(out), met


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a trial run: N = 1,000 and 5,000, 20 requests per series after 5 "
        "of warm-up, 3 webhooks (options given too override these)",
    )
    parser.add_argument(
        "--sizes", help="N values, comma-separated (small,big); default 1000,100000"
    )
    parser.add_argument("--rounds", type=int, help="requests per series (200)")
    parser.add_argument("--warmup", type=int, help="warm-up requests per series (20)")
    parser.add_argument("--webhooks", type=int, help="webhook deliveries timed (20)")
    parser.add_argument(
        "--batch-rounds",
        type=int,
        help=f"rounds of POST orders/batch ({BATCH_SIZE} orders) beside "
        f"{BATCH_SIZE} POST order, after 1 of warm-up (10)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="seed of the shuffled order of the series in each round (default: random)",
    )
    parser.add_argument(
        "--port-base",
        type=int,
        default=int(os.environ.get("BENCH_PORT_BASE") or 0),
        help="HTTP ports base, base+2 for the two servers (their evented "
        "processes on base+1, base+3), base+4 for the RSS row's (+5); default "
        "BENCH_PORT_BASE, else free ports",
    )
    parser.add_argument(
        "--storm-seconds",
        type=int,
        default=storm_row.SECONDS,
        help="length of partner A's storm in the noisy-neighbour row "
        f"({storm_row.SECONDS}; 0 leaves the row out)",
    )
    parser.add_argument(
        "--storm-only",
        metavar="DB",
        help="run the noisy-neighbour row alone on DB (the addon installed with "
        "its demo data), print it and write $BENCH_STATE/storm.md",
    )
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
    defaults = (
        {
            "sizes": "1000,5000",
            "rounds": 20,
            "warmup": 5,
            "webhooks": 3,
            "batch_rounds": 3,
        }
        if args.quick
        else {
            "sizes": "1000,100000",
            "rounds": 200,
            "warmup": 20,
            "webhooks": 20,
            "batch_rounds": 10,
        }
    )
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def prepare_dbs(sizes, reuse, r):
    """{N: database}, filled (or reused), with the bench's rate limits;
    their facts."""
    dbs = {}
    for n in sizes:
        db = f"{PREFIX}_{label(n)}"
        if reuse and db_exists(db):
            dbs[n] = db
            upgraded = upgrade_if_changed(db)
            # the deliveries an earlier run's last series (the batches) left
            # for the reservation cron when its server stopped: not this
            # run's work (the webhook series waits for the cron to be idle)
            psql(
                db,
                "UPDATE stock_picking SET order_api_reservation_pending = false"
                " WHERE order_api_reservation_pending",
            )
            r["fill"][n] = {
                "reused": True,
                "upgraded_seconds": upgraded,
                "fill_total_seconds": 0,
                "createdb_seconds": 0,
                "vacuum_seconds": 0,
                "fill_seconds": 0,
                "copies": n // fill.SEED_ORDERS - 1,
            }
            continue
        dbs[n], r["fill"][n] = make_db(n)
    facts = {n: fill.facts(db) for n, db in dbs.items()}
    for db in dbs.values():
        with registry(db).cursor() as cr:
            params = env(cr)["ir.config_parameter"]
            for name, value in RATE_LIMITS.items():
                params.set_param(name, str(value))
        close_db(db)
    return dbs, facts


def main():
    args = parse_args()
    if args.storm_only:
        return storm_row.main(args.storm_only, args.storm_seconds)
    sizes = [int(x) for x in args.sizes.split(",")]
    assert len(sizes) == 2 and sizes[0] < sizes[1]
    t_start = time.monotonic()
    seed = random.SystemRandom().randrange(2**31) if args.seed is None else args.seed
    rng = random.Random(seed)
    r = {
        "sizes": sizes,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "quick": args.quick,
        "seed": seed,
        "times": {},
        "fill": {},
        "verify": {},
    }
    load_start = os.getloadavg()[0]
    r["template"] = ensure_template(args.rebuild_template)
    dbs, facts = prepare_dbs(sizes, args.reuse_dbs, r)
    r["large"] = large_orders.ensure(dbs[sizes[1]])
    servers = {}
    try:
        for index, (n, db) in enumerate(dbs.items()):
            port = args.port_base + 2 * index if args.port_base else None
            servers[n] = Server(db, workers=2, name=label(n), port=port).start()
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
        r["times"].update(
            measure_lists(clients, args.rounds, args.warmup, r["rss"], rng)
        )
        log("measuring GET orders with every order object made anew")
        mark("lists_cold")
        r["times"].update(measure_lists_cold(clients, args.rounds, args.warmup, rng))
        log("measuring GET order_status")
        mark("status")
        r["times"].update(measure_status(clients, args.rounds, args.warmup, rng))
        log("measuring GET order/document: rendered vs served again")
        mark("pdf")
        r["times"].update(pdf.measure_pdf(clients[sizes[0]], dbs[sizes[0]], rng))
        log(f"measuring deep pages at N={label(sizes[1])}")
        mark("deep")
        r["times"].update(
            measure_deep_pages(
                clients[sizes[1]], sizes[1], args.rounds, args.warmup, rng
            )
        )
        log("measuring a cold key against a warm one")
        mark("cold")
        r["times"].update(
            measure_cold_key(
                clients[sizes[0]],
                dbs[sizes[0]],
                facts[sizes[0]],
                args.rounds,
                args.warmup,
                rng,
            )
        )
        mark("extra")  # more requests for the query counts: other page size, sync
        for client in clients.values():
            extra_requests(client, 20)
        mark("in-process")
        log("measuring the bearer key check in-process")
        r["auth"] = measure_auth(dbs[sizes[0]], facts[sizes[0]]["key"], args.rounds)
        log("EXPLAIN of the list queries")
        r["explain_since"], r["explain"] = explain_list_queries(
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
                rng,
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
            clients[sizes[0]],
            dbs[sizes[0]],
            facts[sizes[0]],
            args.webhooks,
            args.port_base + 8 if args.port_base else 0,
        )
        # last: its orders leave the reservation cron a backlog, which the
        # webhook measure (and a later run's) would wait for
        log(
            f"measuring POST orders/batch of {BATCH_SIZE} orders vs {BATCH_SIZE} POST order"
        )
        mark("batch")
        r["times"].update(
            measure_batch(
                clients[sizes[0]],
                dbs[sizes[0]],
                facts[sizes[0]],
                args.batch_rounds,
                1,
                rng,
            )
        )
        r["batch_rounds"] = args.batch_rounds
        mark("end")
        r["queries"] = query_counts(servers, marks)
        log(f"measuring the workers' RSS over large orders at N={label(sizes[1])}")
        r["rss_large"], r["rss_problems"] = large_orders.measure_on_new_server(
            dbs[sizes[1]],
            facts[sizes[1]]["key"],
            r["large"]["key"],
            args.port_base + 4 if args.port_base else None,
        )
        if args.storm_seconds:  # after the counts: its requests are not counted
            log("measuring partner B quiet, then under partner A's storms")
            r["storm"] = storm_row.measure(
                servers[sizes[0]], dbs[sizes[0]], args.storm_seconds
            )
    finally:
        for server in servers.values():
            server.stop()
    # the whole of each server's log, its shutdown included
    r["problems"] = [
        f"[N={label(n)}] {line}"
        for n, server in servers.items()
        for line in server.problems()
    ] + r.pop("rss_problems", [])
    r["total_seconds"] = time.monotonic() - t_start
    r["load"] = (load_start, os.getloadavg()[0])
    report, met = build_report(r)
    # a trial run never replaces the committed results
    results = STATE if args.quick else BENCH_DIR / "results"
    stem = "quick" if args.quick else "latest"
    results.mkdir(exist_ok=True)
    (results / f"{stem}.md").write_text(report + "\n")
    raw = {k: v for k, v in r.items() if k not in ("explain",)}
    raw["queries"] = {f"{name} @ {n}": c for (name, n), c in r["queries"].items()}
    (results / f"{stem}.json").write_text(json.dumps(raw, indent=1, default=str))
    print(report)
    log(
        f"report written to {results / f'{stem}.md'}; run {'met' if met else 'NOT MET'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
