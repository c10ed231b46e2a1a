# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The request fields' rules: limits, patterns and parsers, declared once.

What a client may send in one field (a text, an amount, a country code, a
date-time, a status filter, a URL, the webhook's ``event_types``, an
``Idempotency-Key``...) is an ``Annotated`` type here: its parser (a
``BeforeValidator``) and the JSON schema the document shows for it
(``WithJsonSchema``), side by side so that they agree. The request models
(``lib/schema_requests.py``) are made of them; ``lib/schemas.py`` re-exports
every name. Imports pydantic and ``lib/events.py`` only.

A rule that fails raises ``PydanticCustomError`` whose message holds
``{field}``: ``lib/validation.py`` puts the parameter's full name there
(``delivery_address.city``, ``lines[2].amount``).
"""

import datetime
import math
import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from .events import EVENT_TYPES

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
CUSTOMER_REFERENCE_MAX = 100
URL_MAX = 2048
STATUSES = ("pending", "confirmed", "partially_shipped", "shipped", "cancelled")
SORTS = ("created_desc", "created_asc", "updated_asc")
IDENTIFIED_BY = ("biomes", "external")
DOCUMENT_TYPES = ("invoice", "delivery_slip", "order", "invoice_xml", "despatch_advice")
# the structured e-invoices of ``type=invoice_xml`` (``lib/einvoice.py``)
INVOICE_XML_FORMATS = ("ubl_bis3", "xrechnung", "facturx")
# the answer's Content-Type of each document type (the others: a PDF)
DOCUMENT_MEDIA_TYPES = {
    "invoice_xml": "application/xml",
    "despatch_advice": "application/xml",
}
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


def text(max_length, *, required=True, pattern=TEXT_PATTERN, strip=" "):
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


def parse_country_code(value):
    if value not in COUNTRY_CODES:
        _fail(
            "country",
            "{field} must be an ISO 3166-1 alpha-2 code in capitals, e.g. DE.",
        )
    return value


def whole_number(maximum):
    def parse(value):
        if not (isinstance(value, str) and _WHOLE_NUMBER_RE.match(value)) or not (
            1 <= int(value) <= maximum
        ):
            _fail("int", f"{{field}} must be a whole number between 1 and {maximum}.")
        return int(value)

    return parse


def when(*, date_allowed, end_of_day=False):
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


def future_date(today=None):
    """An ISO 8601 date (``2026-11-23``) that is today or later (UTC, or
    ``today()`` when given): a delivery date the buyer asks for. Returned
    as a ``datetime.date``; null is None."""
    message = "{field} must be an ISO 8601 date such as 2026-11-23."

    def parse(raw):
        if raw is None:
            return None
        if not isinstance(raw, str) or not _DATE_RE.match(raw):
            _fail("date", message)
        try:
            value = datetime.date.fromisoformat(raw)
        except ValueError:
            _fail("date", message)
        now = today() if today else datetime.datetime.now(datetime.UTC).date()
        if value < now:
            _fail("past_date", "{field} must be today or a later date.")
        return value

    return parse


def strict_bool(value):
    """A JSON boolean (not 0/1 nor "true"); null is None."""
    if value is not None and not isinstance(value, bool):
        _fail("bool", "{field} must be true or false.")
    return value


def parse_statuses(raw):
    statuses = raw.split(",") if isinstance(raw, str) else []
    if not statuses or any(status not in STATUSES for status in statuses):
        _fail(
            "status",
            f"{{field}} must be one or more of {', '.join(STATUSES)}, comma-separated.",
        )
    return sorted(set(statuses))


def choice(choices, message):
    def parse(value):
        if value not in choices:
            _fail("choice", message)
        return value

    return parse


def parse_url(value):
    if not isinstance(value, str):
        _fail("string_type", "{field} must be a string.")
    if len(value) > URL_MAX or not re.match(URL_PATTERN, value):
        _fail(
            "url",
            f"{{field}} must be an http(s) URL of at most {URL_MAX} ASCII "
            "characters without spaces.",
        )
    return value


# ``format`` of ``GET order/document?type=invoice_xml`` (schema_requests.py)
InvoiceXmlFormat = Annotated[
    str | None,
    BeforeValidator(
        choice(
            INVOICE_XML_FORMATS,
            f"{{field}} must be one of {', '.join(INVOICE_XML_FORMATS)}.",
        )
    ),
    WithJsonSchema({"type": "string", "enum": list(INVOICE_XML_FORMATS)}),
]
# ``invoices[].formats`` of the order object (schema_responses.py)
InvoiceXmlFormats = Annotated[
    list[Literal[INVOICE_XML_FORMATS]],
    Field(
        description="The structured e-invoices (XML) of this invoice, for "
        "`order/document?type=invoice_xml&format=...`: `ubl_bis3` and "
        "`facturx` always, `xrechnung` for a buyer in Germany or whose "
        "eInvoice format is XRechnung."
    ),
]
Ean = Annotated[
    text(EAN_MAX),
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
    BeforeValidator(choice(IDENTIFIED_BY, "{field} must be 'biomes' or 'external'.")),
    WithJsonSchema({"type": "string", "enum": list(IDENTIFIED_BY)}),
    Field(
        description="Which identifier `order_id` holds: `biomes` (the order "
        "number, `biomes_order_id`) or `external` (the partner's "
        "`external_order_id`)."
    ),
]
OrderId = Annotated[
    text(ORDER_ID_MAX),
    Field(description="The identifier of the order.", examples=["S00042"]),
]


def parse_event_types(value):
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
