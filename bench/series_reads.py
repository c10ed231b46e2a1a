# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The series of reads the bench times over HTTP, each beside its
reference, side by side (``common.interleave``): GET orders vs JSON-RPC
``search_read`` of the same page (warm objects, every object made anew,
deep pages), GET order_status at both N, a cold key vs a warm one.

Imports ``common``, ``fill`` (the seed's external ids) and ``changes``.
"""

import datetime
import functools
import random

import changes
import fill
from common import env, interleave, registry

COLD_KEY_NAME = "bench cold key"


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
