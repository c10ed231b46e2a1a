# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The bench's HTTP client of one server: the API with a partner's key,
and Odoo's JSON-RPC (``/web/dataset/call_kw``) with an admin session, which
the API is compared with.
"""

import requests
from common import API

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


class Client:
    """The API of ``server`` with the bench partner's key (``facts``), and
    Odoo's JSON-RPC as the admin (``login()`` first), each on a session of
    its own."""

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
        url = f"{self.url}{API}/{route}"
        resp = self.http.request(method, url, headers=headers, timeout=120, **kwargs)
        if resp.status_code >= 400:
            raise RuntimeError(
                f"{method} {route}: {resp.status_code} {resp.text[:300]}"
            )
        return resp

    def login(self):
        body = {
            "jsonrpc": "2.0",
            "params": {"db": self.server.db, "login": "admin", "password": "admin"},
        }
        url = f"{self.url}/web/session/authenticate"
        resp = self.rpc.post(url, json=body, timeout=60)
        result = resp.json()
        if "error" in result:
            raise RuntimeError(f"admin login failed: {result['error']}")

    def call_kw(self, model, method, args, kwargs, tag=None):
        """``tag``: a last part of the URL, which Odoo ignores (its access
        log shows it: the bench counts queries per call by URL)."""
        self._rpc_id += 1
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": self._rpc_id,
            "params": {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": kwargs,
            },
        }
        url = f"{self.url}/web/dataset/call_kw/{model}/{method}" + (
            f"/{tag}" if tag else ""
        )
        resp = self.rpc.post(url, json=body, timeout=120)
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
