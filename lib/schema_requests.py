# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The request models: the bodies and queries a client sends, as pydantic
models made of the fields of ``lib/schema_fields.py``.

``lib/validation.py`` parses every request with them, and the document
(``lib/openapi.py``) shows their JSON schemas, so that the document says
exactly what the parsers accept. A JSON body refuses unknown members; a
query ignores unknown parameters. ``lib/schemas.py`` re-exports every name.
"""

import datetime
import re
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    WithJsonSchema,
)

from .schema_fields import (
    AMOUNT_MAX,
    BATCH_MAX,
    COUNTRY_CODES,
    CUSTOMER_REFERENCE_MAX,
    DOCUMENT_TYPES,
    EXTERNAL_ID_MAX,
    LINES_MAX,
    NOTE_MAX,
    NOTE_PATTERN,
    ORDER_ID_MAX,
    PAGE_MAX,
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    SORTS,
    STATUSES,
    TEXT_MAX,
    URL_MAX,
    URL_PATTERN,
    Amount,
    DateOrDateTime,
    Ean,
    IdentifiedBy,
    InvoiceXmlFormat,
    OrderId,
    _amount,
    _fail,
    choice,
    future_date,
    parse_country_code,
    parse_event_types,
    parse_statuses,
    parse_url,
    strict_bool,
    text,
    when,
    whole_number,
)

# lots named on one line of a return (a serial number per unit)
AMOUNT_LOTS_MAX = 1000


class _Request(BaseModel):
    """A JSON body: unknown members are refused."""

    model_config = ConfigDict(extra="forbid")


# what GET addresses answers and an address may hold beyond the original
# document's fields
STATE_CODE_MAX = 8
PHONE_MAX = 64
CARRIER_CODE_MAX = 64
# a plain address: something@domain.tld (Odoo's own single_email_re)
EMAIL_PATTERN = r"[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,63}"
# what the document allows: an address or blank, spaces around (trimmed)
_EMAIL_OR_BLANK_PATTERN = rf"^ *({EMAIL_PATTERN})? *$"
_EMAIL_OR_BLANK_RE = re.compile(_EMAIL_OR_BLANK_PATTERN)
_ID_MAX = 2**31 - 1


def _email(value):
    """An optional e-mail address: null, blank or a plain address, spaces
    around it trimmed (what ``_EMAIL_OR_BLANK_PATTERN`` allows)."""
    if value is None:
        return None
    if not isinstance(value, str):
        _fail("string_type", "{field} must be a string.")
    if len(value) > TEXT_MAX:
        _fail("too_long", f"{{field}} must be at most {TEXT_MAX} characters.")
    # the document's own pattern, as its validators apply it
    if not _EMAIL_OR_BLANK_RE.match(value):
        _fail("email", "{field} must be an e-mail address such as name@example.com.")
    return value.strip() or None


def _record_id(value):
    """A record id: a JSON integer from 1 (not a string, not a boolean;
    ``57.0`` is 57, as JSON Schema's integers have it)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not (1 <= value <= _ID_MAX)
    ):
        _fail("id", "{field} must be a whole number greater than zero.")
    return value


class DeliveryAddressInput(_Request):
    """Where to deliver. Text fields are trimmed and must not contain control
    characters. Also `state_code`, `phone`, `email` and `company_name`
    (optional; `state_code` required where Odoo requires a state)."""

    name: text(TEXT_MAX)
    street: text(TEXT_MAX)
    street2: text(TEXT_MAX, required=False) = Field(
        None, description="Optional; empty or null for none."
    )
    zip: text(TEXT_MAX)
    city: text(TEXT_MAX)
    country_code: Annotated[
        str,
        BeforeValidator(parse_country_code),
        WithJsonSchema({"type": "string", "enum": list(COUNTRY_CODES)}),
        Field(
            description="ISO 3166-1 alpha-2 code, in capitals, of a country "
            "Odoo knows, e.g. `DE`."
        ),
    ]
    state_code: text(STATE_CODE_MAX, required=False) = Field(
        None,
        description="The state, province or region: its code in Odoo for the "
        "country (ISO 3166-2 subdivision code without the country, e.g. `CA` for "
        "California with `country_code` `US`). Required for countries where Odoo "
        "requires a state (e.g. `US`); optional elsewhere.",
    )
    phone: text(PHONE_MAX, required=False) = Field(
        None, description="A phone number for the carrier. Optional."
    )
    email: Annotated[
        str | None,
        BeforeValidator(_email),
        WithJsonSchema(
            {
                "anyOf": [
                    {
                        "type": "string",
                        "maxLength": TEXT_MAX,
                        "pattern": _EMAIL_OR_BLANK_PATTERN,
                    },
                    {"type": "null"},
                ]
            }
        ),
    ] = Field(None, description="An e-mail address for the carrier. Optional.")
    company_name: text(TEXT_MAX, required=False) = Field(
        None, description="The receiving company's name. Optional."
    )


class OrderLineInput(_Request):
    """One product to order."""

    ean: Ean
    amount: Amount
    customer_reference: text(CUSTOMER_REFERENCE_MAX, required=False) = Field(
        None,
        description="The buyer's own reference of this line (its PO line), "
        "at most 100 characters; stored on the order line and shown in the "
        "order's `lines[].customer_reference`. Optional; empty or null for none.",
    )


class _OrderCreateCommon(_Request):
    external_order_id: text(EXTERNAL_ID_MAX, required=False) = Field(
        None,
        description="The partner's own order id, unique per partner and company. Optional; "
        "empty or null for none.",
    )
    note: text(NOTE_MAX, required=False, pattern=NOTE_PATTERN, strip=" \t\r\n") = Field(
        None,
        description="A note for the seller (trimmed; at most 2,000 characters). "
        "Line breaks and tabs are kept, other control characters refused. "
        "Optional; empty or null for none. Shown in the order's `note`.",
    )
    carrier_code: text(CARRIER_CODE_MAX, required=False) = Field(
        None,
        description="The carrier to ship with: a `code` of `GET carriers`. "
        "Optional: without it the seller chooses. Its price (Odoo's rating of "
        "the carrier for this order and address) is added to the order as "
        "`shipping.price`. A code that is unknown or not allowed for the "
        "partner answers 400 on `carrier_code` (the same answer for both); so "
        "does a carrier that cannot ship this order (its zones, weights or "
        "rules: the message gives its reason; choose another).",
    )
    requested_delivery_date: Annotated[
        datetime.date | None,
        BeforeValidator(future_date()),
        WithJsonSchema(
            {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}
        ),
    ] = Field(
        None,
        description="The date the buyer wants the goods delivered (ISO 8601, "
        "today or later, UTC): the order's commitment date, which schedules "
        "its delivery. Optional; null for the seller's lead times.",
        examples=["2026-12-15"],
    )
    ship_complete: Annotated[
        bool | None,
        BeforeValidator(strict_bool),
        WithJsonSchema({"anyOf": [{"type": "boolean"}, {"type": "null"}]}),
    ] = Field(
        None,
        description="`true`: ship everything at once, when every product is "
        "available; `false`: ship what is available as soon as possible (the "
        "rest follows in a backorder). Optional; omitted or null for the "
        "seller's default.",
    )


class _ToAnAddress(_OrderCreateCommon):
    delivery_address: DeliveryAddressInput


class _ToASavedAddress(_OrderCreateCommon):
    delivery_address_id: Annotated[
        int,
        BeforeValidator(_record_id),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": _ID_MAX}),
    ] = Field(
        description="In place of `delivery_address`: the `id` of one of the "
        "partner's saved addresses (`GET addresses`). Any other id answers 404 "
        "`not_found`."
    )


class OrderLinesRequest(_ToAnAddress):
    """Several products (1 to 100). The same EAN twice becomes one line of
    the summed amount."""

    lines: list[OrderLineInput] = Field(
        min_length=1, max_length=LINES_MAX, description="The products to order."
    )


class SingleProductOrderRequest(_ToAnAddress):
    """One product, as in the original document."""

    ean: Ean
    amount: Amount


class OrderLinesSavedAddressRequest(_ToASavedAddress):
    """Several products (1 to 100) to a saved address (`GET addresses`)."""

    lines: list[OrderLineInput] = Field(
        min_length=1, max_length=LINES_MAX, description="The products to order."
    )


class SingleProductSavedAddressRequest(_ToASavedAddress):
    """One product to a saved address (`GET addresses`)."""

    ean: Ean
    amount: Amount


class OrderCreateRequest(
    RootModel[
        OrderLinesRequest
        | SingleProductOrderRequest
        | OrderLinesSavedAddressRequest
        | SingleProductSavedAddressRequest
    ]
):
    """Either `lines` (1 to 100 products) or `ean` and `amount` (one product,
    as in the original document), never both; and either `delivery_address`
    or `delivery_address_id` (a saved address of `GET addresses`), never
    both."""


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
            choice(
                DOCUMENT_TYPES,
                f"{{field}} must be one of {', '.join(DOCUMENT_TYPES)}.",
            )
        ),
        WithJsonSchema({"type": "string", "enum": list(DOCUMENT_TYPES)}),
        Field(
            description="`invoice`: a posted invoice or credit note of the "
            "order; `delivery_slip`: the delivery slip of a done outgoing "
            "delivery; `order`: the order confirmation (PDFs); `invoice_xml`: "
            "the structured e-invoice (XML) of a posted invoice or credit "
            "note, in the `format` asked for; `despatch_advice`: a done "
            "delivery as a UBL 2.1 DespatchAdvice (XML)."
        ),
    ]
    invoice_number: text(ORDER_ID_MAX) = Field(
        None,
        description="With `type=invoice` or `type=invoice_xml`: which invoice "
        "or credit note (its `number` in `invoices`); without it, the latest "
        "posted one. Ignored with the other types.",
        examples=["INV/2026/00042"],
    )
    format: InvoiceXmlFormat = Field(
        None,
        description="With `type=invoice_xml` (required there): `ubl_bis3` "
        "(Peppol BIS Billing 3.0, UBL 2.1), `xrechnung` (the German CIUS, "
        "UBL 2.1) or `facturx` (Factur-X / ZUGFeRD EN 16931, UN/CEFACT CII); "
        "the formats an invoice offers are its `formats` in `invoices`. "
        "Ignored with the other types.",
        examples=["ubl_bis3"],
    )
    delivery_order_name: text(ORDER_ID_MAX) = Field(
        None,
        description="With `type=delivery_slip` or `despatch_advice`: which "
        "done delivery (its `name` in `deliveries`); without it, the latest "
        "done one. Ignored with the other types.",
        examples=["WH/OUT/00012"],
    )


class OrderCancelRequest(OrderLookup):
    """The order to cancel, identified as in `order_status`."""

    model_config = ConfigDict(extra="forbid")


def _change_amount(value):
    """``Amount``, or 0 (``POST order/change``: the line is removed)."""
    if type(value) in (int, float) and value <= 0:
        if value < 0:
            _fail("amount", "Amount must be a whole number, 0 or more.")
        return 0
    return _amount(value)


class OrderChangeLineInput(_Request):
    """A product's new quantity in the order."""

    ean: Ean
    amount: Annotated[
        int,
        BeforeValidator(_change_amount),
        WithJsonSchema({"type": "integer", "minimum": 0, "maximum": AMOUNT_MAX}),
        Field(
            description="The line's new quantity, in the product's unit: 0 "
            "removes the line (it stays in `lines` with quantity 0); an EAN "
            "the order does not hold adds a line."
        ),
    ]


class OrderChangeRequest(OrderLookup):
    """What to change in an order, identified as in `order_status`: at least
    one of `lines`, `delivery_address`, `requested_delivery_date`."""

    model_config = ConfigDict(extra="forbid")
    lines: (
        Annotated[list[OrderChangeLineInput], Field(min_length=1, max_length=LINES_MAX)]
        | None
    ) = Field(
        None,
        description="The products whose quantity changes, each EAN once; the "
        "lines not named stay as they are.",
    )
    delivery_address: DeliveryAddressInput | None = Field(
        None, description="The new delivery address (as in `POST order`)."
    )
    requested_delivery_date: Annotated[
        datetime.date | None,
        BeforeValidator(future_date()),
        WithJsonSchema({"type": "string", "format": "date"}),
    ] = Field(
        None,
        description="The day the partner wants the goods (ISO 8601 date, not "
        "in the past).",
        examples=["2026-12-24"],
    )
    dry_run: StrictBool = Field(
        False,
        description="true: answer the order as it would become, with its new "
        "totals, and change nothing (as `POST order/change/quote`).",
    )


class OrderReturnLineInput(_Request):
    """One product to send back: its EAN as delivered, how many and, for a
    product tracked by lot or serial number, which ones."""

    ean: Ean
    amount: Amount
    lots: (
        Annotated[
            list[text(TEXT_MAX)],
            Field(min_length=1, max_length=AMOUNT_LOTS_MAX),
        ]
        | None
    ) = Field(
        None,
        description="The lots or serial numbers sent back, each by its name or "
        "its kit barcode as `sent_lots` shows it: required for a product "
        "tracked by lot or serial number (a serial number per unit), refused "
        "for the others. Each must have left on this order and not have come "
        "back yet; `amount` is taken from them in the order given.",
    )


class OrderReturnRequest(OrderLookup):
    """Goods of a delivered order to send back, identified as in
    `order_status`."""

    model_config = ConfigDict(extra="forbid")

    lines: list[OrderReturnLineInput] = Field(
        min_length=1,
        max_length=LINES_MAX,
        description="The products to return (1 to 100, each EAN once).",
    )
    reason: text(NOTE_MAX, required=False, pattern=NOTE_PATTERN, strip=" \t\r\n") = (
        Field(
            None,
            description="Why the goods come back (trimmed; at most 2,000 "
            "characters); shown to the seller on the return and in the "
            "order's `returns`. Optional.",
        )
    )


# a webhook URL and a choice of event types, as ``PUT webhook`` and the
# endpoints' routes (``schema_webhook_endpoints.py``) take them
WebhookUrl = Annotated[
    str,
    BeforeValidator(parse_url),
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": URL_MAX, "pattern": URL_PATTERN}
    ),
]
WebhookEventTypes = Annotated[
    list[str] | None,
    BeforeValidator(parse_event_types),
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
]


class WebhookPutRequest(_Request):
    url: WebhookUrl = Field(
        description="An `https://` URL whose host is public (administrators "
        "may allow plain http and private hosts); its host must resolve."
    )
    event_types: WebhookEventTypes = Field(
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
        BeforeValidator(whole_number(PAGE_MAX)),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": PAGE_MAX}),
    ] = Field(
        1,
        description="Page number, starting at 1. A page beyond the last one is empty.",
    )
    page_size: Annotated[
        int,
        BeforeValidator(whole_number(PAGE_SIZE_MAX)),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX}),
    ] = Field(PAGE_SIZE_DEFAULT, description="Orders per page, 1 to 100.")
    status: Annotated[
        list[str] | None,
        BeforeValidator(parse_statuses),
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
        BeforeValidator(when(date_allowed=True)),
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
        BeforeValidator(when(date_allowed=True, end_of_day=True)),
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
        BeforeValidator(when(date_allowed=False)),
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
        BeforeValidator(choice(SORTS, f"{{field}} must be one of {', '.join(SORTS)}.")),
        WithJsonSchema({"type": "string", "enum": list(SORTS)}),
    ] = Field(
        "created_desc",
        description="`created_desc`: newest first; `created_asc`: oldest first; "
        "`updated_asc`: least recently changed first, for sync (the pagination "
        "then holds `next_updated_since`).",
    )
