# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Every shape of the API, declared once as pydantic models.

Requests (bodies, query parameters, headers) are parsed with them
(``lib/validation.py``); responses and errors are declared here for the
document only (the service builds them). ``lib/openapi.py`` generates the
OpenAPI document from these models, so the document says exactly what the
parsers accept.

A rule that fails raises ``PydanticCustomError`` whose message holds
``{field}``: ``validation.py`` puts the parameter's full name there
(``delivery_address.city``, ``lines[2].amount``).
"""

import datetime
import enum
import math
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100
# Far beyond any real history, small enough for any SQL OFFSET.
PAGE_MAX = 10**9
AMOUNT_MAX = 1_000_000
TEXT_MAX = 256
EAN_MAX = 64
EXTERNAL_ID_MAX = 255
ORDER_ID_MAX = 255
LINES_MAX = 100
BATCH_MAX = 100
NOTE_MAX = 2000
URL_MAX = 2048
STATUSES = ("pending", "confirmed", "partially_shipped", "shipped", "cancelled")
SORTS = ("created_desc", "created_asc", "updated_asc")
IDENTIFIED_BY = ("biomes", "external")
# the events a webhook subscription chooses from; ``ping`` (test events of
# ``POST webhook/test``) is always delivered
ORDER_EVENT_TYPES = (
    "order.updated",
    "order.created",
    "order.partially_shipped",
    "order.shipped",
    "order.cancelled",
    "order.invoiced",
)
EVENT_TYPES = (*ORDER_EVENT_TYPES, "ping")
DOCUMENT_TYPES = ("invoice", "delivery_slip", "order")
# stock.picking states, invoice types (account.move move_type) shown
DELIVERY_STATES = ("draft", "waiting", "confirmed", "assigned", "done", "cancel")
INVOICE_TYPES = ("out_invoice", "out_refund")
# ISO 3166-1 alpha-2 codes of the countries Odoo 18.0 knows (its
# base/data/res_country_data.xml; tests/test_schemas.py checks them)
COUNTRY_CODES = tuple(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ
    BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU
    CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB
    GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL
    IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI
    LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN
    PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR
    SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US
    UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW""".split()
)

# Text: no control characters (NUL included: PostgreSQL refuses it); a
# required text holds something besides spaces. The same expressions are the
# document's patterns.
TEXT_PATTERN = r"^[^\u0000-\u001f\u007f]*$"
REQUIRED_TEXT_PATTERN = (
    r"^[^\u0000-\u001f\u007f]*[^\u0000-\u0020\u007f][^\u0000-\u001f\u007f]*$"
)
# a note may hold line breaks and tabs
NOTE_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"
IDEMPOTENCY_KEY_PATTERN = r"^[\u0020-\u007e]{1,255}$"
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[!-~]+$"
_WHOLE_NUMBER_RE = re.compile(r"^[0-9]{1,30}$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DATETIME_RE = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"([Zz]|[+-][0-9]{2}:?[0-9]{2})?$"
)
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def _fail(kind, message, **context):
    raise PydanticCustomError(f"poa_{kind}", message, context)


# ----------------------------------------------------------------------
# Request fields
# ----------------------------------------------------------------------


def _text(max_length, *, required=True, pattern=TEXT_PATTERN, strip=" "):
    """A JSON string of at most ``max_length`` characters matching
    ``pattern``, returned without the surrounding ``strip`` characters; an
    optional text that is null, empty or only those is None."""
    regex = re.compile(pattern)

    def clean(value):
        if value is None and not required:
            return None
        if not isinstance(value, str):
            _fail("string_type", "{field} must be a string.")
        if len(value) > max_length:
            _fail("too_long", f"{{field}} must be at most {max_length} characters.")
        if _SURROGATE_RE.search(value):
            _fail("surrogate", "{field} must be valid Unicode text.")
        if not regex.match(value):
            _fail("control", "{field} must not contain control characters.")
        value = value.strip(strip)
        if required and not value:
            _fail("empty", "{field} must not be empty.")
        return value or None

    schema = {"type": "string", "maxLength": max_length, "pattern": pattern}
    if required:
        return Annotated[
            str,
            BeforeValidator(clean),
            WithJsonSchema(dict(schema, minLength=1, pattern=REQUIRED_TEXT_PATTERN)),
        ]
    return Annotated[
        str | None,
        BeforeValidator(clean),
        WithJsonSchema({"anyOf": [schema, {"type": "null"}]}),
    ]


def _amount(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail("amount", "Amount must be a whole number greater than zero.")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        _fail("amount", "Amount must be a whole number greater than zero.")
    value = int(value)
    if value <= 0:
        # the original document's message
        _fail("amount", "Amount must be greater than zero")
    if value > AMOUNT_MAX:
        _fail("amount", f"Amount must be at most {AMOUNT_MAX}.")
    return value


def _country_code(value):
    if value not in COUNTRY_CODES:
        _fail(
            "country",
            "{field} must be an ISO 3166-1 alpha-2 code in capitals, e.g. DE.",
        )
    return value


def _whole_number(maximum):
    def parse(value):
        if not (isinstance(value, str) and _WHOLE_NUMBER_RE.match(value)) or not (
            1 <= int(value) <= maximum
        ):
            _fail("int", f"{{field}} must be a whole number between 1 and {maximum}.")
        return int(value)

    return parse


def _when(*, date_allowed, end_of_day=False):
    """An ISO 8601 date-time (UTC when it has no offset; ``Z`` accepted),
    or a date when ``date_allowed`` (its first microsecond, or with
    ``end_of_day`` its last). Returned naive, in UTC, as Odoo stores
    datetimes; beyond the calendar's ends, its first or last microsecond."""
    message = "{field} must be an ISO 8601 date-time such as 2026-11-23T10:00:00Z" + (
        " or a date such as 2026-11-23." if date_allowed else "."
    )

    def parse(raw):
        if not isinstance(raw, str):
            _fail("date", message)
        if _DATE_RE.match(raw) and date_allowed:
            try:
                value = datetime.datetime.strptime(raw, "%Y-%m-%d")
            except ValueError:
                _fail("date", message)
            if end_of_day:
                try:
                    return value + datetime.timedelta(days=1, microseconds=-1)
                except OverflowError:
                    return datetime.datetime.max
            return value
        if not _DATETIME_RE.match(raw):
            _fail("date", message)
        try:
            value = datetime.datetime.fromisoformat(
                raw.replace("z", "Z").replace("Z", "+00:00")
            )
        except ValueError:
            _fail("date", message)
        if value.tzinfo:
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError:
                # beyond the calendar: its last or first microsecond
                if value.utcoffset() < datetime.timedelta():
                    return datetime.datetime.max
                return datetime.datetime.min
        return value.replace(tzinfo=None)

    return parse


def _statuses(raw):
    statuses = raw.split(",") if isinstance(raw, str) else []
    if not statuses or any(status not in STATUSES for status in statuses):
        _fail(
            "status",
            f"{{field}} must be one or more of {', '.join(STATUSES)}, comma-separated.",
        )
    return sorted(set(statuses))


def _choice(choices, message):
    def parse(value):
        if value not in choices:
            _fail("choice", message)
        return value

    return parse


def _url(value):
    if not isinstance(value, str):
        _fail("string_type", "{field} must be a string.")
    if len(value) > URL_MAX or not re.match(URL_PATTERN, value):
        _fail(
            "url",
            f"{{field}} must be an http(s) URL of at most {URL_MAX} ASCII "
            "characters without spaces.",
        )
    return value


Ean = Annotated[
    _text(EAN_MAX),
    Field(description="The EAN of an allowed product (see `available_products`)."),
]
Amount = Annotated[
    int,
    BeforeValidator(_amount),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": AMOUNT_MAX}),
    Field(
        description="The quantity, in the product's unit: a whole number greater "
        "than zero (`2.0` is accepted as 2)."
    ),
]
DateOrDateTime = WithJsonSchema(
    {
        "anyOf": [
            {"type": "string", "format": "date"},
            {"type": "string", "format": "date-time"},
        ]
    }
)
IdentifiedBy = Annotated[
    str,
    BeforeValidator(_choice(IDENTIFIED_BY, "{field} must be 'biomes' or 'external'.")),
    WithJsonSchema({"type": "string", "enum": list(IDENTIFIED_BY)}),
    Field(
        description="Which identifier `order_id` holds: `biomes` (the order "
        "number, `biomes_order_id`) or `external` (the partner's "
        "`external_order_id`)."
    ),
]
OrderId = Annotated[
    _text(ORDER_ID_MAX),
    Field(description="The identifier of the order.", examples=["S00042"]),
]


class _Request(BaseModel):
    """A JSON body: unknown members are refused."""

    model_config = ConfigDict(extra="forbid")


class DeliveryAddressInput(_Request):
    """Where to deliver. Text fields are trimmed and must not contain control
    characters."""

    name: _text(TEXT_MAX)
    street: _text(TEXT_MAX)
    street2: _text(TEXT_MAX, required=False) = Field(
        None, description="Optional; empty or null for none."
    )
    zip: _text(TEXT_MAX)
    city: _text(TEXT_MAX)
    country_code: Annotated[
        str,
        BeforeValidator(_country_code),
        WithJsonSchema({"type": "string", "enum": list(COUNTRY_CODES)}),
        Field(
            description="ISO 3166-1 alpha-2 code, in capitals, of a country "
            "Odoo knows, e.g. `DE`."
        ),
    ]


class OrderLineInput(_Request):
    """One product to order."""

    ean: Ean
    amount: Amount


class _OrderCreateCommon(_Request):
    external_order_id: _text(EXTERNAL_ID_MAX, required=False) = Field(
        None,
        description="The partner's own order id, unique per partner and company. Optional; "
        "empty or null for none.",
    )
    note: _text(NOTE_MAX, required=False, pattern=NOTE_PATTERN, strip=" \t\r\n") = (
        Field(
            None,
            description="A note for the seller (trimmed; at most 2,000 characters). "
            "Line breaks and tabs are kept, other control characters refused. "
            "Optional; empty or null for none. Shown in the order's `note`.",
        )
    )
    delivery_address: DeliveryAddressInput


class OrderLinesRequest(_OrderCreateCommon):
    """Several products (1 to 100). The same EAN twice becomes one line of
    the summed amount."""

    lines: list[OrderLineInput] = Field(
        min_length=1, max_length=LINES_MAX, description="The products to order."
    )


class SingleProductOrderRequest(_OrderCreateCommon):
    """One product, as in the original document."""

    ean: Ean
    amount: Amount


class OrderCreateRequest(RootModel[OrderLinesRequest | SingleProductOrderRequest]):
    """Either `lines` (1 to 100 products) or `ean` and `amount` (one product,
    as in the original document), never both."""


class OrderBatchRequest(_Request):
    """Up to 100 orders, each the body of `POST order`."""

    orders: list[
        Annotated[
            dict,
            WithJsonSchema({"$ref": "#/components/schemas/OrderCreateRequest"}),
        ]
    ] = Field(
        min_length=1,
        max_length=BATCH_MAX,
        description="1 to 100 orders, each exactly the body of `POST order`. An "
        "order that is not a JSON object refuses the whole request; an order "
        "that is an object but invalid gets its own 400 result.",
    )


class OrderLookup(BaseModel):
    """An order of the partner, as ``order_status`` and ``order/cancel``
    name it."""

    model_config = ConfigDict(extra="ignore")

    identifiedBy: IdentifiedBy  # noqa: N815 (the contract's name)
    order_id: OrderId


class OrderDocumentQuery(OrderLookup):
    """The query of ``GET order/document``: the order as ``order_status``
    names it, and which of its documents."""

    type: Annotated[
        str,
        BeforeValidator(
            _choice(
                DOCUMENT_TYPES,
                f"{{field}} must be one of {', '.join(DOCUMENT_TYPES)}.",
            )
        ),
        WithJsonSchema({"type": "string", "enum": list(DOCUMENT_TYPES)}),
        Field(
            description="`invoice`: a posted invoice or credit note of the "
            "order; `delivery_slip`: the delivery slip of a done outgoing "
            "delivery; `order`: the order confirmation."
        ),
    ]
    invoice_number: _text(ORDER_ID_MAX) = Field(
        None,
        description="With `type=invoice`: which invoice or credit note (its "
        "`number` in `invoices`); without it, the latest posted one. Ignored "
        "with the other types.",
        examples=["INV/2026/00042"],
    )
    delivery_order_name: _text(ORDER_ID_MAX) = Field(
        None,
        description="With `type=delivery_slip`: which done delivery (its "
        "`name` in `deliveries`); without it, the latest done one. Ignored "
        "with the other types.",
        examples=["WH/OUT/00012"],
    )


class OrderCancelRequest(OrderLookup):
    """The order to cancel, identified as in `order_status`."""

    model_config = ConfigDict(extra="forbid")


def _event_types(value):
    message = (
        "{field} must be a list of one or more of "
        f"{', '.join(EVENT_TYPES)} (omit it for all)."
    )
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        _fail("event_types", message)
    for item in value:
        if not isinstance(item, str) or item not in EVENT_TYPES:
            _fail("event_types", message)
    return [event for event in EVENT_TYPES if event in value]


class WebhookPutRequest(_Request):
    url: Annotated[
        str,
        BeforeValidator(_url),
        WithJsonSchema(
            {
                "type": "string",
                "minLength": 1,
                "maxLength": URL_MAX,
                "pattern": URL_PATTERN,
            }
        ),
        Field(
            description="An `https://` URL whose host is public (administrators "
            "may allow plain http and private hosts); its host must resolve."
        ),
    ]
    event_types: Annotated[
        list[str] | None,
        BeforeValidator(_event_types),
        WithJsonSchema(
            {
                "anyOf": [
                    {
                        "type": "array",
                        "minItems": 1,
                        "items": {"$ref": "#/components/schemas/WebhookEventType"},
                    },
                    {"type": "null"},
                ]
            }
        ),
    ] = Field(
        None,
        description="The events to receive. Optional: omitted or null, all of "
        "them (also those added later). `order.updated` is the event that "
        "existing clients know: sent beside every other order event (at a "
        "validated outgoing delivery as before); leave it out once you handle "
        "those. `ping` (test events) is always sent; "
        "listing it changes nothing. Every `PUT` sets the list anew.",
    )


class OrdersQuery(BaseModel):
    """The query of ``GET orders``."""

    model_config = ConfigDict(extra="ignore")

    page: Annotated[
        int,
        BeforeValidator(_whole_number(PAGE_MAX)),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": PAGE_MAX}),
    ] = Field(
        1,
        description="Page number, starting at 1. A page beyond the last one is empty.",
    )
    page_size: Annotated[
        int,
        BeforeValidator(_whole_number(PAGE_SIZE_MAX)),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX}),
    ] = Field(PAGE_SIZE_DEFAULT, description="Orders per page, 1 to 100.")
    status: Annotated[
        list[str] | None,
        BeforeValidator(_statuses),
        WithJsonSchema(
            {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "enum": list(STATUSES)},
            }
        ),
    ] = Field(
        None,
        description="Only orders in one of these statuses, comma-separated, e.g. "
        "`status=confirmed,partially_shipped`.",
        json_schema_extra={"x-style": "form", "x-explode": False},
    )
    created_from: Annotated[
        datetime.datetime | None,
        BeforeValidator(_when(date_allowed=True)),
        DateOrDateTime,
    ] = Field(
        None,
        description="Only orders created at or after this time. ISO 8601, a date "
        "(`2026-11-23`) or a date-time (`2026-11-23T10:00:00Z`, "
        "`2026-11-23T11:00:00+01:00`, up to microseconds); without an offset, UTC.",
        examples=["2026-11-01", "2026-11-01T00:00:00Z"],
    )
    created_to: Annotated[
        datetime.datetime | None,
        BeforeValidator(_when(date_allowed=True, end_of_day=True)),
        DateOrDateTime,
    ] = Field(
        None,
        description="Only orders created at or before this time. ISO 8601, a date "
        "(`2026-11-23`) or a date-time (`2026-11-23T10:00:00Z`, "
        "`2026-11-23T11:00:00+01:00`, up to microseconds); without an offset, UTC. "
        "A date means the whole day (up to 23:59:59.999999 UTC).",
        examples=["2026-11-30", "2026-11-30T18:00:00+01:00"],
    )
    updated_since: Annotated[
        datetime.datetime | None,
        BeforeValidator(_when(date_allowed=False)),
        WithJsonSchema({"type": "string", "format": "date-time"}),
    ] = Field(
        None,
        description="Only orders whose `updated_at` is at or after this time: an "
        "ISO 8601 date-time (a date alone is refused), UTC unless it has an "
        "offset, microseconds allowed. For sync, send "
        "`pagination.next_updated_since` as it is.",
        examples=["2026-11-24T09:02:17.318204Z"],
    )
    sort: Annotated[
        str,
        BeforeValidator(
            _choice(SORTS, f"{{field}} must be one of {', '.join(SORTS)}.")
        ),
        WithJsonSchema({"type": "string", "enum": list(SORTS)}),
    ] = Field(
        "created_desc",
        description="`created_desc`: newest first; `created_asc`: oldest first; "
        "`updated_asc`: least recently changed first, for sync (the pagination "
        "then holds `next_updated_since`).",
    )


def _idempotency_key(value):
    if not (isinstance(value, str) and re.match(IDEMPOTENCY_KEY_PATTERN, value)):
        _fail("idempotency_key", "{field} must be 1 to 255 printable ASCII characters.")
    return value


IdempotencyKey = Annotated[
    str,
    BeforeValidator(_idempotency_key),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "pattern": IDEMPOTENCY_KEY_PATTERN,
        }
    ),
]


# ----------------------------------------------------------------------
# Responses (built by the service; declared here for the document)
# ----------------------------------------------------------------------

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


class Product(_Response):
    ean: str = Field(description="The product's barcode: use it to order.")
    name: str = Field(
        description="The product's own name (with its variant's attribute "
        "values); its internal reference is `default_code`, never in the name."
    )
    default_code: str | None = Field(description="Internal reference; null if none.")
    price: float = Field(description="Unit price for quantity 1, taxes excluded.")
    currency: str = Field(description="ISO 4217 code.")
    available_quantity: float | None = Field(
        description="Free to promise now, in the product's unit: Odoo's free "
        "quantity (on hand less what is reserved for other orders) in the "
        "warehouses of the seller's company; goods still to come do not count. "
        "Null for a product that is not kept in stock (always available)."
    )
    sale_delay: int = Field(
        description="The product's customer lead time, in days (0: none)."
    )


class ProductList(_Response):
    success: Literal[True]
    products: list[Product]


class Address(_Response):
    name: str | None
    street: str | None
    street2: str | None
    zip: str | None
    city: str | None
    country_code: str | None


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
    delivery_address: Address
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


# The document's components/schemas, by name (named enums included)
SCHEMAS = (
    ProductList,
    OrderList,
    OrderResponse,
    WebhookInfo,
    WebhookTestResult,
    WebhookPing,
    OpenApiDocument,
    Error,
    OrderCreateRequest,
    OrderCancelRequest,
    WebhookPutRequest,
    OrderQuote,
    OrderBatchRequest,
    OrderBatchResponse,
)
