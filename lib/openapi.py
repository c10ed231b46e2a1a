# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The OpenAPI 3.1 document, generated from ``lib/schemas.py``.

``OPERATIONS`` is the one list of the API's routes: ``controllers/`` takes
each route's path, method and access from it, and ``document()`` builds the
document from it and from the models. ``scripts/gen_openapi.py`` writes
``static/openapi.json``; a test fails when the committed file differs.
"""

import ast
import copy
import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from pydantic.json_schema import models_json_schema

from . import costs, schemas
from .openapi_examples import EXAMPLES, IDEMPOTENCY_KEY

PREFIX = "/partner_order_api"
REF = "#/components/{kind}/{name}"


def _md(text):
    return textwrap.dedent(text).strip()


@dataclass(frozen=True)
class Operation:
    """One route of the API and everything the document says of it."""

    operation_id: str
    method: str
    path: str  # under PREFIX
    tag: str
    summary: str
    response: type | str  # the model of the success answer, or a FILE_SCHEMAS name
    response_description: str
    errors: dict  # status -> name in components/responses
    status: int = 200
    description: str = ""
    query: type | None = None
    body: type | None = None
    body_examples: tuple = ()
    response_examples: tuple = ()
    idempotent: bool = False  # takes Idempotency-Key
    authenticate: bool = True
    media_type: str = "application/json"  # of the success answer
    extra: dict = field(default_factory=dict)
    writes: bool | None = None  # None: every method but GET writes

    @property
    def readonly(self):
        """Routes that write nothing (GET routes, and those declared
        ``writes=False``) are read-only: they run on a read-only cursor and
        read-only keys may call them; the others write."""
        return self.method == "GET" if self.writes is None else not self.writes

    @property
    def full_path(self):
        return f"{PREFIX}/{self.path}"


def _errors(*statuses, write=False, **special):
    """The error answers of an authenticated route, by status."""
    errors = {
        "400": "ValidationError",
        "401": "Unauthorized",
        "403": "WriteForbidden" if write else "Forbidden",
        "404": "NotFound",
        "405": "MethodNotAllowed",
        "429": "RateLimited",
        "500": "InternalError",
    }
    always = {"401", "403", "405", "429", "500"}
    chosen = {s: errors[s] for s in errors if s in always or s in statuses}
    chosen.update({status.lstrip("_"): name for status, name in special.items()})
    return dict(sorted(chosen.items()))


LIST_ORDERS_DESCRIPTION = _md(
    """
    The partner's orders, one page at a time, newest first unless `sort` says
    otherwise. The filters combine: `status`, `created_from` and `created_to`
    (inclusive, on the creation time), `updated_since` (inclusive, on
    `updated_at`). A page beyond the last one is empty.

    **Sync.** To keep a copy of the partner's orders up to date, use keyset
    paging on `updated_at`, always with `page=1`:

    1. `GET orders?sort=updated_asc&updated_since=T&page_size=100`, with `T`
       the `next_updated_since` saved last time (the first time: any past
       date-time, e.g. `2020-01-01T00:00:00Z`);
    2. process `orders`, then save `pagination.next_updated_since`;
    3. repeat with `updated_since` = that value while `has_next` is true;
       otherwise poll again later, from the saved value.

    `next_updated_since` is the `updated_at` of the last order of the page
    (inclusive: that order comes again), but never later than now minus a
    safety window of 120 seconds, so that a change whose transaction commits
    late is not skipped. Every change is seen at least once; an order may come
    more than once (keep the one with the latest `updated_at`). Should
    `next_updated_since` equal the `updated_since` you sent while `has_next`
    is true (more than `page_size` orders changed in the same microsecond), ask
    for `page=2`, 3, ... with the same `updated_since` until it moves on.

    Example: `GET orders?sort=updated_asc&updated_since=2026-11-24T08:00:00Z`
    answers `"next_updated_since": "2026-11-24T09:02:17.318204Z"`; the next
    request is `GET orders?sort=updated_asc&updated_since=2026-11-24T09:02:17.318204Z`.
    """
)

ORDER_DOCUMENT_DESCRIPTION = _md(
    """
    The PDF of one of the partner's orders (identified as in `order_status`),
    rendered by Odoo's own reports, in the customer's language:

    - `type=invoice`: a posted invoice or credit note of the order (see the
      order's `invoices`): the one whose number is `invoice_number`, or without
      it the latest (by invoice date). When accounting already sent the
      invoice, this is the very PDF it sent; otherwise Odoo renders it now.
    - `type=delivery_slip`: the delivery slip of a done outgoing delivery (see
      `deliveries`): the one named `delivery_order_name`, or without it the
      latest done one.
    - `type=order`: the order confirmation (a quotation while the order is
      `pending`).

    The answer is `application/pdf` with `Content-Disposition: attachment;
    filename="..."` (e.g. `INV_2026_00042.pdf`, `WH_OUT_00012.pdf`,
    `S00042.pdf`). An order that does not exist or belongs to another partner,
    and a document the order does not have (no posted invoice, no such
    invoice number, no done delivery...), answer 404 `not_found` in JSON.
    `invoice_number` is used with `type=invoice` only, `delivery_order_name`
    with `type=delivery_slip` only (ignored with the other types). When the
    server cannot render PDFs (no wkhtmltopdf), 503 `document_unavailable`.

    **Renders are limited server-wide**: only a few PDFs are rendered at
    once, for all partners together; when none more may start, the answer is
    503 `busy` with `Retry-After` (seconds; retry then). A document that did
    not change since it was last rendered (the same order, invoice or
    delivery in the same state, in the same language) is served again
    without rendering, and never answers `busy`; neither does an invoice
    accounting already sent.

    Example: `GET order/document?identifiedBy=biomes&order_id=S00042&type=invoice&invoice_number=INV/2026/00042`
    answers the invoice as `INV_2026_00042.pdf`.
    """
)

OPERATIONS = (
    Operation(
        "listAvailableProducts",
        "GET",
        "available_products",
        "Products",
        "Products the partner may order, with prices",
        schemas.ProductList,
        "The allowed products.",
        _errors(_409="ProductListConflict"),
        description="The products allowed for the authenticated partner that "
        "have an EAN, with their price for quantity 1 from the partner's "
        "pricelist, taxes excluded, the quantity free in stock now "
        "(`available_quantity`) and the customer lead time in days "
        "(`sale_delay`).",
        response_examples=("ProductList",),
    ),
    Operation(
        "listOrders",
        "GET",
        "orders",
        "Orders",
        "The partner's orders, filtered and sorted, one page at a time",
        schemas.OrderList,
        "A page of orders.",
        _errors("400"),
        description=LIST_ORDERS_DESCRIPTION,
        query=schemas.OrdersQuery,
        response_examples=("OrderList", "OrderListSync"),
    ),
    Operation(
        "getOrderStatus",
        "GET",
        "order_status",
        "Orders",
        "One order of the partner",
        schemas.OrderResponse,
        "The order.",
        _errors("400", "404"),
        description="The order object of one of the partner's orders. An order "
        "that does not exist or belongs to another partner answers 404 "
        "`not_found`.",
        query=schemas.OrderLookup,
        response_examples=("OrderStatus",),
    ),
    Operation(
        "getOrderDocument",
        "GET",
        "order/document",
        "Orders",
        "A PDF document of an order: invoice, delivery slip or order confirmation",
        "PdfDocument",
        "The PDF, as a file download (`Content-Disposition: attachment`).",
        _errors("400", "404", _503="DocumentNotNow"),
        description=ORDER_DOCUMENT_DESCRIPTION,
        query=schemas.OrderDocumentQuery,
        media_type="application/pdf",
    ),
    Operation(
        "createOrder",
        "POST",
        "order",
        "Orders",
        "Order allowed products",
        schemas.OrderResponse,
        "The created order (or, replayed, the order created by the first request).",
        _errors("400", _403="OrderCreateForbidden", _409="OrderCreateConflict"),
        status=201,
        description="Creates and confirms a sales order for the partner, "
        "delivered to `delivery_address`: several products (`lines`) or, as in "
        "the original document, one (`ean` and `amount`), with an optional "
        "`note`. `external_order_id`, when given, must be unique for the partner "
        "(409 `duplicate_external_order_id` otherwise). An EAN that is unknown "
        "or not allowed answers 403 `product_not_allowed`; a country Odoo does "
        "not have answers 400. When the seller's Odoo is not set up to take the "
        "order in its company (no warehouse, no pricelist for the partner), "
        "409 `not_configured`, whose message tells the seller's administrator "
        "what is missing: nothing was created. With an `Idempotency-Key`, a repeat does not "
        "create a second order (see the key).",
        body=schemas.OrderCreateRequest,
        body_examples=("OrderCreateRequest", "OrderCreateRequestLines"),
        response_examples=("OrderCreated", "OrderCreatedLines"),
        idempotent=True,
    ),
    Operation(
        "quoteOrder",
        "POST",
        "order/quote",
        "Orders",
        "What an order would be, without ordering",
        schemas.OrderQuote,
        "The order `POST order` would create for this body; nothing was created.",
        _errors("400", _403="OrderQuoteForbidden", _409="OrderQuoteConflict"),
        description="Takes exactly the body of `POST order`, checks it the same "
        "way and answers the same errors (400, 403 `product_not_allowed`, 409 "
        "`duplicate_external_order_id` when the `external_order_id` is already "
        "used, 409 `not_configured` when the seller's Odoo is not set up for "
        "the order), or 200 with what the order would be: its lines priced from the "
        "partner's pricelist as `POST order` would price them (`unit_price` and "
        "`subtotal` taxes excluded), `total_tax`, `total_cost` and `currency`, "
        "and for each line whether its quantity is free in stock now "
        "(`available`, `available_quantity`). Nothing is created, reserved or "
        "changed, so the route is read-only: read-only keys may call it, and "
        "repeating it is safe (it takes no `Idempotency-Key`). Prices and stock "
        "may change between the quote and the order.",
        body=schemas.OrderCreateRequest,
        body_examples=("OrderCreateRequestLines",),
        response_examples=("OrderQuote",),
        writes=False,
    ),
    Operation(
        "createOrdersBatch",
        "POST",
        "orders/batch",
        "Orders",
        "Order several times at once (1 to 100 orders)",
        schemas.OrderBatchResponse,
        "One result per order, in the request's order.",
        _errors("400", write=True, _409="IdempotencyConflict"),
        description="Each order of `orders` is the body of `POST order` and is "
        "checked and created on its own, as if it had been sent alone: one that "
        "fails does not stop the others, and leaves nothing behind. The answer "
        "is 200 with one result per order, in the request's order: `status` is "
        "what `POST order` would have answered for it alone, with `order` (201) "
        "or `error` (the `error` object of the error envelope: 400 "
        "`validation_error`, 403 `product_not_allowed`, 409 "
        "`duplicate_external_order_id` or `not_configured`...). An `external_order_id` protects each "
        "order as it does alone, also between two orders of the same batch (the "
        "second answers 409): sending a batch again creates none of its orders "
        "twice. With an `Idempotency-Key`, a repeat of the whole batch gets the "
        'first answer. A body that is not `{"orders": [...]}` with 1 to 100 '
        "JSON objects answers 400 for the whole request. The batch counts as "
        "one request against the rate limit.",
        body=schemas.OrderBatchRequest,
        body_examples=("OrderBatchRequest",),
        response_examples=("OrderBatchResults",),
        idempotent=True,
    ),
    Operation(
        "cancelOrder",
        "POST",
        "order/cancel",
        "Orders",
        "Cancel an order of the partner",
        schemas.OrderResponse,
        "The cancelled order.",
        _errors("400", "404", write=True, _409="OrderCancelConflict"),
        description="Cancels one of the partner's orders, identified as in "
        "`order_status`, through Odoo's own cancellation: its open transfers "
        "(every step of a multi-step delivery) and its draft invoices are "
        "cancelled with it, and the webhook receives an `order.cancelled` "
        "event. Refused with 409 `not_cancellable`, changing nothing, when the "
        "order was not placed through this API by this partner (e.g. entered by "
        "a salesperson: only the orders a partner placed through the API can be "
        "cancelled through it, whatever their state), is locked, has a posted "
        "invoice or credit note, or has a done transfer of any step (pick, pack, "
        "delivery or return); the message says why and names the blocking "
        "documents. Cancelling an order placed through the API that is already "
        "cancelled answers it again. An order that does not exist or belongs to "
        "another partner answers 404 `not_found`.",
        body=schemas.OrderCancelRequest,
        body_examples=("OrderCancelRequest",),
        response_examples=("OrderCancelled",),
        idempotent=True,
    ),
    Operation(
        "getWebhook",
        "GET",
        "webhook",
        "Webhook",
        "The partner's webhook",
        schemas.WebhookInfo,
        "The webhook settings.",
        _errors(),
        response_examples=("WebhookInfo",),
    ),
    Operation(
        "setWebhook",
        "PUT",
        "webhook",
        "Webhook",
        "Set the partner's webhook URL and the events it receives",
        schemas.WebhookInfo,
        "The webhook settings.",
        _errors("400", write=True),
        description="The URL must be `https://` and its host public "
        "(administrators may allow plain http and private hosts). The server "
        "resolves the host when the URL is set: a host that does not resolve, "
        "or resolves to a private address, answers 400 `validation_error`. The "
        "first time, the answer carries the `signing_secret` (`whsec_` + "
        "base64) that signs every webhook request; it is shown once.\n\n"
        "`event_types` chooses the events (see `webhooks`); omitted or null, "
        "all of them. An unknown type, or an empty list, answers 400 "
        "`validation_error` naming `event_types`. Each `PUT` sets both the URL "
        "and the events.",
        body=schemas.WebhookPutRequest,
        body_examples=("WebhookPutRequest", "WebhookPutRequestEventTypes"),
        response_examples=("WebhookInfoWithSecret", "WebhookInfoEventTypes"),
    ),
    Operation(
        "deleteWebhook",
        "DELETE",
        "webhook",
        "Webhook",
        "Remove the partner's webhook URL",
        schemas.WebhookInfo,
        "The webhook settings, without URL.",
        _errors(write=True),
        response_examples=("WebhookInfoDeleted",),
    ),
    Operation(
        "testWebhook",
        "POST",
        "webhook/test",
        "Webhook",
        "Send a signed `ping` event to the webhook now",
        schemas.WebhookTestResult,
        "The outcome of the ping.",
        _errors("400", write=True),
        description="Answers 200 whether or not the receiver accepted the ping: "
        "`delivered` tells, with the receiver's HTTP status (`status_code`); "
        "nothing more of the exchange is told (the seller's delivery log keeps "
        "it). 400 `validation_error` (field `url`) when no webhook URL is set, "
        "or when the URL set no longer passes the check of `PUT webhook`. One "
        "test at a time per partner: another one meanwhile is answered 429 "
        "`concurrency_limited`.",
        response_examples=("WebhookTestResult",),
    ),
    Operation(
        "rotateWebhookSecret",
        "POST",
        "webhook/rotate_secret",
        "Webhook",
        "Replace the signing secret, the old one valid 24 more hours",
        schemas.WebhookInfo,
        "The webhook settings with the new `signing_secret`, shown once.",
        _errors(write=True),
        description="Creates a new signing secret and answers it once, in "
        "`signing_secret`. The previous secret is not dropped at once: for 24 "
        "hours (until `previous_secret_expires_at`) every webhook request "
        "carries two signatures in `webhook-signature`, space-separated "
        "(`v1,<new> v1,<old>`), as the Standard Webhooks specification "
        "allows, so a receiver verifying with either secret accepts it: switch "
        "the receiver to the new secret within that time. After it, only the "
        "new secret signs. A second rotation within the 24 hours keeps only "
        "the secret it replaces beside the new one. The portal page (*My "
        "Account → Connection & Security*) and administrators rotate the same "
        "way. No body.",
        response_examples=("WebhookInfoRotated",),
    ),
    Operation(
        "getOpenApiDocument",
        "GET",
        "openapi.json",
        "Meta",
        "This OpenAPI document",
        schemas.OpenApiDocument,
        "The OpenAPI 3.1 document of this API.",
        {"405": "MethodNotAllowed", "500": "InternalError"},
        authenticate=False,
    ),
)
BY_ID = {operation.operation_id: operation for operation in OPERATIONS}
BY_ROUTE = {
    (operation.full_path, operation.method): operation for operation in OPERATIONS
}
# (path, method) of the authenticated routes that write nothing but are not
# GET routes: read-only keys may call them too
READ_ONLY_POSTS = frozenset(
    (operation.full_path, operation.method)
    for operation in OPERATIONS
    if operation.readonly and operation.method != "GET"
)

INFO_DESCRIPTION = _md(
    """
    A small JSON API for partner-scoped ordering and order tracking.

    **Authentication.** Every route except this document needs an API key of a
    portal user of a partner enabled for the API. The user generates it in
    *My Account → Connection & Security* and sends it in every request as
    `Authorization: Bearer <key>`. A missing, malformed, unknown, revoked or
    expired key answers 401 `unauthorized` (with `WWW-Authenticate`); a valid key
    whose partner is not enabled answers 403 `forbidden`. A company and all its
    contacts share orders and allowed products.

    **Companies.** When the seller runs several companies in one Odoo, each
    request works in one company, the key user's *API company*: the company
    the partner is restricted to, else the user's default company. Orders are
    created there (its warehouse, currency, prices and taxes), and only its
    orders are read: another company's order answers 404 `not_found`, as
    another partner's does. Allowed products are offered in their own company
    only; `external_order_id` and `Idempotency-Key` are unique per partner and
    company; the webhook is the company's. A user not allowed in the company
    its partner is restricted to gets 403 `forbidden` naming that company.

    **Read-only keys.** A key whose scope is `partner_order_api.readonly` opens
    the GET routes and `POST order/quote` (which writes nothing) only: every
    route that writes (`POST order`, `POST orders/batch`, `POST order/cancel`,
    `PUT webhook`, `DELETE webhook`, `POST webhook/test`,
    `POST webhook/rotate_secret`) answers it 403 `insufficient_scope`. Keys
    with scope `partner_order_api`, and keys without scope, open every route.

    **Envelope.** Every answer is JSON (`application/json; charset=utf-8`),
    except the PDF that `order/document` answers on success, and carries an
    `X-Request-Id` header (the client's own when it sends a sane one).
    Success: `{"success": true, ...}` with 200, or 201 for a created order.
    Error: `{"success": false, "error": {"code", "message", "details"?}}` with the
    HTTP status of its code; `details` lists every invalid field as
    `{"field", "message"}` and `message` repeats the first one. Each error
    response lists the codes it may carry in `x-error-codes`.

    **Requests.** Request bodies are JSON objects; a member the schema does not
    name is refused (400 `validation_error`), as is a query parameter or
    member that does not match its schema.

    **Privacy.** An order that does not exist and an order of another partner
    are answered alike: 404 `not_found`, never 403. An EAN that is unknown and
    one that is not allowed for the partner are answered alike: 403
    `product_not_allowed`.

    **Idempotency.** `POST order`, `POST orders/batch` and `POST order/cancel`
    take an optional `Idempotency-Key` header (1 to 255 printable ASCII
    characters, e.g. a UUID), remembered per partner and company for 24 hours. A repeat
    with the same key, route and JSON body (the order of its keys does not
    matter) does not run again: it gets the first answer, status included, with
    `Idempotent-Replayed: true`. The same
    key with another body or route answers 409 `idempotency_key_reused`; a repeat
    while the first request still runs answers 409 `idempotency_in_progress` with
    `Retry-After: 1`. Only successful answers are remembered: after an error the
    same key may be sent again.

    **Sync.** `GET orders?sort=updated_asc&updated_since=...` returns the orders
    changed since a point in time, and `pagination.next_updated_since` the point
    to ask from next (see `listOrders`).

    **Webhook.** A partner may register a URL (`PUT webhook`) and choose its
    events (`event_types`, default: all). The server POSTs the `order_status`
    body of an API order there when it is created (`order.created`), when an
    outgoing delivery of it is validated (`order.partially_shipped` or
    `order.shipped`), when it is cancelled (`order.cancelled`) and when a
    customer invoice of it is posted (`order.invoiced`), and beside each of
    them an `order.updated` (the event clients written before event types
    know); `POST webhook/test` sends a `ping`. Every request is
    signed per the Standard Webhooks specification and names its event in
    `X-Webhook-Event` (see `webhooks`); after `POST webhook/rotate_secret`,
    requests carry the signatures of the new and the old secret for 24 hours.

    Timestamps are ISO 8601 in UTC with `Z` (`updated_at` and
    `next_updated_since` with microseconds); money is a JSON number rounded to
    the currency's precision, with `currency` as an ISO 4217 code.

    This document is generated from the addon's models (`lib/schemas.py`,
    `lib/openapi.py`).

    ## Fair use

    No partner can slow the others down: its budget counts what its requests
    cost the server, and its requests in flight are bounded.

    **The budget.** Each partner has one budget, shared by all its users and
    keys: by default 120 tokens a minute (system parameter
    `partner_order_api.rate_limit_per_minute`, 0 turns it off; an administrator
    can set a partner's own). It is a token bucket: it holds at most a quarter
    of the limit (at least 30, at most the limit: 30 at 120 a minute) and
    refills continuously at the limit's rate (2 a second at 120 a minute). Each
    request takes what it costs the server:

    COST_TABLE

    A request is let in when the bucket holds its cost, or, for a cost beyond
    the bucket's capacity (a batch of 100 orders), when the bucket is full: it
    then goes below zero, and the partner's next request waits until it has
    refilled (about 35 s after a batch of 100 at 120 a minute). Every answer to a
    valid key carries `X-RateLimit-Limit` (the rate, tokens a minute),
    `X-RateLimit-Remaining` (whole tokens left right now: a fresh client sees
    `120` and `29` after its first read) and `X-RateLimit-Cost` (the tokens
    this request took), 403 answers included. Beyond the budget the answer is
    429 `rate_limited` with `Retry-After` in seconds, and takes nothing. The
    count is kept in PostgreSQL, so it holds across workers and servers.

    **Requests in flight.** A partner may have at most
    `partner_order_api.max_concurrent_requests` requests running at once, all
    its keys and every server together (by default half the server's HTTP
    workers, at least 1). One more is answered at once with 429
    `concurrency_limited` and `Retry-After: 1`, and takes nothing: send
    requests one after the other, or retry. PDFs are rendered a few at a time
    for the whole server (`partner_order_api.pdf_render_slots`); when all are
    busy, `GET order/document` answers 503 `busy` with `Retry-After`. A
    partner has one `POST webhook/test` running at a time.

    **Failed authentications.** A wrong key whose first 8 characters match a
    stored key costs the server a pbkdf2 check: such failures are counted per
    client address and key prefix (default 30 a minute, system parameter
    `partner_order_api.auth_failure_limit_per_minute`, 0 turns it off; behind
    a reverse proxy, Odoo's `proxy_mode` takes the address from
    `X-Forwarded-For`, and an IPv6 client counts by its /64). Beyond it, keys
    with that prefix from that address are answered 429 `rate_limited` with
    `Retry-After` and without `X-RateLimit-*`, unchecked, until the budget
    refills. Other keys are never held back: a key that matches no stored key
    costs no check and is counted nowhere, and a valid key is never refused for
    the failures of other clients at its address.
    """
).replace("COST_TABLE", costs.markdown_table())

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Cost")
# name -> (description, error codes, extra headers)
ERROR_RESPONSES = {
    "ValidationError": (
        "Malformed JSON, or a missing, unknown or invalid field or parameter.",
        ["validation_error"],
        (),
    ),
    "Unauthorized": (
        "The Authorization header is missing or not `Bearer <key>`, or the key is "
        "unknown, revoked or expired, or its user is inactive.",
        ["unauthorized"],
        ("WWW-Authenticate",),
    ),
    "Forbidden": (
        "The key is valid but its partner is not enabled for the API. It counts "
        "against the partner's request budget.",
        ["forbidden"],
        RATE_HEADERS,
    ),
    "WriteForbidden": (
        "`forbidden`: the partner is not enabled for the API; "
        "`insufficient_scope`: the key is read-only (scope "
        "`partner_order_api.readonly`). It counts against the partner's request "
        "budget.",
        ["forbidden", "insufficient_scope"],
        RATE_HEADERS,
    ),
    "OrderCreateForbidden": (
        "`forbidden`: the partner is not enabled for the API; "
        "`product_not_allowed`: an EAN is unknown or not allowed for this "
        "partner (the same answer for both); `insufficient_scope`: the key is "
        "read-only (scope `partner_order_api.readonly`). It counts against the "
        "partner's request budget.",
        ["forbidden", "product_not_allowed", "insufficient_scope"],
        RATE_HEADERS,
    ),
    "NotFound": (
        "No such order for this partner (also when it belongs to another partner).",
        ["not_found"],
        (),
    ),
    "MethodNotAllowed": (
        "The route does not accept this method; `Allow` lists those it accepts.",
        ["method_not_allowed"],
        ("Allow",),
    ),
    "OrderQuoteForbidden": (
        "`forbidden`: the partner is not enabled for the API; "
        "`product_not_allowed`: an EAN is unknown or not allowed for this "
        "partner (the same answer for both). It counts against the partner's "
        "request budget.",
        ["forbidden", "product_not_allowed"],
        RATE_HEADERS,
    ),
    "ProductListConflict": (
        "`not_configured`: the seller's Odoo has no pricelist for this partner "
        "in the seller's company, or one of another company (`POST order` "
        "would refuse an order too); the message says what is missing, for the "
        "seller's administrator.",
        ["not_configured"],
        (),
    ),
    "OrderQuoteConflict": (
        "`duplicate_external_order_id`: `external_order_id` is already used by "
        "this partner (`POST order` would refuse it); `not_configured`: the "
        "seller's Odoo is not set up for this order (`POST order` would refuse "
        "it too); the message says what is missing, for the seller's "
        "administrator.",
        ["duplicate_external_order_id", "not_configured"],
        (),
    ),
    "IdempotencyConflict": (
        "`idempotency_key_reused`: the `Idempotency-Key` was used before with "
        "another body or route; `idempotency_in_progress`: the first request "
        "with this key still runs (retry after `Retry-After` seconds).",
        ["idempotency_key_reused", "idempotency_in_progress"],
        ("Retry-After",),
    ),
    "OrderCreateConflict": (
        "`duplicate_external_order_id`: `external_order_id` is already used by "
        "this partner; `not_configured`: the seller's Odoo is not set up for "
        "this order (e.g. no warehouse, no pricelist for the partner in the "
        "seller's company); the message says what is missing, for the seller's "
        "administrator; `idempotency_key_reused`: the `Idempotency-Key` was used "
        "before with another body or route; `idempotency_in_progress`: the first "
        "request with this key still runs (retry after `Retry-After` seconds).",
        [
            "duplicate_external_order_id",
            "not_configured",
            "idempotency_key_reused",
            "idempotency_in_progress",
        ],
        ("Retry-After",),
    ),
    "OrderCancelConflict": (
        "`not_cancellable`: the order was not placed through this API by this "
        "partner, is locked, has a posted invoice or credit note, or a transfer "
        "of it (any step) is done; the message names the reason and the "
        "blocking documents; `idempotency_key_reused`: the `Idempotency-Key` was "
        "used before with another body or route; `idempotency_in_progress`: the "
        "first request with this key still runs (retry after `Retry-After` "
        "seconds).",
        ["not_cancellable", "idempotency_key_reused", "idempotency_in_progress"],
        ("Retry-After",),
    ),
    "DocumentNotNow": (
        "`document_unavailable`: the server cannot render PDF documents right "
        "now (wkhtmltopdf is missing or failed); retry later. The same request "
        "may succeed on a server that has it. `busy`: every render slot of the "
        "server is taken by other documents being rendered; retry after "
        "`Retry-After` seconds.",
        ["document_unavailable", "busy"],
        ("Retry-After",),
    ),
    "InternalError": (
        "Something unexpected; logged on the server with the request id. With "
        "`Retry-After`, the request may be retried after that many seconds.",
        ["internal_error"],
        ("Retry-After",),
    ),
    "RateLimited": (
        "`rate_limited`: the partner's budget does not hold this request's cost "
        "(the answer carries `X-RateLimit-*`, `X-RateLimit-Cost: 0`), or too "
        "many keys with this key's prefix failed from the client's address (no "
        "`X-RateLimit-*`: the key was not checked); `concurrency_limited`: the "
        "partner already has its maximum of requests in flight (no "
        "`X-RateLimit-*`: nothing was taken). Nothing was done; retry after "
        "`Retry-After` seconds.",
        ["rate_limited", "concurrency_limited"],
        ("Retry-After", *RATE_HEADERS),
    ),
}
# error code -> the names of its examples
ERROR_EXAMPLES = {
    "not_cancellable": [
        "NotCancellable",
        "NotCancellableInvoiced",
        "NotCancellableNotPlacedThroughApi",
    ],
}

HEADERS = {
    "Content-Disposition": {
        "description": '`attachment` with the file\'s name: `filename="..."` '
        "(ASCII letters, digits, `.`, `_` and `-`; other characters become `_`).",
        "required": True,
        "schema": {
            "type": "string",
            "pattern": '^attachment; filename="[A-Za-z0-9._-]+"$',
        },
        "example": 'attachment; filename="INV_2026_00042.pdf"',
    },
    "X-Request-Id": {
        "description": "The request's id, also in the server log: the client's own "
        "`X-Request-Id` when it sent one of 1 to 128 printable ASCII characters, a "
        "new one otherwise.",
        "required": True,
        "schema": {"type": "string", "minLength": 1},
    },
    "WWW-Authenticate": {
        "description": "The authentication scheme to use.",
        "required": True,
        "schema": {"type": "string"},
        "example": 'Bearer realm="partner_order_api"',
    },
    "Allow": {
        "description": "The methods the route accepts.",
        "required": True,
        "schema": {"type": "string"},
        "example": "GET",
    },
    "Idempotent-Replayed": {
        "description": "`true` when the answer is the stored answer of an earlier "
        "request with the same `Idempotency-Key` (nothing ran again); absent "
        "otherwise.",
        "required": False,
        "schema": {"type": "string", "enum": ["true"]},
        "example": "true",
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying: `1` with "
        "`idempotency_in_progress` and `concurrency_limited` (always sent with "
        "them); with `rate_limited` (always sent with it), until the partner's "
        "budget holds the request's cost, or the failed-authentication budget "
        "of the key's prefix from the client's address holds a token again; "
        "with `busy`, until a PDF render slot is likely free; a 500 may carry "
        "it when the server was too busy to answer.",
        "required": False,
        "x-required-for-error-codes": [
            "idempotency_in_progress",
            "rate_limited",
            "concurrency_limited",
            "busy",
        ],
        "schema": {"type": "integer", "minimum": 0},
        "example": 1,
    },
    "X-RateLimit-Limit": {
        "description": "The partner's request budget, in requests a minute "
        "(`partner_order_api.rate_limit_per_minute`, or the partner's own "
        "setting), shared by all its users and keys. On every answer to a valid "
        "key, 403 included; absent when rate limiting is off.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "X-RateLimit-Remaining": {
        "description": "Tokens the partner may still spend right now: the whole "
        "tokens in its bucket after this request took its cost (0 while the "
        "bucket is below zero after a large batch). The bucket holds at most a "
        "quarter of the limit (at least 30, at most the limit) and refills "
        "continuously at the limit's rate: at the default 120 a minute, `29` "
        "after the first read, 2 more each second up to 30.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "X-RateLimit-Cost": {
        "description": "The tokens this request took from the partner's budget: "
        "1 for a read, one per 10 lines of an order, one per order of up to 10 "
        "lines for `POST orders/batch`, more for a PDF or "
        "a webhook test (see Fair use); `0` on a 429 `rate_limited`, which "
        "takes nothing.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
}

PARAMETERS = {
    "Idempotency-Key": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Makes the request safe to repeat: per partner, for 24 "
        "hours, one key runs once; a repeat with the same body gets the first "
        "answer with `Idempotent-Replayed: true`. 1 to 255 printable ASCII "
        "characters; a UUID per intended write is a good choice.",
        "schema": "IdempotencyKey",
        "example": IDEMPOTENCY_KEY,
    },
    "webhook-id": {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "The event's id: the same on every retry of one event.",
    },
    "webhook-timestamp": {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "Unix time (seconds) of this attempt.",
    },
    "webhook-signature": {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "`v1,` + base64 HMAC-SHA256 of "
        "`{webhook-id}.{webhook-timestamp}.{body}` with the partner's secret. "
        "During the 24 hours after a rotation (`POST webhook/rotate_secret`), "
        "two such signatures, space-separated: the new secret's, then the old "
        "one's; a receiver accepts the request when one of them verifies "
        "(Standard Webhooks libraries do).",
    },
}

_DELIVERY = (
    "Any 2xx answer acknowledges it; otherwise it is retried, with the same "
    "`webhook-id`, for up to 3 days. Each event type has its own `webhook-id`."
)
WEBHOOKS = {
    "order.updated": (
        "orderUpdated",
        "An API order changed (sent beside every other order event)",
        "POSTed to the partner's webhook URL whenever one of its API orders "
        "changes: created, an outgoing delivery (or a backorder of it) "
        "validated, cancelled, invoiced; following the "
        "Standard Webhooks specification: verify `webhook-signature` with the "
        "partner's `whsec_` secret over `{webhook-id}.{webhook-timestamp}.{body}`. "
        "The body is exactly the `order_status` body of the order at that moment. "
        f"{_DELIVERY} This is the event that clients written before event types "
        "existed know: it comes at every validated delivery as it always did, "
        "and with every other order event (each a separate request with its own "
        "`webhook-id`) when the subscription holds them; leave it out of "
        "`event_types` once you handle those.",
        schemas.OrderResponse,
        "OrderStatus",
    ),
    "order.created": (
        "orderCreated",
        "An API order was created",
        "POSTed when an order is created (and confirmed) through the API; "
        "signed as `order.updated`, and sent beside it. The body is the `order_status` body of the "
        f"new order, as the API answered its creation. {_DELIVERY}",
        schemas.OrderResponse,
        "OrderCreated",
    ),
    "order.partially_shipped": (
        "orderPartiallyShipped",
        "A delivery was validated, quantities are still to come",
        "POSTed when an outgoing delivery of an API order is validated and the "
        "order is not fully delivered (its `status` is `partially_shipped`, "
        "e.g. the rest follows in a backorder); sent beside `order.updated`. "
        f"The body is the `order_status` body of the order. {_DELIVERY}",
        schemas.OrderResponse,
        "OrderStatus",
    ),
    "order.shipped": (
        "orderShipped",
        "A delivery was validated, everything is delivered",
        "POSTed when an outgoing delivery of an API order is validated and "
        "every line is delivered (its `status` is `shipped`); sent beside "
        "`order.updated`. The body is the `order_status` body of the order. "
        f"{_DELIVERY}",
        schemas.OrderResponse,
        "OrderStatus",
    ),
    "order.cancelled": (
        "orderCancelled",
        "An API order was cancelled",
        "POSTed when one of the partner's API orders is cancelled, through "
        "`POST order/cancel` or in Odoo; signed, acknowledged and retried as "
        "`order.updated`, and sent beside it. The body is the `order_status` body of the cancelled "
        "order.",
        schemas.OrderResponse,
        "OrderCancelled",
    ),
    "order.invoiced": (
        "orderInvoiced",
        "A customer invoice of an API order was posted",
        "POSTed each time a customer invoice of one of the partner's API orders "
        "is posted (credit notes are not); an invoice of several orders sends "
        "one per order; sent beside `order.updated`. The body is the "
        f"`order_status` body of the order after the posting. {_DELIVERY}",
        schemas.OrderResponse,
        "OrderStatus",
    ),
    "ping": (
        "ping",
        "A test event, sent by `POST webhook/test`",
        "Sent once, at once, by `POST webhook/test`, signed as the other events; "
        "not retried. Always sent, whatever `event_types` holds.",
        schemas.WebhookPing,
        None,
    ),
}
EVENT_HEADER = "X-Webhook-Event"

SCHEMA_DESCRIPTIONS = {
    "ErrorCode": ", ".join(
        f"{code} {status}" for code, status in schemas.ERROR_STATUSES.items()
    )
    + ".",
    "OrderStatus": "The order's status.",
    "DeliveryState": "Odoo's state of the delivery: `draft`; `waiting` (for "
    "another operation, e.g. picking); `confirmed` (waiting for stock); "
    "`assigned` (ready to ship); `done` (shipped); `cancel` (cancelled).",
    "InvoiceType": "`out_invoice`: a customer invoice; `out_refund`: a credit note.",
    "WebhookEventType": "`order.updated`: an API order changed (sent beside each "
    "of the following; at a validated delivery as before event types "
    "existed); `order.created`: an API order "
    "was created; `order.partially_shipped`: a delivery was validated, more is "
    "to come; `order.shipped`: a delivery was validated, all is delivered; "
    "`order.cancelled`: an API order was cancelled; `order.invoiced`: a "
    "customer invoice of an API order was posted; `ping`: a test event "
    "(`POST webhook/test`, always sent).",
    "IdempotencyKey": "1 to 255 printable ASCII characters.",
}


# components/schemas that are files, not JSON (named, as every body is)
FILE_SCHEMAS = {
    "PdfDocument": {
        "type": "string",
        "format": "binary",
        "contentMediaType": "application/pdf",
        "description": "A PDF file (it starts with `%PDF-`).",
    },
}


def _ref(kind, name):
    return {"$ref": REF.format(kind=kind, name=name)}


def _clean(node):
    """Pydantic's JSON schema without its ``title`` annotations, nor the
    ``default: null`` of optional members that are not nullable."""
    if isinstance(node, dict):
        return {
            key: _clean(value)
            for key, value in node.items()
            if not (key == "title" and isinstance(value, str))
            and not (key == "default" and value is None)
        }
    if isinstance(node, list):
        return [_clean(value) for value in node]
    return node


def _schemas():
    """components/schemas: every model of ``schemas.SCHEMAS`` and what they
    use, by class name."""
    _refs, top = models_json_schema(
        [(model, "validation") for model in schemas.SCHEMAS],
        ref_template=REF.format(kind="schemas", name="{model}"),
    )
    result = _clean(top["$defs"])
    request = result["OrderCreateRequest"]
    # the two shapes exclude each other (additionalProperties: false)
    request["oneOf"] = request.pop("anyOf")
    adapter = schemas.IdempotencyKey.__metadata__[-1].json_schema
    result["IdempotencyKey"] = dict(adapter)
    for name, description in SCHEMA_DESCRIPTIONS.items():
        result[name]["description"] = description
    result.update(copy.deepcopy(FILE_SCHEMAS))
    return dict(sorted(result.items()))


def _parameters(model):
    """The query parameters of ``model`` (its JSON schema's properties)."""
    schema = _clean(
        model.model_json_schema(ref_template=REF.format(kind="schemas", name="{model}"))
    )
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        parameter = {
            "name": name,
            "in": "query",
            "required": name in schema.get("required", []),
            "description": prop.pop("description"),
        }
        for key in ("style", "explode"):
            if f"x-{key}" in prop:
                parameter[key] = prop.pop(f"x-{key}")
        examples = prop.pop("examples", None)
        parameter["schema"] = prop
        if examples and len(examples) == 1:
            parameter["example"] = examples[0]
        elif examples:
            parameter["examples"] = {
                f"example{index}": {"value": value}
                for index, value in enumerate(examples, 1)
            }
        parameters.append(parameter)
    return parameters


def _headers(*names):
    return {name: _ref("headers", name) for name in names}


def _content(schema_name, examples, media_type="application/json"):
    media = {"schema": _ref("schemas", schema_name)}
    if examples:
        media["examples"] = {name: _ref("examples", name) for name in examples}
    return {media_type: media}


def _operation(operation):
    result = {
        "operationId": operation.operation_id,
        "tags": [operation.tag],
        "summary": operation.summary,
    }
    if operation.description:
        result["description"] = operation.description
    if not operation.authenticate:
        result["security"] = []
    parameters = []
    if operation.query:
        parameters += _parameters(operation.query)
    if operation.idempotent:
        parameters.append(_ref("parameters", "Idempotency-Key"))
    if parameters:
        result["parameters"] = parameters
    if operation.body:
        result["requestBody"] = {
            "required": True,
            "content": _content(operation.body.__name__, operation.body_examples),
        }
    success_headers = ["X-Request-Id"]
    if operation.media_type != "application/json":
        success_headers.append("Content-Disposition")
    if operation.idempotent:
        success_headers.append("Idempotent-Replayed")
    if operation.authenticate:
        success_headers += RATE_HEADERS
    responses = {
        str(operation.status): {
            "description": operation.response_description,
            "headers": _headers(*success_headers),
            "content": _content(
                operation.response
                if isinstance(operation.response, str)
                else operation.response.__name__,
                operation.response_examples,
                operation.media_type,
            ),
        }
    }
    for status, name in operation.errors.items():
        responses[status] = _ref("responses", name)
    result["responses"] = responses
    return result


def _error_responses():
    responses = {}
    for name, (description, codes, headers) in ERROR_RESPONSES.items():
        examples = []
        for code in codes:
            # validation_error: its example is ValidationError
            examples += ERROR_EXAMPLES.get(code) or [
                "".join(part.title() for part in code.split("_"))
            ]
        responses[name] = {
            "description": description,
            "x-error-codes": codes,
            "headers": _headers("X-Request-Id", *headers),
            "content": _content("Error", examples),
        }
    return responses


def _webhooks():
    webhooks = {}
    for event, (operation_id, summary, description, model, example) in WEBHOOKS.items():
        parameters = [
            _ref("parameters", name)
            for name in PARAMETERS
            if name.startswith("webhook-")
        ]
        parameters.append(
            {
                "name": EVENT_HEADER,
                "in": "header",
                "required": True,
                "description": "The event type (see `WebhookEventType`): "
                "dispatch on it; the body alone is the same for every order event.",
                "schema": {"const": event, "type": "string"},
            }
        )
        webhooks[event] = {
            "post": {
                "operationId": operation_id,
                "summary": summary,
                "description": description,
                "security": [],
                "parameters": parameters,
                "requestBody": {
                    "required": True,
                    "content": _content(model.__name__, [example] if example else []),
                },
                "responses": {"2XX": {"description": "Received."}},
            }
        }
    return webhooks


def manifest_version(root=None):
    root = Path(root or Path(__file__).resolve().parent.parent)
    manifest = ast.literal_eval((root / "__manifest__.py").read_text(encoding="utf-8"))
    return manifest["version"]


# the exchanges scripts/gen_examples.py recorded on a running server (a file
# of the repository, not of the installed addon)
RECORDED = Path(__file__).resolve().parent.parent / "docs" / "examples.json"


def _recorded_examples(paths):
    """Add to each operation the successful exchanges recorded on a real
    server (``docs/examples.json``): their request bodies and JSON answers,
    named ``recorded`` (1, 2...), beside the hand-written examples, so that
    the docs page shows what the server answered. Error answers stay in the
    shared responses (their examples are the error envelope's)."""
    if not RECORDED.is_file():
        return
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    for operation in OPERATIONS:
        item = paths[operation.full_path][operation.method.lower()]
        for index, exchange in enumerate(recorded.get(operation.operation_id, []), 1):
            answer = exchange["response"]
            if (
                not 200 <= answer["status"] < 300
                or not isinstance(answer["body"], dict)
                or operation.operation_id == "getOpenApiDocument"  # abridged
            ):
                continue
            name = f"recorded{index}"
            example = {"summary": f"Recorded: {exchange['title']}"}
            content = item["responses"][str(answer["status"])]["content"]
            content["application/json"].setdefault("examples", {})[name] = dict(
                example, value=answer["body"]
            )
            body = exchange["request"].get("body")
            if body is not None and "requestBody" in item:
                item["requestBody"]["content"]["application/json"].setdefault(
                    "examples", {}
                )[name] = dict(example, value=body)


def document(version=None):
    """The OpenAPI 3.1 document of the API, as a dict."""
    paths = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.full_path, {})[operation.method.lower()] = (
            _operation(operation)
        )
    _recorded_examples(paths)
    parameters = copy.deepcopy(PARAMETERS)
    parameters["Idempotency-Key"]["schema"] = _ref("schemas", "IdempotencyKey")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Partner Order API",
            "version": version or manifest_version(),
            "summary": "Partner-scoped ordering and order tracking for B2B partners.",
            "description": INFO_DESCRIPTION,
            "license": {
                "name": "LGPL-3.0-or-later",
                "identifier": "LGPL-3.0-or-later",
            },
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [
            {"name": "Products", "description": "What the partner may order."},
            {"name": "Orders", "description": "The partner's sales orders."},
            {
                "name": "Webhook",
                "description": "Where the partner's order updates are POSTed.",
            },
            {"name": "Meta", "description": "This document."},
        ],
        "paths": paths,
        "webhooks": _webhooks(),
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key that the partner's portal user "
                    "generated on *My Account → Connection & Security*, sent as "
                    "`Authorization: Bearer <key>`. Keys scoped "
                    "`partner_order_api.readonly` open the GET routes and "
                    "`POST order/quote` only (the "
                    "others answer 403 `insufficient_scope`); keys scoped "
                    "`partner_order_api`, or without scope, open every route.",
                }
            },
            "parameters": parameters,
            "headers": copy.deepcopy(HEADERS),
            "schemas": _schemas(),
            "responses": _error_responses(),
            "examples": copy.deepcopy(EXAMPLES),
        },
    }


def dumps(doc):
    """The document as ``static/openapi.json`` holds it."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
