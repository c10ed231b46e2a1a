# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What each request costs the partner's budget, in tokens.

One token is what a read costs the server (a page of up to 50 order
objects, one order, the product list); heavier work takes more, so that a
partner's budget bounds the server's work rather than its number of
requests. The README's cost table is ``COST_TABLE``. Pure Python: the
`ir.http` auth method calls ``request_cost`` before the route runs.
"""

import json
import math

from . import ubl_order

READ = 1
ORDERS_PER_TOKEN = 50  # GET orders: one token per 50 objects a page may hold
LINES_PER_TOKEN = 10  # an order or a quote: one token per 10 lines
ORDER_MAX_COST = 10  # an order holds at most 100 lines
DOCUMENT_COST = 5  # a PDF: rendered by wkhtmltopdf, or read from the cache
# an e-invoice (``type=invoice_xml``): made by Odoo's builder in Python, no
# wkhtmltopdf, in a render slot all the same, or read from the cache
XML_DOCUMENT_COST = 2
WEBHOOK_TEST_COST = 5  # a network call of up to the webhook deadline
REDELIVER_COST = 5  # queues sends: up to every failed event of 30 days
BATCH_MAX_COST = 1000  # orders/batch takes at most 100 orders

# operation id -> fixed cost (the others cost READ, batches one per order)
FIXED = {
    "getOrderDocument": DOCUMENT_COST,
    "testWebhook": WEBHOOK_TEST_COST,
    "testWebhookEndpoint": WEBHOOK_TEST_COST,
    "redeliverWebhookEvents": REDELIVER_COST,
}
# lists whose cost is by their page size
PAGED = ("listOrders", "listWebhookEvents")

# operations whose body is one order (cost by its lines)
ORDER_BODIES = ("createOrder", "quoteOrder", "changeOrder", "quoteOrderChange")
# those of them that also take a UBL Order (lib/ubl_order.py)
XML_ORDER_BODIES = ("createOrder", "quoteOrder")
# operations whose cost depends on the body
BODY_COSTS = ("createOrdersBatch", *ORDER_BODIES)

# (what, tokens) rows of the README's table, in its order
COST_TABLE = (
    (
        "Any read (`available_products`, `order_status`, `account`, webhook settings)",
        "1",
    ),
    ("`GET orders`, `GET webhook/events`", "1 per 50 items of `page_size` (1 or 2)"),
    ("`POST order`, `POST order/quote`", "1 per 10 lines (1 to 10)"),
    ("`POST order/cancel`", "1"),
    ("`POST order/return`", "1"),
    (
        "`POST order/change`, `POST order/change/quote`",
        "1 per 10 lines named (1 to 10)",
    ),
    (
        "`POST orders/batch`",
        "the sum of its orders' costs: 1 per order of up to 10 lines",
    ),
    ("`GET order/document` (a PDF)", str(DOCUMENT_COST)),
    ("`GET order/document?type=invoice_xml` (an e-invoice)", str(XML_DOCUMENT_COST)),
    (
        "`POST webhook/test`, `POST webhook/endpoints/{endpoint_id}/test` "
        "(and the portal's *Send test event*)",
        str(WEBHOOK_TEST_COST),
    ),
    ("`POST webhook/events/redeliver`", str(REDELIVER_COST)),
)


def markdown_table():
    """``COST_TABLE`` as a Markdown table (the OpenAPI document's)."""
    rows = ["| Request | Tokens |", "|---|---|"]
    rows += [f"| {what} | {tokens} |" for what, tokens in COST_TABLE]
    return "\n".join(rows)


def _page_size_cost(args):
    try:
        page_size = int(args.get("page_size", 20))
    except (TypeError, ValueError):
        return READ  # refused by validation: the cost of a read
    return max(READ, math.ceil(min(max(page_size, 1), 100) / ORDERS_PER_TOKEN))


def _order_cost(order):
    """An order's (or a quote's) tokens: one per 10 lines (``ean`` and
    ``amount`` alone: one line); what validation will refuse costs 1."""
    lines = order.get("lines") if isinstance(order, dict) else None
    if not isinstance(lines, list):
        return READ
    return max(READ, min(math.ceil(len(lines) / LINES_PER_TOKEN), ORDER_MAX_COST))


def _json_body(body):
    try:
        return json.loads(body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None  # refused by validation


def _batch_cost(body):
    data = _json_body(body)
    orders = data.get("orders") if isinstance(data, dict) else None
    if not isinstance(orders, list) or not orders:
        return READ
    cost = sum(_order_cost(order) for order in orders[: BATCH_MAX_COST // 10])
    return max(READ, min(cost, BATCH_MAX_COST))


def request_cost(operation_id, args, body):
    """Tokens a request of `operation_id` takes: `args` its query
    parameters (a mapping), `body` its raw body (bytes; read only for a
    batch). A request that validation will refuse costs what a read costs."""
    if operation_id in PAGED:
        return _page_size_cost(args)
    if operation_id == "createOrdersBatch":
        return _batch_cost(body)
    if operation_id in ORDER_BODIES:
        count = None
        if operation_id in XML_ORDER_BODIES and body and body.lstrip()[:1] == b"<":
            # a UBL Order: its lines count as a JSON order's do
            count = ubl_order.line_count(body)
        if count is not None:
            return _order_cost({"lines": [None] * count})
        return _order_cost(_json_body(body))
    if operation_id == "getOrderDocument" and args.get("type") == "invoice_xml":
        return XML_DOCUMENT_COST
    return FIXED.get(operation_id, READ)
