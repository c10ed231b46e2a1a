# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Parsing of what a client sends: query parameters and JSON bodies.

Every function returns clean Python values or raises one
:class:`~.errors.ValidationError` listing every problem found, so a request
is rejected whole before any data is touched.
"""

import datetime
import json
import math
import re

from .errors import ValidationError

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100
# Far beyond any real history, small enough for any SQL OFFSET.
PAGE_MAX = 10**9
AMOUNT_MAX = 1_000_000
IDENTIFIED_BY = ("biomes", "external")
MAX_BODY_BYTES = 1024 * 1024
TEXT_MAX = 256
EXTERNAL_ID_MAX = 255
ORDER_ID_MAX = 255
LINES_MAX = 100
NOTE_MAX = 2000
STATUSES = ("pending", "confirmed", "partially_shipped", "shipped", "cancelled")
SORTS = ("created_desc", "created_asc", "updated_asc")

# Control characters (NUL included) have no place in names and addresses,
# and PostgreSQL refuses NUL in text; lone surrogates (JSON "\ud800") are
# not Unicode text and cannot be encoded.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
# the only way a lone surrogate gets into a body that decoded as UTF-8
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")
# a note may hold line breaks and tabs
_NOTE_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_IDEMPOTENCY_RE = re.compile(r"^[\x20-\x7e]{1,255}$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DATETIME_RE = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?$"
)
_INT_RE = re.compile(r"^[0-9]{1,30}$")
_COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")


def _detail(field, message):
    return {"field": field, "message": message}


def _raise_if(details):
    if details:
        raise ValidationError.from_details(details)


def parse_positive_int_param(params, name, default, maximum):
    """A query parameter holding a whole number in ``1..maximum``."""
    raw = params.get(name)
    if raw is None:
        return default
    raw = raw.strip()
    if not _INT_RE.match(raw):
        raise ValidationError.from_details(
            [_detail(name, f"{name} must be a whole number between 1 and {maximum}.")]
        )
    value = int(raw)
    if not 1 <= value <= maximum:
        raise ValidationError.from_details(
            [_detail(name, f"{name} must be a whole number between 1 and {maximum}.")]
        )
    return value


def parse_pagination(params):
    """``page`` (from 1) and ``page_size`` (1..100, default 20)."""
    details = []
    page = page_size = None
    for name, default, maximum in (
        ("page", 1, PAGE_MAX),
        ("page_size", PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX),
    ):
        try:
            value = parse_positive_int_param(params, name, default, maximum)
        except ValidationError as exc:
            details.extend(exc.details)
            continue
        if name == "page":
            page = value
        else:
            page_size = value
    _raise_if(details)
    return page, page_size


def _clean_text(value, field, details, *, required=True, max_length=TEXT_MAX):
    """A JSON string, stripped; ``None`` when optional and absent or empty."""
    if value is None:
        if required:
            details.append(_detail(field, f"{field} is required."))
        return None
    if not isinstance(value, str):
        details.append(_detail(field, f"{field} must be a string."))
        return None
    value = value.strip()
    if not value:
        if required:
            details.append(_detail(field, f"{field} must not be empty."))
        return None
    if len(value) > max_length:
        details.append(
            _detail(field, f"{field} must be at most {max_length} characters.")
        )
        return None
    if _CONTROL_RE.search(value):
        details.append(_detail(field, f"{field} must not contain control characters."))
        return None
    if _SURROGATE_RE.search(value):
        details.append(_detail(field, f"{field} must be valid Unicode text."))
        return None
    return value


def parse_order_lookup(params):
    """``identifiedBy`` (``biomes`` or ``external``) and ``order_id``, both required."""
    details = []
    identified_by = params.get("identifiedBy")
    if identified_by is None or identified_by == "":
        details.append(
            _detail("identifiedBy", "identifiedBy is required (biomes or external).")
        )
        identified_by = None
    elif identified_by not in IDENTIFIED_BY:
        details.append(
            _detail("identifiedBy", "identifiedBy must be 'biomes' or 'external'.")
        )
        identified_by = None
    order_id = _clean_text(
        params.get("order_id"), "order_id", details, max_length=ORDER_ID_MAX
    )
    _raise_if(details)
    return identified_by, order_id


def parse_json_object(raw, content_type=None):
    """The request body as a JSON object (a dict), from raw bytes."""
    if content_type:
        mimetype = content_type.split(";", 1)[0].strip().lower()
        if (
            mimetype
            and mimetype != "application/json"
            and not mimetype.endswith("+json")
        ):
            raise ValidationError.from_details(
                [
                    _detail(
                        "body",
                        "The body must be JSON: send 'Content-Type: application/json'.",
                    )
                ]
            )
    if len(raw) > MAX_BODY_BYTES:
        raise ValidationError.from_details(
            [_detail("body", f"The body must be at most {MAX_BODY_BYTES} bytes.")]
        )
    if not raw.strip():
        raise ValidationError.from_details(
            [_detail("body", "The body must be a JSON object.")]
        )
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationError.from_details(
            [_detail("body", "The body is not valid JSON (UTF-8).")]
        ) from None
    if not isinstance(data, dict):
        raise ValidationError.from_details(
            [_detail("body", "The body must be a JSON object.")]
        )
    if _SURROGATE_ESCAPE_RE.search(text):
        field = _lone_surrogate_field(data)
        if field is not None:
            raise ValidationError.from_details(
                [
                    _detail(
                        field,
                        f"{field} must be valid Unicode text: a lone surrogate "
                        "escape such as \\ud800 is not.",
                    )
                ]
            )
    return data


def _lone_surrogate_field(data):
    """The path (``a.b[0].c``) of the first string or member name of ``data``
    holding a lone surrogate, None when there is none.

    JSON lets a client escape half of a UTF-16 pair (``"\\ud800"``); Python
    decodes it to a string that is not Unicode text: it cannot be encoded,
    stored or fingerprinted, so the body is refused whole, wherever it
    hides (an ignored member included)."""
    stack = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE_RE.search(value):
                return path or "body"
        elif isinstance(value, dict):
            children = []
            for name, child in value.items():
                child_path = f"{path}.{name}" if path else name
                if _SURROGATE_RE.search(name):
                    # a printable name for the message
                    return child_path.encode("utf-8", "backslashreplace").decode()
                children.append((child_path, child))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(
                reversed([(f"{path}[{i}]", child) for i, child in enumerate(value)])
            )
    return None


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def _parse_amount(value, field, details):
    if isinstance(value, bool) or not isinstance(value, int | float):
        details.append(
            _detail(field, "Amount must be a whole number greater than zero.")
        )
        return None
    if isinstance(value, float) and (
        not math.isfinite(value) or not value.is_integer()
    ):
        details.append(
            _detail(field, "Amount must be a whole number greater than zero.")
        )
        return None
    value = int(value)
    if value <= 0:
        details.append(_detail(field, "Amount must be greater than zero"))
        return None
    if value > AMOUNT_MAX:
        details.append(_detail(field, f"Amount must be at most {AMOUNT_MAX}."))
        return None
    return value


def parse_delivery_address(value, details, field="delivery_address"):
    if value is None:
        details.append(_detail(field, f"{field} is required."))
        return None
    if not isinstance(value, dict):
        details.append(_detail(field, f"{field} must be an object."))
        return None
    address = {}
    for key in ("name", "street", "zip", "city"):
        address[key] = _clean_text(value.get(key), f"{field}.{key}", details)
    address["street2"] = _clean_text(
        value.get("street2"), f"{field}.street2", details, required=False
    )
    country = _clean_text(value.get("country_code"), f"{field}.country_code", details)
    if country is not None and not _COUNTRY_RE.match(country):
        details.append(
            _detail(
                f"{field}.country_code",
                "country_code must be an ISO 3166-1 alpha-2 code, e.g. DE.",
            )
        )
        country = None
    address["country_code"] = country.upper() if country else None
    return address


def _parse_line(ean_value, amount_value, prefix, details):
    ean = _clean_text(ean_value, f"{prefix}ean", details, max_length=64)
    amount = None
    if amount_value is None:
        details.append(_detail(f"{prefix}amount", f"{prefix}amount is required."))
    else:
        amount = _parse_amount(amount_value, f"{prefix}amount", details)
    return ean, amount


def _parse_lines(data, details):
    """``ean`` + ``amount``, or ``lines: [{ean, amount}]`` (1..100), never
    both; the same EAN twice becomes one line."""
    has_single = "ean" in data or "amount" in data
    has_lines = "lines" in data
    if has_single and has_lines:
        details.append(
            _detail("lines", "Send either ean and amount, or lines, not both.")
        )
        return []
    parsed = []
    if has_lines:
        lines = data["lines"]
        if not isinstance(lines, list) or not 1 <= len(lines) <= LINES_MAX:
            details.append(
                _detail("lines", f"lines must be a list of 1 to {LINES_MAX} objects.")
            )
            return []
        for index, line in enumerate(lines):
            prefix = f"lines[{index}]."
            if not isinstance(line, dict):
                details.append(
                    _detail(
                        f"lines[{index}]",
                        "Each line must be an object with ean and amount.",
                    )
                )
                continue
            parsed.append(
                _parse_line(line.get("ean"), line.get("amount"), prefix, details)
            )
    else:
        parsed.append(_parse_line(data.get("ean"), data.get("amount"), "", details))
    merged = {}
    for ean, amount in parsed:
        if ean is not None and amount is not None:
            merged[ean] = merged.get(ean, 0) + amount
    for ean, amount in merged.items():
        if amount > AMOUNT_MAX:
            details.append(
                _detail(
                    "lines",
                    f"The total amount of EAN {ean} must be at most {AMOUNT_MAX}.",
                )
            )
    return [{"ean": ean, "amount": amount} for ean, amount in merged.items()]


def _clean_note(value, details):
    if value is None:
        return None
    if not isinstance(value, str):
        details.append(_detail("note", "note must be a string."))
        return None
    value = value.strip()
    if len(value) > NOTE_MAX:
        details.append(_detail("note", f"note must be at most {NOTE_MAX} characters."))
        return None
    if _NOTE_CONTROL_RE.search(value) or _SURROGATE_RE.search(value):
        details.append(_detail("note", "note must be text without control characters."))
        return None
    return value or None


def parse_order_payload(data):
    """The body of ``POST order``: ``{ean, amount}`` or ``{lines: [{ean,
    amount}]}``, plus ``external_order_id?``, ``note?`` and
    ``delivery_address: {name, street, street2?, zip, city, country_code}``."""
    details = []
    lines = _parse_lines(data, details)
    external_order_id = _clean_text(
        data.get("external_order_id"),
        "external_order_id",
        details,
        required=False,
        max_length=EXTERNAL_ID_MAX,
    )
    note = _clean_note(data.get("note"), details)
    address = parse_delivery_address(data.get("delivery_address"), details)
    _raise_if(details)
    return {
        "lines": lines,
        "external_order_id": external_order_id,
        "note": note,
        "delivery_address": address,
    }


def parse_idempotency_key(value):
    """The ``Idempotency-Key`` header: None, or 1..255 printable ASCII."""
    if value is None:
        return None
    if not _IDEMPOTENCY_RE.match(value):
        raise ValidationError.from_details(
            [
                _detail(
                    "Idempotency-Key",
                    "Idempotency-Key must be 1 to 255 printable ASCII characters.",
                )
            ]
        )
    return value


def parse_datetime_param(params, name, *, date_allowed, end_of_day=False):
    """An ISO 8601 date-time (UTC when no offset is given; ``Z`` accepted), or
    a date when ``date_allowed`` (its first microsecond, or with
    ``end_of_day`` its last). Returned naive, in UTC, as Odoo stores
    datetimes."""
    raw = params.get(name)
    if raw is None:
        return None
    raw = raw.strip()
    message = f"{name} must be an ISO 8601 date-time such as 2026-11-23T10:00:00Z" + (
        " or a date such as 2026-11-23." if date_allowed else "."
    )
    if _DATE_RE.match(raw):
        if not date_allowed:
            raise ValidationError.from_details([_detail(name, message)])
        try:
            value = datetime.datetime.strptime(raw, "%Y-%m-%d")
        except ValueError:
            raise ValidationError.from_details([_detail(name, message)]) from None
        return (
            value + datetime.timedelta(days=1, microseconds=-1) if end_of_day else value
        )
    if not _DATETIME_RE.match(raw):
        raise ValidationError.from_details([_detail(name, message)])
    try:
        value = datetime.datetime.fromisoformat(
            raw.replace("z", "Z").replace("Z", "+00:00")
        )
        if value.tzinfo:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise ValidationError.from_details([_detail(name, message)]) from None
    return value


def parse_order_filters(params):
    """The filters of ``GET orders``: status, created_from, created_to,
    updated_since and sort; every problem is listed."""
    details = []
    filters = {"statuses": None, "sort": "created_desc"}
    raw_status = params.get("status")
    if raw_status is not None:
        statuses = [s.strip() for s in raw_status.split(",") if s.strip()]
        unknown = [s for s in statuses if s not in STATUSES]
        if unknown or not statuses:
            details.append(
                _detail(
                    "status",
                    f"status must be one or more of {', '.join(STATUSES)}, comma-separated.",
                )
            )
        else:
            filters["statuses"] = sorted(set(statuses))
    for name, date_allowed, end_of_day in (
        ("created_from", True, False),
        ("created_to", True, True),
        ("updated_since", False, False),
    ):
        try:
            filters[name] = parse_datetime_param(
                params, name, date_allowed=date_allowed, end_of_day=end_of_day
            )
        except ValidationError as exc:
            details.extend(exc.details)
    sort = params.get("sort")
    if sort is not None:
        if sort not in SORTS:
            details.append(_detail("sort", f"sort must be one of {', '.join(SORTS)}."))
        else:
            filters["sort"] = sort
    _raise_if(details)
    return filters


def parse_orders_query(params):
    """Pagination and filters of ``GET orders``, every problem listed."""
    details = []
    page = page_size = filters = None
    try:
        page, page_size = parse_pagination(params)
    except ValidationError as exc:
        details.extend(exc.details)
    try:
        filters = parse_order_filters(params)
    except ValidationError as exc:
        details.extend(exc.details)
    _raise_if(details)
    return page, page_size, filters
