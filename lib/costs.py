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

READ = 1
ORDERS_PER_TOKEN = 50  # GET orders: one token per 50 objects a page may hold
DOCUMENT_COST = 5  # a PDF: rendered by wkhtmltopdf, or read from the cache
WEBHOOK_TEST_COST = 5  # a network call of up to the webhook deadline
BATCH_MAX_COST = 100  # orders/batch takes at most 100 orders

# operation id -> fixed cost (the others cost READ, batches one per order)
FIXED = {
    "getOrderDocument": DOCUMENT_COST,
    "testWebhook": WEBHOOK_TEST_COST,
}

# (what, tokens) rows of the README's table, in its order
COST_TABLE = (
    ("Any read (`available_products`, `order_status`, webhook settings)", "1"),
    ("`GET orders`", "1 per 50 objects of `page_size` (1 or 2)"),
    ("`POST order`, `POST order/quote`, `POST order/cancel`", "1"),
    ("`POST orders/batch`", "1 per order in `orders` (1 to 100)"),
    ("`GET order/document` (a PDF)", str(DOCUMENT_COST)),
    (
        "`POST webhook/test` (and the portal's *Send test event*)",
        str(WEBHOOK_TEST_COST),
    ),
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


def _batch_cost(body):
    try:
        orders = json.loads(body or b"").get("orders")
    except (ValueError, AttributeError, UnicodeDecodeError, RecursionError):
        return READ  # refused by validation: the cost of a read
    if not isinstance(orders, list):
        return READ
    return max(READ, min(len(orders), BATCH_MAX_COST))


def request_cost(operation_id, args, body):
    """Tokens a request of `operation_id` takes: `args` its query
    parameters (a mapping), `body` its raw body (bytes; read only for a
    batch). A request that validation will refuse costs what a read costs."""
    if operation_id == "listOrders":
        return _page_size_cost(args)
    if operation_id == "createOrdersBatch":
        return _batch_cost(body)
    return FIXED.get(operation_id, READ)
