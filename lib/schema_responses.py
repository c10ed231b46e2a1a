# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The answers' models: the order object, the lists, the webhook's
settings and events, and the error envelope with the contract's error codes.

The service builds the answers (``models/``); these models declare them
for the document only (``lib/openapi.py``), which is why their fields carry
the descriptions integrators read. Fields may be added to an answer, never
removed. ``lib/schemas.py`` re-exports every name.
"""

import datetime
import enum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from . import schema_deliveries as despatch
from .events import EVENT_TYPES
from .schema_fields import PAGE_SIZE_MAX, STATUSES, InvoiceXmlFormats

# stock.picking states, invoice types (account.move move_type) shown
DELIVERY_STATES = ("draft", "waiting", "confirmed", "assigned", "done", "cancel")
INVOICE_TYPES = ("out_invoice", "out_refund")
# a return's state: its transfer's (stock.picking) state, mapped
RETURN_STATES = ("requested", "received", "cancelled")


UtcSeconds = Annotated[
    str,
    Field(
        json_schema_extra={
            "format": "date-time",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
        }
    ),
]
UtcMicroseconds = Annotated[
    str,
    Field(
        json_schema_extra={
            "format": "date-time",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
            r"\.[0-9]{6}Z$",
        }
    ),
]
OrderStatus = enum.StrEnum("OrderStatus", {s.upper(): s for s in STATUSES})
DeliveryState = enum.StrEnum(
    "DeliveryState", {state.upper(): state for state in DELIVERY_STATES}
)
InvoiceType = enum.StrEnum("InvoiceType", {t.upper(): t for t in INVOICE_TYPES})
WebhookEventType = enum.StrEnum(
    "WebhookEventType", {e.replace(".", "_").upper(): e for e in EVENT_TYPES}
)


class _Response(BaseModel):
    """Fields may be added to an answer, never removed."""


class Address(_Response):
    name: str | None
    street: str | None
    street2: str | None
    zip: str | None
    city: str | None
    country_code: str | None
    state_code: str | None = Field(
        description="The state's code in Odoo for the country (e.g. `CA`); "
        "null for none."
    )
    phone: str | None = Field(description="Null for none.")
    email: str | None = Field(description="Null for none.")
    company_name: str | None = Field(description="Null for none.")


class SavedAddress(_Response):
    """A saved delivery address of the partner: its `id` may replace
    `delivery_address` in `POST order` (`delivery_address_id`)."""

    id: int = Field(description="Send it as `delivery_address_id`.")
    name: str | None
    company_name: str | None
    street: str | None
    street2: str | None
    zip: str | None
    city: str | None
    state_code: str | None
    country_code: str | None
    phone: str | None
    email: str | None


class AddressList(_Response):
    success: Literal[True]
    addresses: list[SavedAddress] = Field(
        description="The partner's delivery addresses (those its orders were "
        "delivered to, and those the seller saved for it), newest first, at "
        "most 500."
    )


class Carrier(_Response):
    code: str = Field(description="Send it as `carrier_code`.")
    name: str = Field(description="The carrier's name.")


class CarrierList(_Response):
    success: Literal[True]
    carriers: list[Carrier] = Field(
        description="The carriers the partner may choose, by code; empty when "
        "the seller chooses."
    )


class Shipping(_Response):
    """The carrier chosen with `carrier_code` and what it costs."""

    carrier_code: str | None = Field(
        description="Its code (`GET carriers`); null if the carrier has none now."
    )
    carrier: str | None = Field(description="The carrier's name.")
    price: float = Field(
        description="The delivery's price, taxes excluded, from the carrier's "
        "rating for this order (included in `total_cost`, not in `lines`)."
    )


class OrderLine(_Response):
    """A line as it was ordered: its product's `ean`, `product_name` and
    `default_code` are stored on the line when it is created (and when its
    product is changed), never rewritten by later changes of the product;
    `available_products` shows the products as they are now."""

    ean: str | None = Field(
        description="The product's EAN when it was ordered; null if it had none."
    )
    product_name: str = Field(
        description="The product's own name when it was ordered, in the "
        "customer's language, without its internal reference."
    )
    default_code: str | None = Field(
        description="The product's internal reference when it was ordered; "
        "null if it had none."
    )
    quantity: float = Field(
        description="Ordered, a number in the product's unit of measure."
    )
    delivered_quantity: float = Field(
        description="Delivered so far, a number in the product's unit of measure."
    )
    open_quantity: float = Field(
        description="Still to deliver: `quantity` minus `delivered_quantity`, "
        "never below 0; 0 on a cancelled order."
    )
    unit_price: float = Field(
        description="Price of one unit, discounts applied, taxes excluded "
        "(`subtotal / quantity`)."
    )
    subtotal: float = Field(description="The line's amount, taxes excluded.")
    customer_reference: str | None = Field(
        description="The buyer's line reference sent with `POST order` "
        "(`lines[].customer_reference`); null for none."
    )
    expected_date: datetime.date | None = Field(
        description="When `open_quantity` is expected to ship, from the "
        "seller's stock forecast: reserved, its delivery's scheduled date; "
        "not reserved, the later of that date and the date of the receipt "
        "that covers it. Null when nothing open, or when no stock nor "
        "incoming receipt covers it. A change moves `updated_at`."
    )
    available_now: bool = Field(
        description="`open_quantity` is reserved in stock for this order, "
        "ready to leave. False while anything is still to come, and when "
        "nothing is open."
    )


class Tracking(_Response):
    """A validated (done) outgoing delivery of the order."""

    delivery_order_name: str = Field(description="The delivery order.")
    carrier: str | None = Field(description="The carrier's name; null if none.")
    tracking_ref: str | None = Field(
        description="The carrier's tracking reference; null until it is known."
    )
    date_done: UtcSeconds | None = Field(
        description="When the delivery was validated (UTC)."
    )


class DeliveryLine(_Response):
    ean: str | None = Field(
        description="The product's EAN as shipped: the one it had when the "
        "delivery's move was made, whatever it has now; null if none."
    )
    quantity: float = Field(
        description="Shipped (done delivery), to ship (open delivery) or that "
        "was to ship (cancelled delivery), in the order line's unit."
    )
    lots: list[despatch.DeliveryLot] = despatch.LINE_LOTS


class Delivery(_Response):
    """An outgoing delivery of the order, whatever its state."""

    name: str = Field(description="The delivery order, e.g. `WH/OUT/00012`.")
    state: DeliveryState
    scheduled_date: UtcSeconds | None = Field(
        description="When it is planned to leave (UTC)."
    )
    date_done: UtcSeconds | None = Field(
        description="When it was validated (UTC); null until it is done."
    )
    carrier: str | None = Field(description="The carrier's name; null if none.")
    tracking_ref: str | None = Field(
        description="The carrier's tracking reference; null until it is known."
    )
    tracking_url: str | None = Field(
        description="Where to follow the parcel, from the carrier's tracking "
        "link and `tracking_ref`; null when either is missing."
    )
    lines: list[DeliveryLine] = Field(description="One entry per product.")
    lots: list[str] = Field(
        description="The lots and serial numbers that left in this delivery "
        "(done deliveries only; empty otherwise), a test kit's kit barcode in "
        "place of its lot name where it has one, as in `sent_lots`."
    )
    weight: float = despatch.DELIVERY_WEIGHT
    packages: list[despatch.DeliveryPackage] = despatch.DELIVERY_PACKAGES


class Invoice(_Response):
    """A posted customer invoice or credit note of the order."""

    number: str = Field(description="The invoice number, e.g. `INV/2026/00042`.")
    move_type: InvoiceType
    state: Literal["posted"] = Field(
        description="Always `posted`: draft and cancelled invoices are not listed."
    )
    payment_state: str | None = Field(
        description="Odoo's payment status: `not_paid`, `in_payment`, `paid`, "
        "`partial`, `reversed` (a credit note cancels it), `blocked` or "
        "`invoicing_legacy`."
    )
    invoice_date: datetime.date | None = Field(description="The invoice date.")
    due_date: datetime.date | None = Field(description="When payment is due.")
    amount_total: float = Field(
        description="Total, taxes included, in `currency` (positive for credit "
        "notes too)."
    )
    amount_residual: float = Field(description="Still to pay (or to refund).")
    currency: str = Field(description="ISO 4217 code.")
    formats: InvoiceXmlFormats


class ReturnLine(_Response):
    ean: str | None = Field(
        description="The product's EAN as it was delivered; null if none."
    )
    quantity: float = Field(
        description="Coming back (requested), received, or that was to come "
        "back (cancelled), in the product's unit."
    )


class Return(_Response):
    """A return of goods of the order: a transfer back from the customer,
    made by `POST order/return` or by the seller."""

    name: str = Field(description="The return transfer, e.g. `WH/IN/00007`.")
    state: Literal[RETURN_STATES] = Field(
        description="`requested`: the return is expected (its transfer is "
        "open); `received`: the goods came back (its transfer is done; the "
        "lines' `delivered_quantity` no longer counts them); `cancelled`: it "
        "will not come."
    )
    reason: str | None = Field(description="Why the goods come back; null if none.")
    lines: list[ReturnLine] = Field(description="One entry per product.")
    lots: list[str] = Field(
        description="The lots and serial numbers coming back, a test kit's kit "
        "barcode in place of its lot name, as in `sent_lots`."
    )
    credit_note: str | None = Field(
        description="The number of the posted credit note that refunds this "
        "return (one of `invoices`, `move_type` `out_refund`): the seller's "
        "accounting makes it from the order once the goods are received. "
        "Credit notes are matched to received returns oldest first, by the "
        "order lines and quantities they refund. Null until one is posted."
    )


class Order(_Response):
    """The order object: the same in the orders list, `order_status`, the
    create-order response and the webhook. Fields may be added, none removed."""

    biomes_order_id: str = Field(description="The order number.")
    external_order_id: str | None
    status: OrderStatus
    delivery_order_name: str | None = Field(description="The first outgoing delivery.")
    total_cost: float = Field(
        description="The order's total, taxes included: the sum of the lines' "
        "`subtotal` plus `total_tax`."
    )
    total_tax: float = Field(description="The taxes of the order.")
    currency: str = Field(description="ISO 4217 code.")
    sent_lots: list[str] = Field(
        description="Every lot or serial number delivered; a test kit's kit "
        "barcode in place of its lot name where it has one."
    )
    created_at: UtcSeconds = Field(description="UTC.")
    updated_at: UtcMicroseconds | None = Field(
        description="When what the API shows of the order last changed, "
        "and only then: any field of this object but `updated_at` itself "
        "(status, amounts, delivery address, lines, deliveries and their "
        "lines, lots, tracking and carriers' names in any language, "
        "invoices and their payment, note). UTC, with microseconds. What "
        "`updated_since` and `sort=updated_asc` use. Lines show products as "
        "ordered and deliveries' lines EANs as shipped: a product renamed "
        "or re-barcoded later does not move it.",
        examples=["2026-11-23T10:00:00.123456Z"],
    )
    note: str | None = Field(
        description="The partner's note sent with `POST order`; null for none."
    )
    test: bool = Field(
        # always answered; a default so that objects recorded before it
        # (docs/examples.json) stay valid until they are recorded again
        False,
        description="A test order, placed with a test key (scope "
        "`partner_order_api.test`): a quotation that never reserves, ships or "
        "invoices, `status` `confirmed` until it is cancelled (by the partner, "
        "or after 24 hours); only test keys see it. False for real orders.",
    )
    delivery_address: Address
    requested_delivery_date: datetime.date | None = Field(
        description="The delivery date the buyer asked for (the order's "
        "commitment date); null for none."
    )
    ship_complete: bool = Field(
        description="True: everything ships at once; false: what is "
        "available ships as soon as possible, the rest in backorders."
    )
    shipping: Shipping | None = Field(
        description="The carrier chosen with `carrier_code` and its price; null "
        "when none was chosen."
    )
    lines: list[OrderLine]
    tracking: list[Tracking] = Field(
        description="One entry per done outgoing delivery, in the order they "
        "were created; empty until one is done."
    )
    deliveries: list[Delivery] = Field(
        description="Every outgoing delivery of the order (open, done or "
        "cancelled; backorders included; in a multi-step delivery its last, "
        "outgoing step; returns are not listed), in the order they were "
        "created: which product and which kit left in which parcel, and what "
        "is still to come."
    )
    invoices: list[Invoice] = Field(
        description="The posted customer invoices and credit notes of the "
        "order, oldest first (drafts are not listed); their PDF: "
        "`order/document?type=invoice`."
    )
    returns: list[Return] = Field(
        description="The returns of the order's deliveries, oldest first "
        "(`POST order/return`, or made by the seller); not listed in "
        "`deliveries`."
    )


class QuoteLine(_Response):
    ean: str | None
    product_name: str = Field(
        description="The product's own name, without its internal reference, "
        "in the customer's language: what the order's line would store."
    )
    default_code: str | None = Field(
        description="The product's internal reference; null if none."
    )
    quantity: float = Field(description="In the product's unit of measure.")
    unit_price: float = Field(
        description="Price of one unit, discounts applied, taxes excluded, as "
        "the order's line would have it."
    )
    subtotal: float = Field(description="The line's amount, taxes excluded.")
    available: bool = Field(
        description="The quantity is free in stock now (always true for a "
        "product that is not kept in stock)."
    )
    available_quantity: float | None = Field(
        description="Free to promise now, as in `available_products`; null for "
        "a product that is not kept in stock."
    )
    customer_reference: str | None = Field(
        description="The buyer's line reference; null for none."
    )


class OrderQuote(_Response):
    """What `POST order` would create for the same body: nothing is created
    nor reserved."""

    success: Literal[True]
    external_order_id: str | None
    total_cost: float = Field(
        description="The order's total, taxes included: the sum of the lines' "
        "`subtotal` plus `total_tax`."
    )
    total_tax: float = Field(description="The taxes of the order.")
    currency: str = Field(description="ISO 4217 code.")
    available: bool = Field(description="Every line is `available`.")
    note: str | None
    delivery_address: Address
    requested_delivery_date: datetime.date | None = Field(
        description="As the order would have it."
    )
    ship_complete: bool = Field(description="As the order would have it.")
    shipping: Shipping | None = Field(
        description="The carrier of `carrier_code` and the price it rates for "
        "this order; null without `carrier_code`."
    )
    lines: list[QuoteLine]


class OrderResponse(Order):
    """`{"success": true}` and the order object."""

    success: Literal[True]


class Pagination(_Response):
    page: int = Field(ge=1)
    page_size: int = Field(ge=1, le=PAGE_SIZE_MAX)
    total_count: int = Field(ge=0)
    total_pages: int = Field(ge=0)
    has_next: bool
    has_previous: bool
    next_updated_since: UtcMicroseconds = Field(
        None,
        description="Only with `sort=updated_asc`: the `updated_since` of the "
        "next sync request (see `listOrders`).",
    )


class OrderList(_Response):
    success: Literal[True]
    orders: list[Order]
    pagination: Pagination


class WebhookInfo(_Response):
    success: Literal[True]
    url: str | None = Field(
        description="Where order updates are POSTed; null for none."
    )
    signing_secret_set: bool
    event_types: list[WebhookEventType] = Field(
        description="The events the webhook receives (`ping` always)."
    )
    signing_secret: str = Field(
        None,
        pattern="^whsec_",
        description="Only when it was just created (the first `PUT webhook`, "
        "`POST webhook/rotate_secret`).",
    )
    previous_secret_expires_at: UtcSeconds | None = Field(
        description="After a rotation: until when webhook requests are also "
        "signed with the previous secret (`webhook-signature` then holds two "
        "signatures); null when only the current secret signs them.",
    )


class WebhookTestResult(_Response):
    success: Literal[True]
    delivered: bool = Field(description="The receiver answered 2xx.")
    webhook_id: str = Field(description="The `webhook-id` header of the ping.")
    url: str
    status_code: int | None = Field(
        description="The receiver's HTTP status; null if none."
    )
    error: str | None = Field(
        description="Null when delivered; otherwise one fixed message, whatever "
        "went wrong (the seller's delivery log keeps the details)."
    )


class WebhookPing(_Response):
    success: Literal[True]
    event: Literal["ping"]
    message: str
    sent_at: str = Field(json_schema_extra={"format": "date-time"})


class OpenApiInfo(_Response):
    title: str
    version: str = Field(description="The addon's version.")


class OpenApiDocument(_Response):
    """The OpenAPI 3.1 document of this API (its other members as the
    OpenAPI specification defines them)."""

    openapi: str = Field(pattern=r"^3\.1\.")
    info: OpenApiInfo


# the contract's codes, with their HTTP status
ERROR_STATUSES = {
    "validation_error": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "product_not_allowed": 403,
    "insufficient_scope": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "duplicate_external_order_id": 409,
    "idempotency_key_reused": 409,
    "idempotency_in_progress": 409,
    "not_cancellable": 409,
    "not_changeable": 409,
    "not_returnable": 409,
    "webhook_not_set": 409,
    "webhook_endpoint_limit": 409,
    "webhook_url_rejected": 422,
    "not_configured": 409,
    "rate_limited": 429,
    "concurrency_limited": 429,
    "internal_error": 500,
    "document_unavailable": 503,
    "busy": 503,
}
ErrorCode = enum.StrEnum("ErrorCode", {c.upper(): c for c in ERROR_STATUSES})


class ErrorDetail(_Response):
    field: str = Field(
        description="The field or parameter, dotted for nested fields, e.g. "
        "`delivery_address.zip`; `body` for the body as a whole."
    )
    message: str


class ErrorBody(_Response):
    code: ErrorCode
    message: str = Field(
        min_length=1, description="For people; names the first invalid field."
    )
    details: list[ErrorDetail] = Field(
        None, description="Every invalid field (validation errors)."
    )


class Error(_Response):
    """`{"success": false, "error": {...}}`; the status of the response and
    its `x-error-codes` say which codes it may carry."""

    success: Literal[False]
    error: ErrorBody


class BatchResult(_Response):
    """The outcome of one order of the batch: `order` with status 201,
    `error` (as the error envelope holds it) otherwise."""

    index: int = Field(ge=0, description="Its position in `orders`, from 0.")
    status: int = Field(
        description="The HTTP status `POST order` would have answered for this "
        "order alone: 201, or that of its error (400, 403, 409, 500)."
    )
    order: Order = Field(None, description="The created order (status 201).")
    error: ErrorBody = Field(None, description="Why it was not created.")


class OrderBatchResponse(_Response):
    success: Literal[True]
    results: list[BatchResult] = Field(
        description="One per order of the request, in its order."
    )
