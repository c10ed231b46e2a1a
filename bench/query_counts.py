# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SQL statements per request, counted from the servers' access logs:
Odoo's werkzeug line ends with the number of statements the request ran in
its thread (``odoo.netsvc.PerfFilter``). Each request is named by its route
(``ROUTES``), per phase of the run (``PHASE_ROUTES``).

Imports ``common``, ``changes`` and ``series_writes`` (the batch size).
"""

import re

import changes
from common import API
from series_writes import BATCH_SIZE

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
