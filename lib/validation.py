# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a client sends, parsed with the models of ``lib/schemas.py``.

Every function returns clean Python values or raises one
:class:`~.errors.ValidationError` listing every problem found (its message
names the first field), so a request is rejected whole before any data is
touched.
"""

import json
import re

import pydantic

from . import schemas
from .errors import ValidationError

MAX_BODY_BYTES = 1024 * 1024
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
# the only way a lone surrogate gets into a body that decoded as UTF-8
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")
_MESSAGES = {
    "missing": "{field} is required.",
    "string_type": "{field} must be a string.",
    "model_type": "{field} must be an object.",
    "model_attributes_type": "{field} must be an object.",
    "dict_type": "{field} must be an object.",
    "extra_forbidden": "{field} is not a field of this request.",
}
_REQUIRED = {"identifiedBy": "identifiedBy is required (biomes or external)."}
_LINES = f"lines must be a list of 1 to {schemas.LINES_MAX} objects."
_ORDERS = f"orders must be a list of 1 to {schemas.BATCH_MAX} objects."


def _detail(field, message):
    return {"field": field, "message": message}


def _field(loc):
    """``delivery_address.city``, ``lines[2].amount`` for a pydantic loc."""
    field = ""
    for part in loc:
        if isinstance(part, int):
            field += f"[{part}]"
        else:
            field += f".{part}" if field else str(part)
    return field or "body"


def _message(error, field):
    kind = error["type"]
    if kind.startswith("poa_"):
        return error["msg"].replace("{field}", field)
    if kind == "missing" and field in _REQUIRED:
        return _REQUIRED[field]
    if field == "lines" and kind in ("list_type", "too_short", "too_long"):
        return _LINES
    if field == "orders" and kind in ("list_type", "too_short", "too_long"):
        return _ORDERS
    if field.startswith("lines[") and field.endswith("]"):
        return "Each line must be an object with ean and amount."
    if kind in _MESSAGES:
        return _MESSAGES[kind].replace("{field}", field)
    return f"{field}: {error['msg']}"


def validate(model, data, details=None):
    """``model`` validated from ``data``; ValidationError listing every
    problem (after those already in ``details``)."""
    details = list(details or [])
    try:
        result = model.model_validate(data)
    except pydantic.ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            field = _field(error["loc"])
            details.append(_detail(field, _message(error, field)))
        result = None
    if details:
        raise ValidationError.from_details(details)
    return result


def refuse_unknown_query_parameters(model, names):
    """400 naming every query parameter in ``names`` that the route's query
    model (``None``: the route takes none) does not declare: a mistyped
    filter (``update_since``) must not silently answer everything, as a
    mistyped body member does not."""
    declared = set()
    if model is not None:
        declared = {f.alias or name for name, f in model.model_fields.items()}
    unknown = sorted({name for name in names if name not in declared})
    if unknown:
        raise ValidationError.from_details(
            [
                _detail(
                    name,
                    f"{name} is not a query parameter of this route"
                    + (
                        f" (it takes: {', '.join(sorted(declared))})."
                        if declared
                        else "."
                    ),
                )
                for name in unknown
            ]
        )


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


def parse_order_lookup(params):
    """``identifiedBy`` (``biomes`` or ``external``) and ``order_id`` of a
    query string (other parameters are ignored)."""
    lookup = validate(schemas.OrderLookup, dict(params.items()))
    return lookup.identifiedBy, lookup.order_id


def parse_order_document_query(params):
    """The query of ``GET order/document``: ``(identified_by, order_id,
    type, selector, xml_format)``, ``selector`` the ``invoice_number``
    (types ``invoice`` and ``invoice_xml``) or ``delivery_order_name``
    (types ``delivery_slip`` and ``despatch_advice``), None for the latest;
    ``xml_format`` the ``format`` of ``invoice_xml`` (required there), None
    for the other types. A selector or format of another type is ignored (query
    parameters are independent in the document, which allows it)."""
    query = validate(schemas.OrderDocumentQuery, dict(params.items()))
    selector = {
        "invoice": query.invoice_number,
        "invoice_xml": query.invoice_number,
        "delivery_slip": query.delivery_order_name,
        "despatch_advice": query.delivery_order_name,
    }.get(query.type)
    xml_format = None
    if query.type == "invoice_xml":
        if query.format is None:
            raise ValidationError.from_details(
                [
                    _detail(
                        "format",
                        "format is required with type=invoice_xml: one of "
                        + ", ".join(schemas.INVOICE_XML_FORMATS)
                        + ".",
                    )
                ]
            )
        xml_format = query.format
    return query.identifiedBy, query.order_id, query.type, selector, xml_format


def parse_cancel_request(data):
    """The body of ``POST order/cancel``: ``(identified_by, order_id)``."""
    lookup = validate(schemas.OrderCancelRequest, data)
    return lookup.identifiedBy, lookup.order_id


def parse_order_change(data):
    """The body of ``POST order/change`` (and ``order/change/quote``):
    ``{identified_by, order_id, lines: [{ean, amount}] | None,
    delivery_address: dict | None, requested_delivery_date: date | None,
    dry_run}``. An EAN named twice, or no change at all, is refused."""
    change = validate(schemas.OrderChangeRequest, data)
    details = []
    seen = set()
    for index, line in enumerate(change.lines or ()):
        if line.ean in seen:
            details.append(
                _detail(f"lines[{index}].ean", f"EAN {line.ean} is named twice.")
            )
        seen.add(line.ean)
    if not (change.lines or change.delivery_address or change.requested_delivery_date):
        details.append(
            _detail(
                "body",
                "Name at least one change: lines, delivery_address or "
                "requested_delivery_date.",
            )
        )
    if details:
        raise ValidationError.from_details(details)
    return {
        "identified_by": change.identifiedBy,
        "order_id": change.order_id,
        "lines": [{"ean": line.ean, "amount": line.amount} for line in change.lines]
        if change.lines
        else None,
        "delivery_address": change.delivery_address.model_dump()
        if change.delivery_address
        else None,
        "requested_delivery_date": change.requested_delivery_date,
        "dry_run": change.dry_run,
    }


def parse_return_request(data):
    """The body of ``POST order/return``: ``(identified_by, order_id,
    lines, reason)``, ``lines`` ``[{ean, amount, lots}]`` (``lots`` None or
    the names given, each once); an EAN twice is refused."""
    request = validate(schemas.OrderReturnRequest, data)
    details = []
    seen = set()
    lines = []
    for index, line in enumerate(request.lines):
        if line.ean in seen:
            details.append(
                _detail(f"lines[{index}].ean", "Each EAN may be named once.")
            )
        seen.add(line.ean)
        lots = list(dict.fromkeys(line.lots)) if line.lots else None
        if lots is not None and len(lots) != len(line.lots):
            details.append(
                _detail(f"lines[{index}].lots", "Each lot may be named once.")
            )
        lines.append({"ean": line.ean, "amount": line.amount, "lots": lots})
    if details:
        raise ValidationError.from_details(details)
    return request.identifiedBy, request.order_id, lines, request.reason


def parse_order_payload(data):
    """The body of ``POST order``: ``{lines: [{ean, amount}]}`` or, as in the
    original document, ``{ean, amount}``, never both; plus
    ``external_order_id?``, ``note?``, ``carrier_code?`` and
    ``delivery_address`` or, in its place, ``delivery_address_id``. The same
    EAN twice becomes one line of the summed amount."""
    details = []
    if "lines" in data and ("ean" in data or "amount" in data):
        details.append(
            _detail("lines", "Send either ean and amount, or lines, not both.")
        )
        data = {k: v for k, v in data.items() if k not in ("ean", "amount")}
    saved = "delivery_address_id" in data
    if saved and "delivery_address" in data:
        details.append(
            _detail(
                "delivery_address_id",
                "Send either delivery_address or delivery_address_id, not both.",
            )
        )
        data = {k: v for k, v in data.items() if k != "delivery_address_id"}
        saved = False
    model = {
        (True, False): schemas.OrderLinesRequest,
        (False, False): schemas.SingleProductOrderRequest,
        (True, True): schemas.OrderLinesSavedAddressRequest,
        (False, True): schemas.SingleProductSavedAddressRequest,
    }["lines" in data, saved]
    order = validate(model, data, details)
    if "lines" in data:
        lines = [
            (line.ean, line.amount, line.customer_reference) for line in order.lines
        ]
    else:
        lines = [(order.ean, order.amount, None)]
    merged = {}
    for ean, amount, reference in lines:
        line = merged.setdefault(ean, {"ean": ean, "amount": 0})
        line["amount"] += amount
        # the same EAN twice: one line, the first reference given (issue 27:
        # the planning members are there only when sent)
        if reference and "customer_reference" not in line:
            line["customer_reference"] = reference
    parsed = {
        "lines": list(merged.values()),
        "external_order_id": order.external_order_id,
        "note": order.note,
        "delivery_address": (None if saved else order.delivery_address.model_dump()),
        "delivery_address_id": order.delivery_address_id if saved else None,
        "carrier_code": order.carrier_code,
    }
    for name in ("requested_delivery_date", "ship_complete"):
        if getattr(order, name) is not None:
            parsed[name] = getattr(order, name)
    return parsed


def parse_order_batch(data):
    """The body of ``POST orders/batch``: for each order, in order, its
    parsed body (as ``parse_order_payload`` returns it) or the
    ``ValidationError`` that ``POST order`` would answer for it. A body that
    is not ``{"orders": [1 to 100 objects]}`` is refused whole."""
    batch = validate(schemas.OrderBatchRequest, data)
    items = []
    for order in batch.orders:
        try:
            items.append(parse_order_payload(order))
        except ValidationError as exc:
            items.append(exc)
    return items


def parse_webhook_put(data):
    """The URL of ``PUT webhook`` (checked further by the service)."""
    return parse_webhook_settings(data)[0]


def parse_webhook_settings(data):
    """The body of ``PUT webhook``: ``(url, event_types)``, ``event_types``
    as ``parse_event_types`` returns it."""
    settings = validate(schemas.WebhookPutRequest, data)
    return settings.url, settings.event_types


def parse_webhook_endpoint_update(data):
    """The body of ``PUT webhook/endpoints/{endpoint_id}``: the members
    given (``url``, ``event_types``, ``state``), as a dict (the schema
    refuses a null ``url`` or ``state``; ``event_types`` null: all)."""
    update = validate(schemas.WebhookEndpointUpdateRequest, data)
    changes = {name: getattr(update, name) for name in update.model_fields_set}
    return changes


# PUT webhook's event_types alone, for the portal's checkboxes
_EVENT_TYPES = pydantic.create_model(
    "WebhookEventTypes",
    __config__=pydantic.ConfigDict(extra="forbid"),
    event_types=(
        schemas.WebhookPutRequest.model_fields["event_types"].annotation,
        schemas.WebhookPutRequest.model_fields["event_types"],
    ),
)


def parse_event_types(value):
    """A choice of webhook event types, checked as ``PUT webhook`` checks
    its ``event_types``: the one check of the codes a client sends (the API
    and the portal; what is stored is records of them,
    ``partner.order.api.webhook.subscription``). None for all, else the
    chosen types in their canonical order; an empty list, anything but a
    list or an unknown type raise ValidationError."""
    return validate(_EVENT_TYPES, {"event_types": value}).event_types


_IDEMPOTENCY_KEY = pydantic.TypeAdapter(schemas.IdempotencyKey)


def parse_idempotency_key(value):
    """The ``Idempotency-Key`` header: None, or 1..255 printable ASCII."""
    if value is None:
        return None
    try:
        return _IDEMPOTENCY_KEY.validate_python(value)
    except pydantic.ValidationError as exc:
        message = exc.errors()[0]["msg"].replace("{field}", "Idempotency-Key")
        raise ValidationError.from_details(
            [_detail("Idempotency-Key", message)]
        ) from None


def parse_orders_query(params):
    """Pagination and filters of ``GET orders``, every problem listed:
    ``(page, page_size, filters)``."""
    query = validate(schemas.OrdersQuery, dict(params.items()))
    filters = {
        "statuses": query.status,
        "created_from": query.created_from,
        "created_to": query.created_to,
        "updated_since": query.updated_since,
        "sort": query.sort,
    }
    return query.page, query.page_size, filters


def parse_webhook_events_query(params):
    """The filters and page of ``GET webhook/events``."""
    return validate(schemas.WebhookEventsQuery, dict(params.items()))


def parse_webhook_redeliver(data):
    """``POST webhook/events/redeliver``: ``{"event_id"}`` alone (the event
    id, ``since`` None) or ``{"since", "status": "failed"}`` (``event_id``
    None): ``(event_id, since)``. Which of the two by ``event_id``'s
    presence, so that the errors are those of the body meant."""
    if isinstance(data, dict) and "event_id" in data:
        return validate(schemas.WebhookRedeliverEvent, data).event_id, None
    return None, validate(schemas.WebhookRedeliverFailedSince, data).since
