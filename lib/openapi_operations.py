# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The API's routes: ``OPERATIONS``, the one list of them, and what the
document says of each.

``controllers/`` takes each route's path, method and access from it
(``BY_ID``), ``models/ir_http.py`` a request's operation (``BY_ROUTE``, for
its cost) and whether it writes (``READ_ONLY_POSTS``), and
``lib/openapi.py`` builds the
document's ``paths`` from it: summary, description, query and body models
(``lib/schemas.py``), examples (``lib/openapi_examples.py``, by name) and
error answers (``lib/openapi_components.py``'s ``ERROR_RESPONSES``, by
name). ``lib/openapi.py`` re-exports every name.
"""

from . import schemas
from .openapi_operation import (  # noqa: F401 (re-exported)
    PREFIX,
    Operation,
    _errors,
    md,
)
from .openapi_operations_endpoints import ENDPOINT_OPERATIONS
from .openapi_operations_log import LOG_OPERATIONS
from .openapi_operations_terms import TERMS_OPERATIONS

CHANGE_ORDER_DESCRIPTION = md(
    """
    Changes one of the partner's API orders, identified as in
    `order_status`, through Odoo's own flows: each EAN of `lines` gets its
    new quantity (0 removes the line: it stays in `lines` with quantity 0; an
    EAN the order does not hold adds a line, allowed products only: 403
    `product_not_allowed`), the lines not named stay;
    `delivery_address` (as in `POST order`) and `requested_delivery_date`
    replace the order's. At least one of them is required. The open delivery
    follows the change, and the webhook receives `order.changed`.

    With `dry_run: true` (or `POST order/change/quote`) the answer is the
    order as it would become, with its new totals (its `updated_at` the
    time it would have changed), and nothing is changed.

    Refused with 409 `not_changeable`, changing nothing, with a message
    naming the blocking documents, when what would change is already done:
    a product moved by a done transfer of the order (the delivery, or a
    pick or pack step), a quantity below what was delivered or invoiced, a
    line on a posted invoice, the address or date once a delivery is done;
    or when the order is cancelled, locked, or was not placed through the
    API by this partner. Two changes of one order at once are made one after
    the other. An order that does not exist or belongs to another partner
    answers 404 `not_found`.
    """
)


LIST_ORDERS_DESCRIPTION = md(
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

ORDER_DOCUMENT_DESCRIPTION = md(
    """
    A document of one of the partner's orders (identified as in
    `order_status`), made by Odoo's own reports, in the customer's language:

    - `type=invoice`: a posted invoice or credit note of the order (see the
      order's `invoices`): the one whose number is `invoice_number`, or without
      it the latest (by invoice date). When accounting already sent the
      invoice, this is the very PDF it sent; otherwise Odoo renders it now.
    - `type=delivery_slip`: the delivery slip of a done outgoing delivery (see
      `deliveries`): the one named `delivery_order_name`, or without it the
      latest done one.
    - `type=order`: the order confirmation (a quotation while the order is
      `pending`).
    - `type=invoice_xml` with `format=ubl_bis3|xrechnung|facturx`: the
      structured e-invoice of a posted invoice or credit note (chosen as for
      `type=invoice`, by `invoice_number`), made by Odoo's own
      `account_edi_ubl_cii`: `application/xml`, a UBL 2.1 `Invoice` or
      `CreditNote` (Peppol BIS Billing 3.0; XRechnung) or a Factur-X
      `CrossIndustryInvoice`. When accounting already sent the invoice
      with that format, this is the very XML it sent; otherwise Odoo makes
      it now. The formats an invoice offers are its `formats` in `invoices`
      (another answers 404 `not_found`); `format` is required with this
      type (400). When Odoo reports that the seller's data is incomplete
      for the format (a VAT number, a bank account...), 409
      `not_configured` says what is missing.
    - `type=despatch_advice`: a done outgoing delivery (chosen as for
      `delivery_slip`) as a UBL 2.1 DespatchAdvice, `application/xml`
      (`WH_OUT_00012.xml`), to book the goods in before they arrive: the
      delivery's name as its ID, the buyer's order (`external_order_id`)
      and the sale order in `OrderReference`, the carrier and tracking
      number, a `TransportHandlingUnit` per package (its SSCC, scheme
      `SSCC`, as ID when it has one), and a `DespatchLine` per package,
      product and lot with the delivered quantity (UN/ECE unit code), the
      GTIN (scheme `0160`), the lot number and its expiry date. A delivery
      that is not done answers 404, as for `delivery_slip`; no render slot is
      taken (never `busy`).

    The answer is `application/pdf` (`application/xml` for
    `type=invoice_xml`) with `Content-Disposition: attachment;
    filename="..."` (e.g. `INV_2026_00042.pdf`, `WH_OUT_00012.pdf`,
    `S00042.pdf`, `INV_2026_00042_ubl_bis3.xml`). An order that does not
    exist or belongs to another partner, and a document the order does not have (no posted invoice, no such
    invoice number, no done delivery...), answer 404 `not_found` in JSON.
    `invoice_number` is used with `type=invoice` and `type=invoice_xml` only,
    `delivery_order_name` with `type=delivery_slip` and `despatch_advice`
    only, `format` with `type=invoice_xml` only (ignored with the other
    types). When the
    server cannot render PDFs (no wkhtmltopdf), 503 `document_unavailable`.

    **Renders are limited server-wide**: only a few PDFs are rendered at
    once, for all partners together; when none more may start, the answer is
    503 `busy` with `Retry-After` (seconds; retry then). A document that did
    not change since it was last rendered (the same order, invoice or
    delivery in the same state, in the same language) is served again
    without rendering, and never answers `busy`; neither does an invoice
    accounting already sent.

    Example: `GET order/document?identifiedBy=biomes&order_id=S00042&type=invoice&invoice_number=INV/2026/00042`
    answers the invoice as `INV_2026_00042.pdf`; with
    `type=invoice_xml&format=ubl_bis3`, its Peppol BIS 3 XML as
    `INV_2026_00042_ubl_bis3.xml`.
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
        "(`sale_delay`), the pricelist's quantity tiers (`price_breaks`) and "
        "the quantities an order line must keep to (`min_quantity`, "
        "`order_multiple`).",
        response_examples=("ProductList",),
    ),
    Operation(
        "listCarriers",
        "GET",
        "carriers",
        "Shipping",
        "Carriers the partner may choose",
        schemas.CarrierList,
        "The allowed carriers.",
        _errors(),
        description="The carriers the seller allows the partner to choose, by "
        "`code`: send one as `carrier_code` in `POST order`, `POST order/quote` "
        "or an order of `POST orders/batch` to ship with it at the price it "
        "rates for that order (the order's `shipping`). Empty when the seller "
        "chooses the carrier. Only this partner's carriers are listed.",
        response_examples=("CarrierList",),
    ),
    Operation(
        "listAddresses",
        "GET",
        "addresses",
        "Shipping",
        "The partner's saved delivery addresses",
        schemas.AddressList,
        "The partner's delivery addresses.",
        _errors(),
        description="The partner's delivery addresses: those its orders were "
        "delivered to (each distinct `delivery_address` is saved once) and "
        "those the seller saved for it, newest first, at most 500. Send an "
        "`id` as `delivery_address_id` in place of `delivery_address` to "
        "deliver there again. Only this partner's addresses are listed.",
        response_examples=("AddressList",),
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
        "A document of an order: invoice (PDF or e-invoice XML), delivery "
        "slip, order confirmation (PDF) or despatch advice (UBL XML)",
        "PdfDocument",
        "The PDF (or, with `type=invoice_xml` or `despatch_advice`, the XML), "
        "as a file download (`Content-Disposition: attachment`).",
        _errors("400", "404", _409="DocumentConflict", _503="DocumentNotNow"),
        description=ORDER_DOCUMENT_DESCRIPTION,
        query=schemas.OrderDocumentQuery,
        media_type="application/pdf",
        more_media=(("application/xml", "XmlDocument"),),
    ),
    Operation(
        "createOrder",
        "POST",
        "order",
        "Orders",
        "Order allowed products",
        schemas.OrderResponse,
        "The created order (or, replayed, the order created by the first request).",
        _errors(
            _400="ValidationError",
            _403="OrderCreateForbidden",
            _404="AddressNotFound",
            _409="OrderCreateConflict",
        ),
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
        "create a second order (see the key). Shipping: `carrier_code` "
        "chooses a carrier of `GET carriers` (its rated price becomes the "
        "order's `shipping`; 400 on `carrier_code` when it cannot ship "
        "the order); `delivery_address_id` delivers to a saved address of "
        "`GET addresses` (404 `not_found` for any other id); a new "
        "`delivery_address` is saved for the partner, once. The body may "
        "also be a UBL 2.1 Order (Peppol BIS Order 3.0, `Content-Type: "
        "application/xml`): the same order, the same JSON answer.",
        body=schemas.OrderCreateRequest,
        body_examples=(
            "OrderCreateRequest",
            "OrderCreateRequestLines",
            "OrderCreateRequestCarrier",
            "OrderCreateRequestUs",
        ),
        response_examples=("OrderCreated", "OrderCreatedLines"),
        idempotent=True,
        xml_body=True,
    ),
    Operation(
        "quoteOrder",
        "POST",
        "order/quote",
        "Orders",
        "What an order would be, without ordering",
        schemas.OrderQuote,
        "The order `POST order` would create for this body; nothing was created.",
        _errors(
            _400="ValidationError",
            _403="OrderQuoteForbidden",
            _404="AddressNotFound",
            _409="OrderQuoteConflict",
        ),
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
        body_examples=("OrderCreateRequestLines", "OrderCreateRequestCarrier"),
        response_examples=("OrderQuote", "OrderQuoteCarrier"),
        writes=False,
        xml_body=True,
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
        "changeOrder",
        "POST",
        "order/change",
        "Orders",
        "Change an order before it ships",
        schemas.OrderResponse,
        "The changed order (with `dry_run`, the order as it would become).",
        _errors("400", "404", _403="OrderCreateForbidden", _409="OrderChangeConflict"),
        description=CHANGE_ORDER_DESCRIPTION,
        body=schemas.OrderChangeRequest,
        body_examples=("OrderChangeRequest",),
        response_examples=("OrderStatus",),
        idempotent=True,
    ),
    Operation(
        "quoteOrderChange",
        "POST",
        "order/change/quote",
        "Orders",
        "What an order would become, without changing it",
        schemas.OrderResponse,
        "The order as `POST order/change` would make it; nothing was changed.",
        _errors(
            "400", "404", _403="OrderQuoteForbidden", _409="OrderChangeQuoteConflict"
        ),
        description="Takes the body of `POST order/change`, checks it the same "
        "way and answers the same errors, or 200 with the order as the change "
        "would make it, with its new totals (as `dry_run: true`). Nothing is "
        "changed: the change is made and rolled back. Read-only keys may call "
        "it; it takes no `Idempotency-Key`.",
        body=schemas.OrderChangeRequest,
        body_examples=("OrderChangeRequest",),
        response_examples=("OrderStatus",),
        writes=False,
        rolled_back=True,
    ),
    Operation(
        "returnOrder",
        "POST",
        "order/return",
        "Orders",
        "Return delivered goods of an order",
        schemas.OrderResponse,
        "The order, its new return in `returns`.",
        _errors("400", "404", write=True, _409="OrderReturnConflict"),
        status=201,
        description="Announces goods of one of the partner's API orders "
        "(identified as in `order_status`) that come back: Odoo's own return "
        "of the done deliveries that delivered them is created, expected from "
        "the customer, with the `lots` named (required for products tracked "
        "by lot or serial number) and the `reason`; it is answered in the "
        "order's `returns` as `requested`, and the webhook receives "
        "`order.return_requested`, then `order.returned` when the seller "
        "receives the goods. Refused with 409 `not_returnable`, changing "
        "nothing, for more than was delivered and not yet returned (returns "
        "still expected count), a lot that did not leave on this order or came "
        "back already, an EAN not delivered on this order, or an order not "
        "placed through this API by this partner. An order that does not "
        "exist or belongs to another partner answers 404 `not_found`.",
        body=schemas.OrderReturnRequest,
        body_examples=("OrderReturnRequest",),
        response_examples=("OrderReturned",),
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
        _errors("400", write=True, _422="WebhookUrlRejected"),
        description="The URL must be `https://` and its host public "
        "(administrators may allow plain http and private hosts). The server "
        "resolves the host when the URL is set: plain http where it is not "
        "allowed, a host that does not resolve, or one that resolves to a "
        "private address answers 422 `webhook_url_rejected` (a URL that is not "
        "one, 400 `validation_error`). The "
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
        _errors("400", write=True, _409="WebhookNotSet", _422="WebhookUrlRejected"),
        description="Answers 200 whether or not the receiver accepted the ping: "
        "`delivered` tells, with the receiver's HTTP status (`status_code`); "
        "nothing more of the exchange is told (the seller's delivery log keeps "
        "it). 409 `webhook_not_set` when no webhook URL is set; 422 "
        "`webhook_url_rejected` when the URL set no longer passes the check of "
        "`PUT webhook`. One "
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
        {"400": "ValidationError", "405": "MethodNotAllowed", "500": "InternalError"},
        authenticate=False,
    ),
    *LOG_OPERATIONS,
    *ENDPOINT_OPERATIONS,
    *TERMS_OPERATIONS,
)
BY_ID = {operation.operation_id: operation for operation in OPERATIONS}
BY_ROUTE = {
    (operation.full_path, operation.method): operation for operation in OPERATIONS
}
# the routes with path parameters (``webhook/endpoints/{endpoint_id}``)
_TEMPLATED = tuple(operation for operation in OPERATIONS if operation.path_parameters)


def operation_at(path, method):
    """The operation a request of ``method`` to ``path`` (no trailing
    slash) runs, or None."""
    operation = BY_ROUTE.get((path, method))
    if operation is None and "/webhook/endpoints/" in path:
        operation = next(
            (
                op
                for op in _TEMPLATED
                if op.method == method and op.path_pattern.match(path)
            ),
            None,
        )
    return operation


def allowed_methods(path):
    """The methods of the templated routes that ``path`` matches."""
    return {op.method for op in _TEMPLATED if op.path_pattern.match(path)}


# (path, method) of the authenticated routes that write nothing but are not
# GET routes: read-only keys may call them too
READ_ONLY_POSTS = frozenset(
    (operation.full_path, operation.method)
    for operation in OPERATIONS
    if operation.readonly and operation.method != "GET"
)
