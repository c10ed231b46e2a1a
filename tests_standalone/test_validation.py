# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""lib/validation.py: what a client sends becomes clean values or one
ValidationError listing every problem."""

import copy
import datetime
import json

import pytest


def _rejects(validation, func, *args):
    """The ValidationError ``func(*args)`` raises."""
    with pytest.raises(validation.ValidationError) as info:
        func(*args)
    exc = info.value
    assert exc.status == 400 and exc.code == "validation_error"
    assert exc.details, "every validation error lists its details"
    assert exc.details[0]["message"] in exc.message
    return exc


def _fields(exc):
    return [detail["field"] for detail in exc.details]


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
    exc = _rejects(validation, validation.parse_json_object, b'{"a": 1}', content_type)
    assert _fields(exc) == ["body"]
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
    exc = _rejects(validation, validation.parse_json_object, raw, "application/json")
    assert _fields(exc) == ["body"]


def test_json_object_too_large(validation):
    raw = b'{"a": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    exc = _rejects(validation, validation.parse_json_object, raw, "application/json")
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
    exc = _rejects(validation, validation.parse_json_object, raw, "application/json")
    assert _fields(exc) == ["body"]


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
    exc = _rejects(validation, validation.parse_json_object, raw, "application/json")
    assert _fields(exc) == [field]
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
# POST order
# ----------------------------------------------------------------------

# ----------------------------------------------------------------------
# POST order
# ----------------------------------------------------------------------

BODY = {
    "ean": "4260582941016",
    "amount": 1,
    "external_order_id": "EXT-1001",
    "delivery_address": {
        "name": "John Doe",
        "street": "Main Street 1",
        "street2": "",
        "zip": "10115",
        "city": "Berlin",
        "country_code": "DE",
    },
}


def _body(**changes):
    """BODY with changes; ``addr_<key>`` changes the address, KeyError removes."""
    body = copy.deepcopy(BODY)
    for key, value in changes.items():
        target = body["delivery_address"] if key.startswith("addr_") else body
        key = key.removeprefix("addr_")
        if value is KeyError:
            target.pop(key, None)
        else:
            target[key] = value
    return body


def _lines_body(lines, **changes):
    return _body(ean=KeyError, amount=KeyError, lines=lines, **changes)


def _order_error(validation, body):
    return _rejects(validation, validation.parse_order_payload, body)


def test_order_payload_of_the_original_document(validation):
    assert validation.parse_order_payload(BODY) == {
        "lines": [{"ean": "4260582941016", "amount": 1}],
        "external_order_id": "EXT-1001",
        "note": None,
        "delivery_address": {
            "name": "John Doe",
            "street": "Main Street 1",
            "street2": None,
            "zip": "10115",
            "city": "Berlin",
            "country_code": "DE",
        },
    }


def test_order_payload_strips_spaces(validation):
    parsed = validation.parse_order_payload(
        _body(ean=" 4260582941016 ", addr_city="  Berlin ", note="  Hi\n\t")
    )
    assert parsed["lines"][0]["ean"] == "4260582941016"
    assert parsed["delivery_address"]["city"] == "Berlin"
    assert parsed["note"] == "Hi"


@pytest.mark.parametrize(("amount", "expected"), [(1, 1), (2.0, 2), (10**6, 10**6)])
def test_amount_accepted(validation, amount, expected):
    parsed = validation.parse_order_payload(_body(amount=amount))
    assert parsed["lines"][0]["amount"] == expected


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "Amount must be greater than zero"),  # the original document's
        (-1, "Amount must be greater than zero"),
        (1.5, "Amount must be a whole number greater than zero."),
        ("2", "Amount must be a whole number greater than zero."),
        (True, "Amount must be a whole number greater than zero."),
        ([1], "Amount must be a whole number greater than zero."),
        (None, "Amount must be a whole number greater than zero."),
        (10**6 + 1, "Amount must be at most 1000000."),
    ],
)
def test_amount_rejected(validation, amount, message):
    exc = _order_error(validation, _body(amount=amount))
    assert exc.details == [{"field": "amount", "message": message}]
    assert exc.message.startswith("amount: ") or exc.message == message


def test_missing_fields_are_each_listed(validation):
    exc = _order_error(validation, {})
    assert sorted(_fields(exc)) == ["amount", "delivery_address", "ean"]
    assert "delivery_address is required." in exc.message
    exc = _order_error(validation, _body(delivery_address={}))
    assert _fields(exc) == [
        f"delivery_address.{key}"
        for key in ("name", "street", "zip", "city", "country_code")
    ]


@pytest.mark.parametrize("key", ["name", "street", "zip", "city", "country_code"])
@pytest.mark.parametrize("value", [KeyError, None, "", "   ", 42, ["x"]])
def test_address_required_fields(validation, key, value):
    exc = _order_error(validation, _body(**{f"addr_{key}": value}))
    assert _fields(exc) == [f"delivery_address.{key}"]
    assert f"delivery_address.{key}" in exc.message


@pytest.mark.parametrize("address", [KeyError, None, "Berlin", ["John Doe"], 1])
def test_address_not_an_object(validation, address):
    exc = _order_error(validation, _body(delivery_address=address))
    assert _fields(exc) == ["delivery_address"]


@pytest.mark.parametrize("country", ["DEU", "1A", "D", "D E", "ÄB", "de", " DE", "XX"])
def test_country_code_is_a_known_iso_code_in_capitals(validation, country):
    exc = _order_error(validation, _body(addr_country_code=country))
    assert _fields(exc) == ["delivery_address.country_code"]
    assert "ISO 3166-1 alpha-2" in exc.message


@pytest.mark.parametrize(
    "text", ["a\x00b", "tab\there", "line\nbreak", "esc\x1b", "del\x7f", "J\ud800"]
)
def test_control_characters_and_surrogates_rejected(validation, text):
    exc = _order_error(validation, _body(addr_street=text))
    assert _fields(exc) == ["delivery_address.street"]


def test_text_length(validation):
    assert validation.parse_order_payload(_body(addr_name="x" * 256))
    exc = _order_error(validation, _body(addr_name="x" * 257))
    assert "at most 256 characters" in exc.message
    exc = _order_error(validation, _body(ean="4" * 65))
    assert _fields(exc) == ["ean"]
    exc = _order_error(validation, _body(external_order_id="x" * 256))
    assert _fields(exc) == ["external_order_id"]


@pytest.mark.parametrize("street2", [None, "", "   ", KeyError])
def test_street2_optional(validation, street2):
    parsed = validation.parse_order_payload(_body(addr_street2=street2))
    assert parsed["delivery_address"]["street2"] is None


@pytest.mark.parametrize("external_order_id", ["", "  ", None, KeyError])
def test_external_order_id_optional(validation, external_order_id):
    parsed = validation.parse_order_payload(_body(external_order_id=external_order_id))
    assert parsed["external_order_id"] is None


@pytest.mark.parametrize("ean", [4260582941016, None, "", "  ", ["4260582941016"]])
def test_bad_ean(validation, ean):
    assert _fields(_order_error(validation, _body(ean=ean))) == ["ean"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_body(extra_field="x"), "extra_field"),
        (_body(addr_floor=3), "delivery_address.floor"),
        (_lines_body([{"ean": "1", "amount": 1, "comment": "x"}]), "lines[0].comment"),
    ],
)
def test_unknown_members_are_refused(validation, body, field):
    exc = _order_error(validation, body)
    assert exc.details == [
        {"field": field, "message": f"{field} is not a field of this request."}
    ]


def test_every_error_is_listed(validation):
    exc = _order_error(
        validation,
        _body(amount=0, ean="", addr_zip=None, addr_country_code="x", note=5),
    )
    assert set(_fields(exc)) == {
        "amount",
        "ean",
        "delivery_address.zip",
        "delivery_address.country_code",
        "note",
    }


def test_three_lines(validation):
    lines = [
        {"ean": "1", "amount": 2},
        {"ean": "2", "amount": 1.0},
        {"ean": "3", "amount": 5},
    ]
    parsed = validation.parse_order_payload(_lines_body(lines, note="Ring.\nThanks"))
    assert parsed["lines"] == [
        {"ean": "1", "amount": 2},
        {"ean": "2", "amount": 1},
        {"ean": "3", "amount": 5},
    ]
    assert parsed["note"] == "Ring.\nThanks"


def test_same_ean_twice_is_one_line_of_the_sum(validation):
    lines = [
        {"ean": "1", "amount": 2},
        {"ean": "2", "amount": 1},
        {"ean": "1", "amount": 10**6},
    ]
    parsed = validation.parse_order_payload(_lines_body(lines))
    assert parsed["lines"] == [
        {"ean": "1", "amount": 10**6 + 2},
        {"ean": "2", "amount": 1},
    ]


@pytest.mark.parametrize("lines", [[], None, "x", {"ean": "1", "amount": 1}, [{}] * 0])
def test_lines_not_a_list_of_1_to_100(validation, lines):
    exc = _order_error(validation, _lines_body(lines))
    assert exc.details == [
        {"field": "lines", "message": "lines must be a list of 1 to 100 objects."}
    ]


def test_lines_limits(validation):
    line = {"ean": "1", "amount": 1}
    assert validation.parse_order_payload(_lines_body([line] * 100))
    assert _fields(_order_error(validation, _lines_body([line] * 101))) == ["lines"]


def test_each_line_error_names_its_line(validation):
    exc = _order_error(
        validation,
        _lines_body([{"ean": "1", "amount": 1}, "x", {"ean": 5, "amount": 0}, {}]),
    )
    assert _fields(exc) == [
        "lines[1]",
        "lines[2].ean",
        "lines[2].amount",
        "lines[3].ean",
        "lines[3].amount",
    ]
    assert (
        exc.details[0]["message"] == "Each line must be an object with ean and amount."
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"lines": [{"ean": "1", "amount": 1}]},
        {"ean": KeyError, "lines": [{"ean": "1", "amount": 1}]},
        {"amount": KeyError, "lines": [{"ean": "1", "amount": 1}]},
        {"amount": None, "ean": KeyError, "lines": [{"ean": "1", "amount": 1}]},
    ],
)
def test_both_forms_are_refused(validation, changes):
    exc = _order_error(validation, _body(**changes))
    assert exc.details[0] == {
        "field": "lines",
        "message": "Send either ean and amount, or lines, not both.",
    }


def test_neither_form_asks_for_ean_and_amount(validation):
    exc = _order_error(validation, _body(ean=KeyError, amount=KeyError))
    assert _fields(exc) == ["ean", "amount"]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (None, None),
        ("", None),
        ("  \n ", None),
        ("Call first.", "Call first."),
        ("a\r\n\tb", "a\r\n\tb"),
        ("x" * 2000, "x" * 2000),
        ("ü" * 2000, "ü" * 2000),
    ],
)
def test_note(validation, note, expected):
    assert validation.parse_order_payload(_body(note=note))["note"] == expected


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * 2001, "note must be at most 2000 characters."),
        (5, "note must be a string."),
        (["a"], "note must be a string."),
        ("nul \x00", "note must not contain control characters."),
        ("bell \x07", "note must not contain control characters."),
        ("vt \x0b tab", "note must not contain control characters."),
        ("esc \x1b[31m", "note must not contain control characters."),
        ("del \x7f", "note must not contain control characters."),
        ("lone \ud800", "note must be valid Unicode text."),
    ],
)
def test_note_rejected(validation, note, message):
    assert _order_error(validation, _body(note=note)).details == [
        {"field": "note", "message": message}
    ]


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
        _fields(_rejects(validation, validation.parse_order_lookup, params)) == fields
    )


def test_order_lookup_messages_name_the_choices(validation):
    exc = _rejects(validation, validation.parse_order_lookup, {"order_id": "1"})
    assert exc.message == "identifiedBy is required (biomes or external)."
    exc = _rejects(
        validation,
        validation.parse_order_lookup,
        {"identifiedBy": "x", "order_id": "1"},
    )
    assert exc.message == "identifiedBy must be 'biomes' or 'external'."


def test_cancel_request(validation):
    body = {"identifiedBy": "external", "order_id": "EXT-1"}
    assert validation.parse_cancel_request(body) == ("external", "EXT-1")
    exc = _rejects(validation, validation.parse_cancel_request, dict(body, reason="x"))
    assert _fields(exc) == ["reason"]
    for bad in (
        {"identifiedBy": 1, "order_id": "1"},
        {"identifiedBy": "biomes", "order_id": 42},
    ):
        _rejects(validation, validation.parse_cancel_request, bad)


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
    exc = _rejects(validation, validation.parse_idempotency_key, key)
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
        _rejects(validation, validation.parse_webhook_put, body)


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


# ----------------------------------------------------------------------
# GET orders
# ----------------------------------------------------------------------

NO_FILTER = {
    "statuses": None,
    "created_from": None,
    "created_to": None,
    "updated_since": None,
    "sort": "created_desc",
}


def _query(validation, **params):
    return validation.parse_orders_query(params)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, (1, 20)),
        ({"page": "3"}, (3, 20)),
        ({"page_size": "50"}, (1, 50)),
        ({"page": "2", "page_size": "100"}, (2, 100)),
        ({"page": "007"}, (7, 20)),
        ({"page": str(10**9)}, (10**9, 20)),
        ({"other": "x"}, (1, 20)),
    ],
)
def test_pagination(validation, params, expected):
    page, page_size, filters = validation.parse_orders_query(params)
    assert (page, page_size) == expected
    assert filters == NO_FILTER


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "abc"),
        ("page", str(10**9 + 1)),
        ("page", "9" * 31),
        ("page", "1e3"),
        ("page", ""),
        ("page", " 7 "),
        ("page_size", "0"),
        ("page_size", "101"),
        ("page_size", "1.5"),
        ("page_size", "+5"),
        ("page_size", "0x10"),
        ("page_size", "\u0663"),  # ARABIC-INDIC DIGIT THREE: int() would take it
    ],
)
def test_pagination_rejects(validation, name, raw):
    exc = _rejects(validation, validation.parse_orders_query, {name: raw})
    assert _fields(exc) == [name]
    assert exc.message.startswith(f"{name} must be a whole number between 1 and ")


def test_every_query_problem_is_listed(validation):
    exc = _rejects(
        validation,
        validation.parse_orders_query,
        {"page": "0", "page_size": "x", "status": "draft", "sort": "new"},
    )
    assert _fields(exc) == ["page", "page_size", "status", "sort"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-23T10:00:00Z", datetime.datetime(2026, 11, 23, 10)),
        ("2026-11-23t10:00:00z", datetime.datetime(2026, 11, 23, 10)),
        ("2026-11-23 10:00:00", datetime.datetime(2026, 11, 23, 10)),
        ("2026-11-23T10:00", datetime.datetime(2026, 11, 23, 10)),
        (
            "2026-11-23T10:00:00.123456Z",
            datetime.datetime(2026, 11, 23, 10, 0, 0, 123456),
        ),
        ("2026-11-23T11:00:00+01:00", datetime.datetime(2026, 11, 23, 10)),
        ("2026-11-23T11:00:00+0100", datetime.datetime(2026, 11, 23, 10)),
        ("2026-11-23T05:30:00-04:30", datetime.datetime(2026, 11, 23, 10)),
        # beyond the calendar's ends: its last and first microsecond
        ("9999-12-31T23:59:59-01:00", datetime.datetime.max),
        ("0001-01-01T00:30:00+01:00", datetime.datetime.min),
    ],
)
def test_date_time(validation, raw, expected):
    assert _query(validation, updated_since=raw)[2]["updated_since"] == expected
    assert _query(validation, created_from=raw)[2]["created_from"] == expected


@pytest.mark.parametrize(
    ("raw", "first", "last"),
    [
        ("2026-11-23", (2026, 11, 23), (2026, 11, 23, 23, 59, 59, 999999)),
        ("2028-02-29", (2028, 2, 29), (2028, 2, 29, 23, 59, 59, 999999)),
        ("9999-12-31", (9999, 12, 31), (9999, 12, 31, 23, 59, 59, 999999)),
    ],
)
def test_date_is_its_first_or_last_microsecond(validation, raw, first, last):
    filters = _query(validation, created_from=raw, created_to=raw)[2]
    assert filters["created_from"] == datetime.datetime(*first)
    assert filters["created_to"] == datetime.datetime(*last)


@pytest.mark.parametrize(
    "raw",
    [
        "0000-00-00",
        "2026-13-01",
        "2026-02-29",
        "2026-11-31",
        "2026-11-23T24:00:00Z",
        "2026-11-23T10:60:00Z",
        "2026-11-23T10:00:00+25:00",
        "2026-11-23T10:00:00.1234567Z",
        "2026-11-23T10",
        "23.11.2026",
        "1763892000",
        "",
        " 2026-11-23",
    ],
)
def test_date_time_rejected(validation, raw):
    for name in ("created_from", "created_to", "updated_since"):
        exc = _rejects(validation, validation.parse_orders_query, {name: raw})
        assert _fields(exc) == [name]
        assert "ISO 8601" in exc.message


def test_updated_since_refuses_a_date(validation):
    exc = _rejects(
        validation, validation.parse_orders_query, {"updated_since": "2026-11-23"}
    )
    assert "or a date" not in exc.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("pending", ["pending"]),
        ("shipped,confirmed,shipped", ["confirmed", "shipped"]),
        (
            "pending,confirmed,partially_shipped,shipped,cancelled",
            sorted(
                ["pending", "confirmed", "partially_shipped", "shipped", "cancelled"]
            ),
        ),
    ],
)
def test_status_filter(validation, raw, expected):
    assert _query(validation, status=raw)[2]["statuses"] == expected


@pytest.mark.parametrize(
    "raw", ["", "draft", "Pending", "pending,", "pending, shipped", ","]
)
def test_status_filter_rejected(validation, raw):
    assert _fields(
        _rejects(validation, validation.parse_orders_query, {"status": raw})
    ) == ["status"]


@pytest.mark.parametrize("sort", ["created_desc", "created_asc", "updated_asc"])
def test_sort(validation, sort):
    assert _query(validation, sort=sort)[2]["sort"] == sort


@pytest.mark.parametrize("sort", ["", "updated_desc", "CREATED_DESC", "-created"])
def test_sort_rejected(validation, sort):
    assert _fields(
        _rejects(validation, validation.parse_orders_query, {"sort": sort})
    ) == ["sort"]


# ----------------------------------------------------------------------
# GET order/document
# ----------------------------------------------------------------------

DOC = {"identifiedBy": "biomes", "order_id": "S00042"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (dict(DOC, type="order"), ("biomes", "S00042", "order", None)),
        (dict(DOC, type="invoice"), ("biomes", "S00042", "invoice", None)),
        (
            dict(DOC, type="invoice", invoice_number=" INV/2026/00042 "),
            ("biomes", "S00042", "invoice", "INV/2026/00042"),
        ),
        (
            dict(DOC, type="delivery_slip", delivery_order_name="WH/OUT/00012"),
            ("biomes", "S00042", "delivery_slip", "WH/OUT/00012"),
        ),
        (
            dict(DOC, identifiedBy="external", type="order", other="ignored"),
            ("external", "S00042", "order", None),
        ),
        # a selector of another type is ignored (the document allows it)
        (
            dict(DOC, type="order", invoice_number="INV/1"),
            ("biomes", "S00042", "order", None),
        ),
        (
            dict(DOC, type="invoice", delivery_order_name="WH/OUT/1"),
            ("biomes", "S00042", "invoice", None),
        ),
        (
            dict(
                DOC, type="delivery_slip", invoice_number="I", delivery_order_name="D"
            ),
            ("biomes", "S00042", "delivery_slip", "D"),
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
    ],
)
def test_order_document_query_rejects(validation, params, field):
    with pytest.raises(validation.ValidationError) as info:
        validation.parse_order_document_query(params)
    assert info.value.details[0]["field"] == field
    assert field in info.value.message


# POST orders/batch
# ----------------------------------------------------------------------


def test_order_batch_parses_each_order_on_its_own(validation):
    """Each order is what POST order would make of it: its parsed body, or
    the ValidationError POST order would answer, named within the order."""
    bad = _body(amount=0)
    items = validation.parse_order_batch({"orders": [BODY, bad, _lines_body([])]})
    assert items[0] == validation.parse_order_payload(BODY)
    for item, body in zip(items[1:], (bad, _lines_body([])), strict=True):
        assert isinstance(item, validation.ValidationError)
        alone = _order_error(validation, body)
        assert (item.message, item.details) == (alone.message, alone.details)
    assert _fields(items[1]) == ["amount"]


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({}, "orders", "orders is required."),
        ({"orders": None}, "orders", "orders must be a list of 1 to 100 objects."),
        ({"orders": {}}, "orders", "orders must be a list of 1 to 100 objects."),
        ({"orders": []}, "orders", "orders must be a list of 1 to 100 objects."),
        (
            {"orders": [BODY] * 101},
            "orders",
            "orders must be a list of 1 to 100 objects.",
        ),
        ({"orders": [BODY, "x"]}, "orders[1]", "orders[1] must be an object."),
        ({"orders": [BODY, None]}, "orders[1]", "orders[1] must be an object."),
        (
            {"orders": [BODY], "more": []},
            "more",
            "more is not a field of this request.",
        ),
    ],
)
def test_order_batch_refused_whole(validation, body, field, message):
    exc = _rejects(validation, validation.parse_order_batch, body)
    assert (exc.details[0]["field"], exc.details[0]["message"]) == (field, message)


def test_order_batch_of_100(validation):
    items = validation.parse_order_batch({"orders": [BODY] * 100})
    assert len(items) == 100 and all(isinstance(item, dict) for item in items)
