# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""lib/validation.py: what a client sends becomes clean values or one
ValidationError listing every problem. Here: JSON bodies, the order lookups
(``order_status``, ``order/cancel``, ``order/document``), the
``Idempotency-Key`` and ``PUT webhook``; ``POST order`` and
``orders/batch``: test_validation_order.py; ``GET orders``' query:
test_validation_orders_query.py."""

import json

import pytest
from validation_helpers import error_fields, rejects

# ----------------------------------------------------------------------
# JSON bodies
# ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/merge-patch+json",
    ],
)
def test_json_object(validation, content_type):
    raw = json.dumps(
        {"name": "Müller", "n": [1, 2.5, None]}, ensure_ascii=False
    ).encode()
    assert validation.parse_json_object(raw, content_type) == {
        "name": "Müller",
        "n": [1, 2.5, None],
    }


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ],
)
def test_json_object_wrong_content_type(validation, content_type):
    exc = rejects(validation, validation.parse_json_object, b'{"a": 1}', content_type)
    assert error_fields(exc) == ["body"]
    assert "application/json" in exc.message


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \n",
        b"[1, 2]",
        b'"text"',
        b"42",
        b"null",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": -Infinity}',
        b'{"a": "\xff\xfe"}',  # not UTF-8
        b'{"a": "\xc3"}',  # truncated UTF-8 sequence
        b'{"a": 1',
        b'{"a": 1} {"b": 2}',
        b"{'a': 1}",
        b'{"a": ' + b"1" * 5000 + b"}",  # beyond Python's int digits limit
    ],
)
def test_json_object_rejects(validation, raw):
    exc = rejects(validation, validation.parse_json_object, raw, "application/json")
    assert error_fields(exc) == ["body"]


def test_json_object_too_large(validation):
    raw = b'{"a": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    exc = rejects(validation, validation.parse_json_object, raw, "application/json")
    assert "bytes" in exc.message


def test_json_object_at_the_size_limit(validation):
    padding = validation.MAX_BODY_BYTES - len(b'{"a": ""}')
    raw = b'{"a": "' + b"x" * padding + b'"}'
    assert len(raw) == validation.MAX_BODY_BYTES
    assert validation.parse_json_object(raw) == {"a": "x" * padding}


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"a": ' * 100_000 + b"1" + b"}" * 100_000,
    ],
)
def test_json_object_deep_nesting_is_a_validation_error(validation, raw):
    """Not a RecursionError (which would be a 500)."""
    exc = rejects(validation, validation.parse_json_object, raw, "application/json")
    assert error_fields(exc) == ["body"]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (rb'{"a": "\ud800"}', "a"),
        (rb'{"a": "x\uDFFFy"}', "a"),
        (rb'{"a": {"b": [1, "ok", "\ud83d"]}}', "a.b[2]"),
        (rb'{"ok": "\ud83d\ude00", "z": {"y": "\udc00"}}', "z.y"),
        (rb'{"a\ud800b": 1}', "a\\ud800b"),
        (rb'{"delivery_address": {"name": "J\ud800"}}', "delivery_address.name"),
    ],
)
def test_json_object_refuses_lone_surrogates_wherever_they_are(validation, raw, field):
    """A lone surrogate escape decodes to a string that cannot be encoded,
    stored or hashed (the Idempotency-Key fingerprint): the body is refused
    whole, naming where, an ignored member included."""
    exc = rejects(validation, validation.parse_json_object, raw, "application/json")
    assert error_fields(exc) == [field]
    assert "lone surrogate" in exc.message
    assert exc.message.startswith(field)
    json.dumps(exc.to_dict(), ensure_ascii=False).encode()  # printable answer


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (rb'{"a": "\ud83d\ude00"}', {"a": "\U0001f600"}),  # a pair is text
        (rb'{"a": "\\ud800"}', {"a": "\\ud800"}),  # an escaped backslash
        ('{"a": "\u00e9\ud7ff\ue000"}'.encode(), {"a": "\u00e9\ud7ff\ue000"}),
    ],
)
def test_json_object_keeps_text_that_only_looks_like_a_surrogate(
    validation, raw, expected
):
    assert validation.parse_json_object(raw, "application/json") == expected


# ----------------------------------------------------------------------
# order_status, order/cancel, Idempotency-Key, PUT webhook
# ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"identifiedBy": "biomes", "order_id": "S00042"}, ("biomes", "S00042")),
        ({"identifiedBy": "external", "order_id": " E-1 "}, ("external", "E-1")),
        ({"identifiedBy": "biomes", "order_id": "S1", "other": "x"}, ("biomes", "S1")),
    ],
)
def test_order_lookup(validation, params, expected):
    assert validation.parse_order_lookup(params) == expected


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, ["identifiedBy", "order_id"]),
        ({"identifiedBy": "name", "order_id": "1"}, ["identifiedBy"]),
        ({"identifiedBy": "Biomes", "order_id": "1"}, ["identifiedBy"]),
        ({"identifiedBy": "biomes", "order_id": ""}, ["order_id"]),
        ({"identifiedBy": "biomes", "order_id": "S1\x01"}, ["order_id"]),
        ({"identifiedBy": "biomes", "order_id": "9" * 256}, ["order_id"]),
    ],
)
def test_order_lookup_rejects(validation, params, fields):
    assert (
        error_fields(rejects(validation, validation.parse_order_lookup, params))
        == fields
    )


def test_order_lookup_messages_name_the_choices(validation):
    exc = rejects(validation, validation.parse_order_lookup, {"order_id": "1"})
    assert exc.message == "identifiedBy is required (biomes or external)."
    exc = rejects(
        validation,
        validation.parse_order_lookup,
        {"identifiedBy": "x", "order_id": "1"},
    )
    assert exc.message == "identifiedBy must be 'biomes' or 'external'."


def test_cancel_request(validation):
    body = {"identifiedBy": "external", "order_id": "EXT-1"}
    assert validation.parse_cancel_request(body) == ("external", "EXT-1")
    exc = rejects(validation, validation.parse_cancel_request, dict(body, reason="x"))
    assert error_fields(exc) == ["reason"]
    for bad in (
        {"identifiedBy": 1, "order_id": "1"},
        {"identifiedBy": "biomes", "order_id": 42},
    ):
        rejects(validation, validation.parse_cancel_request, bad)


@pytest.mark.parametrize(
    "key", ["8e0f4bb2-3c5d-4e1a-9f27-6b1d0c9a7e54", "a", "x" * 255, "order 42 / #1 ~!"]
)
def test_idempotency_key(validation, key):
    assert validation.parse_idempotency_key(key) == key


def test_no_idempotency_key(validation):
    assert validation.parse_idempotency_key(None) is None


@pytest.mark.parametrize(
    "key", ["", "x" * 256, "clé", "a\tb", "a\x7fb", "a\nb", "a\x00"]
)
def test_idempotency_key_rejected(validation, key):
    exc = rejects(validation, validation.parse_idempotency_key, key)
    assert exc.details == [
        {
            "field": "Idempotency-Key",
            "message": "Idempotency-Key must be 1 to 255 printable ASCII characters.",
        }
    ]


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        ({"url": "https://partner.example/hook?x=1"}, True),
        ({"url": "HTTP://127.0.0.1:8080/h"}, True),
        ({"url": "ftp://partner.example/"}, False),
        ({"url": " https://partner.example/"}, False),
        ({"url": "https://partner.example/a b"}, False),
        ({"url": "https://" + "a" * 2050}, False),
        ({"url": 5}, False),
        ({}, False),
        ({"url": "https://partner.example/", "secret": "x"}, False),
    ],
)
def test_webhook_put(validation, body, valid):
    if valid:
        assert validation.parse_webhook_put(body) == body["url"]
    else:
        rejects(validation, validation.parse_webhook_put, body)


@pytest.mark.parametrize(
    ("event_types", "parsed"),
    [
        (None, None),
        (["order.shipped"], ["order.shipped"]),
        # canonical order, once each
        (
            ["order.invoiced", "order.created", "order.invoiced"],
            ["order.created", "order.invoiced"],
        ),
        (["ping", "order.updated"], ["order.updated", "ping"]),
    ],
)
def test_webhook_put_event_types(validation, event_types, parsed):
    body = {"url": "https://partner.example/hook", "event_types": event_types}
    assert validation.parse_webhook_settings(body) == (body["url"], parsed)
    assert validation.parse_webhook_settings({"url": body["url"]})[1] is None
    # the portal's choice: the same check
    assert validation.parse_event_types(event_types) == parsed


@pytest.mark.parametrize(
    "event_types", [[], ["order.refunded"], "order.shipped", [1], ["Order.Shipped"]]
)
def test_webhook_put_unknown_event_types_name_the_parameter(validation, event_types):
    body = {"url": "https://partner.example/hook", "event_types": event_types}
    with pytest.raises(validation.ValidationError) as info:
        validation.parse_webhook_settings(body)
    assert info.value.message.startswith("event_types must be a list of")
    assert info.value.details == [
        {"field": "event_types", "message": info.value.message}
    ]
    # the portal's choice: refused alike
    with pytest.raises(validation.ValidationError) as portal:
        validation.parse_event_types(event_types)
    assert portal.value.details == info.value.details


@pytest.mark.parametrize(
    "body, changes",
    [
        ({}, {}),
        ({"state": "enabled"}, {"state": "enabled"}),
        ({"event_types": None}, {"event_types": None}),
        (
            {"url": "https://partner.example/hook", "event_types": ["order.shipped"]},
            {"url": "https://partner.example/hook", "event_types": ["order.shipped"]},
        ),
    ],
)
def test_webhook_endpoint_update_keeps_what_is_given(validation, body, changes):
    assert validation.parse_webhook_endpoint_update(body) == changes


def test_webhook_endpoint_update_refuses_null_url_and_state(validation):
    """``event_types: null`` means all events; a null URL or state means
    nothing: each is named."""
    body = {"url": None, "state": None, "event_types": None}
    exc = rejects(validation, validation.parse_webhook_endpoint_update, body)
    assert error_fields(exc) == ["url", "state"]
    for name in ("url", "state"):
        exc = rejects(
            validation, validation.parse_webhook_endpoint_update, {name: None}
        )
        assert error_fields(exc) == [name]


# ----------------------------------------------------------------------
# GET order/document
# ----------------------------------------------------------------------

DOC = {"identifiedBy": "biomes", "order_id": "S00042"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (dict(DOC, type="order"), ("biomes", "S00042", "order", None, None)),
        (dict(DOC, type="invoice"), ("biomes", "S00042", "invoice", None, None)),
        (
            dict(DOC, type="invoice", invoice_number=" INV/2026/00042 "),
            ("biomes", "S00042", "invoice", "INV/2026/00042", None),
        ),
        (
            dict(DOC, type="delivery_slip", delivery_order_name="WH/OUT/00012"),
            ("biomes", "S00042", "delivery_slip", "WH/OUT/00012", None),
        ),
        (
            dict(DOC, identifiedBy="external", type="order", other="ignored"),
            ("external", "S00042", "order", None, None),
        ),
        # a selector of another type is ignored (the document allows it)
        (
            dict(DOC, type="order", invoice_number="INV/1"),
            ("biomes", "S00042", "order", None, None),
        ),
        (
            dict(DOC, type="invoice", delivery_order_name="WH/OUT/1"),
            ("biomes", "S00042", "invoice", None, None),
        ),
        (
            dict(
                DOC, type="delivery_slip", invoice_number="I", delivery_order_name="D"
            ),
            ("biomes", "S00042", "delivery_slip", "D", None),
        ),
        # an e-invoice: its invoice as for type=invoice, and its format
        (
            dict(DOC, type="invoice_xml", format="xrechnung", invoice_number="I"),
            ("biomes", "S00042", "invoice_xml", "I", "xrechnung"),
        ),
        (
            dict(DOC, type="invoice_xml", format="facturx"),
            ("biomes", "S00042", "invoice_xml", None, "facturx"),
        ),
        # a format with another type is ignored
        (
            dict(DOC, type="invoice", format="ubl_bis3"),
            ("biomes", "S00042", "invoice", None, None),
        ),
    ],
)
def test_order_document_query(validation, params, expected):
    assert validation.parse_order_document_query(params) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        (DOC, "type"),
        (dict(DOC, type="pdf"), "type"),
        (dict(DOC, type="Invoice"), "type"),
        ({"identifiedBy": "biomes", "type": "order"}, "order_id"),
        (dict(DOC, type="order", identifiedBy="id"), "identifiedBy"),
        (dict(DOC, type="invoice", invoice_number=""), "invoice_number"),
        (dict(DOC, type="invoice", invoice_number="x" * 256), "invoice_number"),
        (
            dict(DOC, type="delivery_slip", delivery_order_name="\x00"),
            "delivery_order_name",
        ),
        # type=invoice_xml needs a known format
        (dict(DOC, type="invoice_xml"), "format"),
        (dict(DOC, type="invoice_xml", format="ubl"), "format"),
        (dict(DOC, type="invoice_xml", format="UBL_BIS3"), "format"),
    ],
)
def test_order_document_query_rejects(validation, params, field):
    with pytest.raises(validation.ValidationError) as info:
        validation.parse_order_document_query(params)
    assert info.value.details[0]["field"] == field
    assert field in info.value.message
