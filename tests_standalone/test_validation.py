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
# Pagination
# ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, (1, 20)),
        ({"page": "3"}, (3, 20)),
        ({"page_size": "50"}, (1, 50)),
        ({"page": "2", "page_size": "100"}, (2, 100)),
        ({"page_size": "1"}, (1, 1)),
        ({"page_size": " 7 "}, (1, 7)),
        ({"page": "007"}, (7, 20)),
        ({"page": str(10**9)}, (10**9, 20)),
        ({"other": "x"}, (1, 20)),
    ],
)
def test_pagination(validation, params, expected):
    assert validation.parse_pagination(params) == expected


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "abc"),
        ("page", str(10**9 + 1)),
        ("page", "9" * 30),
        ("page", "9" * 31),
        ("page", "9" * 5000),
        ("page", "1e3"),
        ("page", ""),
        ("page_size", ""),
        ("page_size", "0"),
        ("page_size", "101"),
        ("page_size", "abc"),
        ("page_size", "1.5"),
        ("page_size", "-1"),
        ("page_size", "+5"),
        ("page_size", "0x10"),
        ("page_size", "\u0663"),  # ARABIC-INDIC DIGIT THREE: int() would take it
        ("page_size", "1 0"),
        ("page_size", "   "),
    ],
)
def test_pagination_rejects(validation, name, raw):
    exc = _rejects(validation, validation.parse_pagination, {name: raw})
    assert _fields(exc) == [name]
    assert name in exc.message


def test_pagination_limits_in_the_message(validation):
    exc = _rejects(validation, validation.parse_pagination, {"page_size": "101"})
    assert "between 1 and 100" in exc.message


def test_pagination_lists_both_errors(validation):
    exc = _rejects(
        validation, validation.parse_pagination, {"page": "0", "page_size": "101"}
    )
    assert _fields(exc) == ["page", "page_size"]
    assert exc.message.startswith("page ")


# ----------------------------------------------------------------------
# Order lookup
# ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"identifiedBy": "biomes", "order_id": "S00042"}, ("biomes", "S00042")),
        ({"identifiedBy": "external", "order_id": "EXT-1"}, ("external", "EXT-1")),
        ({"identifiedBy": "external", "order_id": "  EXT 1  "}, ("external", "EXT 1")),
        ({"identifiedBy": "biomes", "order_id": "x" * 255}, ("biomes", "x" * 255)),
    ],
)
def test_order_lookup(validation, params, expected):
    assert validation.parse_order_lookup(params) == expected


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"order_id": "S1"}, ["identifiedBy"]),
        ({"identifiedBy": "", "order_id": "S1"}, ["identifiedBy"]),
        ({"identifiedBy": "name", "order_id": "S1"}, ["identifiedBy"]),
        ({"identifiedBy": "Biomes", "order_id": "S1"}, ["identifiedBy"]),
        ({"identifiedBy": "biomes"}, ["order_id"]),
        ({"identifiedBy": "biomes", "order_id": ""}, ["order_id"]),
        ({"identifiedBy": "biomes", "order_id": "   "}, ["order_id"]),
        ({"identifiedBy": "biomes", "order_id": "x" * 256}, ["order_id"]),
        ({"identifiedBy": "biomes", "order_id": "S\x001"}, ["order_id"]),
        ({}, ["identifiedBy", "order_id"]),
        ({"identifiedBy": "other", "order_id": ""}, ["identifiedBy", "order_id"]),
    ],
)
def test_order_lookup_rejects(validation, params, fields):
    exc = _rejects(validation, validation.parse_order_lookup, params)
    assert _fields(exc) == fields


def test_order_lookup_message_names_the_choices(validation):
    exc = _rejects(
        validation,
        validation.parse_order_lookup,
        {"identifiedBy": "x", "order_id": "1"},
    )
    assert "biomes" in exc.message and "external" in exc.message


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
ADDRESS = "delivery_address"


def _body(**changes):
    """BODY with changes; ``addr_<key>`` changes the address, KeyError removes."""
    body = copy.deepcopy(BODY)
    for key, value in changes.items():
        target = body[ADDRESS] if key.startswith("addr_") else body
        key = key.removeprefix("addr_")
        if value is KeyError:
            target.pop(key, None)
        else:
            target[key] = value
    return body


def test_order_payload_of_the_original_document(validation):
    assert validation.parse_order_payload(_body()) == {
        "lines": [{"ean": "4260582941016", "amount": 1}],
        "note": None,
        "external_order_id": "EXT-1001",
        "delivery_address": {
            "name": "John Doe",
            "street": "Main Street 1",
            "street2": None,
            "zip": "10115",
            "city": "Berlin",
            "country_code": "DE",
        },
    }


def test_order_payload_strips_text(validation):
    parsed = validation.parse_order_payload(
        _body(ean=" 4260582941016 ", addr_city="  Berlin ", addr_street2=" Apt 3 ")
    )
    assert parsed["lines"][0]["ean"] == "4260582941016"
    assert parsed[ADDRESS]["city"] == "Berlin"
    assert parsed[ADDRESS]["street2"] == "Apt 3"


@pytest.mark.parametrize(
    ("amount", "expected"), [(1, 1), (2.0, 2), (1e6, 1_000_000), (10**6, 10**6)]
)
def test_amount_accepted(validation, amount, expected):
    parsed = validation.parse_order_payload(_body(amount=amount))["lines"][0]["amount"]
    assert parsed == expected
    assert type(parsed) is int


@pytest.mark.parametrize(
    "amount",
    [
        0,
        -1,
        0.0,
        -0.5,
        1.5,
        "2",
        "",
        True,
        False,
        [],
        {},
        10**7,
        10**6 + 1,
        1e400,
        float("nan"),
    ],
)
def test_amount_rejected(validation, amount):
    exc = _rejects(validation, validation.parse_order_payload, _body(amount=amount))
    assert _fields(exc) == ["amount"]


@pytest.mark.parametrize("amount", [0, -1])
def test_amount_not_positive_detail(validation, amount):
    exc = _rejects(validation, validation.parse_order_payload, _body(amount=amount))
    assert exc.details == [
        {"field": "amount", "message": "Amount must be greater than zero"}
    ]


def test_amount_zero_message_is_the_original_documents(validation):
    """The original document shows exactly this error body for amount 0."""
    exc = _rejects(validation, validation.parse_order_payload, _body(amount=0))
    assert exc.to_dict() == {
        "success": False,
        "error": {
            "code": "validation_error",
            "message": "Amount must be greater than zero",
            "details": [
                {"field": "amount", "message": "Amount must be greater than zero"}
            ],
        },
    }


def test_amount_missing_or_null(validation):
    for body in (_body(amount=KeyError), _body(amount=None)):
        exc = _rejects(validation, validation.parse_order_payload, body)
        assert exc.details == [{"field": "amount", "message": "amount is required."}]


def test_amount_too_large_message(validation):
    exc = _rejects(validation, validation.parse_order_payload, _body(amount=10**7))
    assert str(validation.AMOUNT_MAX) in exc.message


def test_empty_body_lists_every_required_field(validation):
    exc = _rejects(validation, validation.parse_order_payload, {})
    assert _fields(exc) == ["ean", "amount", ADDRESS]


@pytest.mark.parametrize("key", ["name", "street", "zip", "city", "country_code"])
@pytest.mark.parametrize("value", [KeyError, None, "", "   ", 42, ["x"]])
def test_address_required_fields(validation, key, value):
    exc = _rejects(
        validation, validation.parse_order_payload, _body(**{f"addr_{key}": value})
    )
    assert _fields(exc) == [f"{ADDRESS}.{key}"]


@pytest.mark.parametrize("address", [KeyError, None, "Berlin", ["John Doe"], 1])
def test_address_not_an_object(validation, address):
    exc = _rejects(
        validation, validation.parse_order_payload, _body(delivery_address=address)
    )
    assert _fields(exc) == [ADDRESS]


def test_address_of_an_empty_object_lists_each_field(validation):
    exc = _rejects(
        validation, validation.parse_order_payload, _body(delivery_address={})
    )
    assert _fields(exc) == [
        f"{ADDRESS}.{key}" for key in ("name", "street", "zip", "city", "country_code")
    ]


@pytest.mark.parametrize("country", ["DEU", "1A", "D", "D E", "ÄB", "de-"])
def test_bad_country_code(validation, country):
    exc = _rejects(
        validation, validation.parse_order_payload, _body(addr_country_code=country)
    )
    assert _fields(exc) == [f"{ADDRESS}.country_code"]


@pytest.mark.parametrize(
    ("country", "expected"), [("de", "DE"), (" fr ", "FR"), ("At", "AT")]
)
def test_country_code_uppercased(validation, country, expected):
    parsed = validation.parse_order_payload(_body(addr_country_code=country))
    assert parsed[ADDRESS]["country_code"] == expected


@pytest.mark.parametrize(
    "text", ["Ber\x00lin", "Ber\nlin", "Ber\tlin", "Ber\x7flin", "\x1b[31m"]
)
def test_control_characters_rejected(validation, text):
    exc = _rejects(validation, validation.parse_order_payload, _body(addr_city=text))
    assert _fields(exc) == [f"{ADDRESS}.city"]
    assert "control characters" in exc.message


def test_text_length(validation):
    assert (
        validation.parse_order_payload(_body(addr_name="x" * 256))[ADDRESS]["name"]
        == "x" * 256
    )
    exc = _rejects(
        validation, validation.parse_order_payload, _body(addr_name="x" * 300)
    )
    assert _fields(exc) == [f"{ADDRESS}.name"]
    assert "256" in exc.message
    exc = _rejects(validation, validation.parse_order_payload, _body(ean="4" * 65))
    assert _fields(exc) == ["ean"]


@pytest.mark.parametrize("street2", [None, "", "   ", KeyError])
def test_street2_optional(validation, street2):
    parsed = validation.parse_order_payload(_body(addr_street2=street2))
    assert parsed[ADDRESS]["street2"] is None


def test_street2_must_be_text(validation):
    exc = _rejects(validation, validation.parse_order_payload, _body(addr_street2=12))
    assert _fields(exc) == [f"{ADDRESS}.street2"]


@pytest.mark.parametrize("external_order_id", ["", "  ", None, KeyError])
def test_external_order_id_optional(validation, external_order_id):
    parsed = validation.parse_order_payload(_body(external_order_id=external_order_id))
    assert parsed["external_order_id"] is None


def test_external_order_id(validation):
    parsed = validation.parse_order_payload(_body(external_order_id=" EXT-1 "))
    assert parsed["external_order_id"] == "EXT-1"
    assert validation.parse_order_payload(_body(external_order_id="x" * 255))[
        "external_order_id"
    ] == ("x" * 255)
    for bad in ("x" * 256, 1001, ["EXT"], "EXT\x00"):
        exc = _rejects(
            validation, validation.parse_order_payload, _body(external_order_id=bad)
        )
        assert _fields(exc) == ["external_order_id"]


@pytest.mark.parametrize("ean", [4260582941016, None, "", ["4260582941016"]])
def test_bad_ean(validation, ean):
    exc = _rejects(validation, validation.parse_order_payload, _body(ean=ean))
    assert _fields(exc) == ["ean"]


@pytest.mark.parametrize(
    "changes",
    [
        {"ean": "\ud800"},
        {"external_order_id": "EXT-\udfff"},
        {"addr_name": "John \ud83d Doe"},
    ],
)
def test_lone_surrogates_rejected(validation, changes):
    """JSON lets a client send "\\ud800"; such a string cannot be encoded in
    UTF-8: PostgreSQL (psycopg2) refuses it and, echoed in an error message
    ("EAN \\ud800 is unknown ..."), it makes the JSON answer itself fail to
    encode (UnicodeEncodeError: a non-JSON 500)."""
    body = json.loads(json.dumps(_body(**changes)))
    exc = _rejects(validation, validation.parse_order_payload, body)
    assert len(exc.details) == 1


def test_every_error_is_listed(validation):
    body = _body(amount=0, addr_name=KeyError, addr_country_code="DEU", ean=12)
    exc = _rejects(validation, validation.parse_order_payload, body)
    assert _fields(exc) == [
        "ean",
        "amount",
        f"{ADDRESS}.name",
        f"{ADDRESS}.country_code",
    ]
    assert exc.message.startswith("ean")
    assert exc.to_dict()["error"]["details"] == exc.details


def test_unknown_fields_are_ignored(validation):
    assert validation.parse_order_payload(_body(foo=[1], extra={"a": 1})) == (
        validation.parse_order_payload(_body())
    )


def test_parsed_body_end_to_end(validation):
    raw = json.dumps(_body(amount=3.0, addr_country_code="at")).encode()
    parsed = validation.parse_order_payload(
        validation.parse_json_object(raw, "application/json")
    )
    assert parsed["lines"] == [{"ean": "4260582941016", "amount": 3}]
    assert parsed[ADDRESS]["country_code"] == "AT"


# ----------------------------------------------------------------------
# POST order: lines and note
# ----------------------------------------------------------------------


def _lines_body(lines, **changes):
    """BODY with ``lines`` in place of ``ean`` and ``amount``."""
    return _body(ean=KeyError, amount=KeyError, lines=lines, **changes)


def test_three_lines(validation):
    lines = [
        {"ean": "4260582941016", "amount": 2},
        {"ean": " 4260582941023 ", "amount": 1.0},
        {"ean": "4260582941030", "amount": 5, "comment": "ignored"},
    ]
    parsed = validation.parse_order_payload(_lines_body(lines))
    assert parsed["lines"] == [
        {"ean": "4260582941016", "amount": 2},
        {"ean": "4260582941023", "amount": 1},
        {"ean": "4260582941030", "amount": 5},
    ]
    assert parsed["external_order_id"] == "EXT-1001"
    assert parsed[ADDRESS]["city"] == "Berlin"


def test_one_line_is_the_single_product_form(validation):
    single = validation.parse_order_payload(_body(amount=3))
    lines = validation.parse_order_payload(
        _lines_body([{"ean": "4260582941016", "amount": 3}])
    )
    assert single == lines


def test_same_ean_twice_is_one_line(validation):
    lines = [
        {"ean": "A", "amount": 2},
        {"ean": "B", "amount": 1},
        {"ean": " A", "amount": 3},
    ]
    parsed = validation.parse_order_payload(_lines_body(lines))
    assert parsed["lines"] == [{"ean": "A", "amount": 5}, {"ean": "B", "amount": 1}]


def test_summed_amount_at_most_the_maximum(validation):
    limit = validation.AMOUNT_MAX
    lines = [{"ean": "A", "amount": limit // 2}, {"ean": "A", "amount": limit // 2}]
    assert validation.parse_order_payload(_lines_body(lines))["lines"] == [
        {"ean": "A", "amount": limit}
    ]
    lines[1]["amount"] += 1
    exc = _rejects(validation, validation.parse_order_payload, _lines_body(lines))
    assert _fields(exc) == ["lines"]
    assert str(limit) in exc.message and "A" in exc.message


def test_lines_limits(validation):
    lines = [{"ean": f"EAN-{i}", "amount": 1} for i in range(validation.LINES_MAX)]
    assert len(validation.parse_order_payload(_lines_body(lines))["lines"]) == 100
    lines.append({"ean": "EAN-100", "amount": 1})
    exc = _rejects(validation, validation.parse_order_payload, _lines_body(lines))
    assert exc.details == [
        {"field": "lines", "message": "lines must be a list of 1 to 100 objects."}
    ]


@pytest.mark.parametrize(
    "lines", [[], None, "4260582941016", {"ean": "4260582941016", "amount": 1}, 3]
)
def test_lines_not_a_list_of_1_to_100(validation, lines):
    exc = _rejects(validation, validation.parse_order_payload, _lines_body(lines))
    assert _fields(exc) == ["lines"]


def test_each_line_error_names_its_line(validation):
    lines = [
        {"ean": "4260582941016", "amount": 1},
        "4260582941023",
        {"ean": 42, "amount": 0},
        {"amount": 1.5},
        {"ean": "4260582941030"},
    ]
    exc = _rejects(validation, validation.parse_order_payload, _lines_body(lines))
    assert _fields(exc) == [
        "lines[1]",
        "lines[2].ean",
        "lines[2].amount",
        "lines[3].ean",
        "lines[3].amount",
        "lines[4].amount",
    ]
    assert exc.message.startswith("lines[1]")


@pytest.mark.parametrize(
    "changes",
    [
        {"lines": [{"ean": "A", "amount": 1}]},
        {"amount": KeyError, "lines": [{"ean": "A", "amount": 1}]},
        {"ean": KeyError, "lines": [{"ean": "A", "amount": 1}]},
        {"ean": None, "amount": KeyError, "lines": [{"ean": "A", "amount": 1}]},
        {"ean": KeyError, "amount": None, "lines": []},
    ],
)
def test_both_forms_are_refused(validation, changes):
    exc = _rejects(validation, validation.parse_order_payload, _body(**changes))
    assert exc.details == [
        {"field": "lines", "message": "Send either ean and amount, or lines, not both."}
    ]


def test_neither_form_asks_for_ean_and_amount(validation):
    exc = _rejects(
        validation, validation.parse_order_payload, _body(ean=KeyError, amount=KeyError)
    )
    assert _fields(exc) == ["ean", "amount"]


def test_lines_with_other_errors_lists_them_all(validation):
    body = _lines_body(
        [{"ean": "A", "amount": -1}], note=5, addr_zip="", external_order_id=7
    )
    exc = _rejects(validation, validation.parse_order_payload, body)
    assert _fields(exc) == [
        "lines[0].amount",
        "external_order_id",
        "note",
        f"{ADDRESS}.zip",
    ]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (KeyError, None),
        (None, None),
        ("", None),
        ("   \n\t ", None),
        ("Please call first.", "Please call first."),
        ("  Gate B\r\n\tRing twice.  ", "Gate B\r\n\tRing twice."),
        ("Müller · 受付 · 🚚", "Müller · 受付 · 🚚"),
        ("x" * 2000, "x" * 2000),
        ("  " + "x" * 2000 + "\n", "x" * 2000),  # the limit counts trimmed text
    ],
)
def test_note(validation, note, expected):
    assert validation.parse_order_payload(_body(note=note))["note"] == expected


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * 2001, "note must be at most 2000 characters."),
        (42, "note must be a string."),
        (["a"], "note must be a string."),
        ({"text": "a"}, "note must be a string."),
        ("nul \x00", "note must be text without control characters."),
        ("bell \x07", "note must be text without control characters."),
        ("vt \x0b tab", "note must be text without control characters."),
        ("ff \x0c feed", "note must be text without control characters."),
        ("esc \x1b[31m", "note must be text without control characters."),
        ("del \x7f", "note must be text without control characters."),
        ("lone \ud800", "note must be text without control characters."),
    ],
)
def test_note_rejected(validation, note, message):
    exc = _rejects(validation, validation.parse_order_payload, _body(note=note))
    assert exc.details == [{"field": "note", "message": message}]


def test_note_with_lines(validation):
    body = _lines_body([{"ean": "A", "amount": 1}], note="Line 1\nLine 2")
    parsed = validation.parse_order_payload(body)
    assert parsed["note"] == "Line 1\nLine 2"
    assert parsed["lines"] == [{"ean": "A", "amount": 1}]


# ----------------------------------------------------------------------
# Idempotency-Key
# ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "8e0f4bb2-3c5d-4e1a-9f27-6b1d0c9a7e54",
        "a",
        "x" * 255,
        "order 42 / try #1",
        "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./",
    ],
)
def test_idempotency_key(validation, key):
    assert validation.parse_idempotency_key(key) == key


def test_no_idempotency_key(validation):
    assert validation.parse_idempotency_key(None) is None


@pytest.mark.parametrize(
    "key", ["", "x" * 256, "clé", "a\tb", "a\nb", "a\x00b", "a\x7fb", "\u00a0"]
)
def test_idempotency_key_rejected(validation, key):
    exc = _rejects(validation, validation.parse_idempotency_key, key)
    assert _fields(exc) == ["Idempotency-Key"]
    assert "1 to 255 printable ASCII" in exc.message


# ----------------------------------------------------------------------
# Dates and date-times of GET orders
# ----------------------------------------------------------------------


def _when(validation, raw, *, date_allowed=True, end_of_day=False):
    return validation.parse_datetime_param(
        {"when": raw}, "when", date_allowed=date_allowed, end_of_day=end_of_day
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-23T10:00:00Z", datetime.datetime(2026, 11, 23, 10, 0)),
        ("2026-11-23T10:00:00z", datetime.datetime(2026, 11, 23, 10, 0)),
        ("2026-11-23t10:00:00Z", datetime.datetime(2026, 11, 23, 10, 0)),
        ("2026-11-23 10:00:00", datetime.datetime(2026, 11, 23, 10, 0)),
        ("2026-11-23T10:00", datetime.datetime(2026, 11, 23, 10, 0)),
        ("2026-11-23T10:00Z", datetime.datetime(2026, 11, 23, 10, 0)),
        ("2026-11-23T10:00:00", datetime.datetime(2026, 11, 23, 10, 0)),
        ("2026-11-23T10:00:00.5Z", datetime.datetime(2026, 11, 23, 10, 0, 0, 500000)),
        (
            "2026-11-23T10:00:00.123456Z",
            datetime.datetime(2026, 11, 23, 10, 0, 0, 123456),
        ),
        ("2026-11-23T11:00:00+01:00", datetime.datetime(2026, 11, 23, 10, 0)),
        ("2026-11-23T11:00:00+0100", datetime.datetime(2026, 11, 23, 10, 0)),
        ("2026-11-23T05:30:00-04:30", datetime.datetime(2026, 11, 23, 10, 0)),
        ("2026-11-23T10:00:00+00:00", datetime.datetime(2026, 11, 23, 10, 0)),
        ("2026-11-24T00:30:00+01:00", datetime.datetime(2026, 11, 23, 23, 30)),
        (
            "2026-11-23T15:30:00.123456+05:30",
            datetime.datetime(2026, 11, 23, 10, 0, 0, 123456),
        ),
        (" 2026-11-23T10:00:00Z ", datetime.datetime(2026, 11, 23, 10, 0)),
    ],
)
def test_date_time(validation, raw, expected):
    """UTC when no offset is given; returned naive, in UTC, as Odoo stores
    datetimes; for dates and date-times alike."""
    for date_allowed in (True, False):
        value = _when(validation, raw, date_allowed=date_allowed)
        assert value == expected
        assert value.tzinfo is None
        # end_of_day is about dates only
        assert _when(validation, raw, end_of_day=True) == expected


@pytest.mark.parametrize(
    ("raw", "first", "last"),
    [
        (
            "2026-11-23",
            datetime.datetime(2026, 11, 23),
            datetime.datetime(2026, 11, 23, 23, 59, 59, 999999),
        ),
        (
            "2026-12-31",
            datetime.datetime(2026, 12, 31),
            datetime.datetime(2026, 12, 31, 23, 59, 59, 999999),
        ),
        (
            "2028-02-29",
            datetime.datetime(2028, 2, 29),
            datetime.datetime(2028, 2, 29, 23, 59, 59, 999999),
        ),
        (
            "9999-12-31",
            datetime.datetime(9999, 12, 31),
            datetime.datetime(9999, 12, 31, 23, 59, 59, 999999),
        ),
    ],
)
def test_date_is_its_first_or_last_microsecond(validation, raw, first, last):
    assert _when(validation, raw) == first
    assert _when(validation, raw, end_of_day=True) == last


@pytest.mark.parametrize("raw", [None])
def test_date_time_absent(validation, raw):
    assert _when(validation, raw) is None
    assert validation.parse_datetime_param({}, "when", date_allowed=False) is None


@pytest.mark.parametrize(
    "raw",
    [
        "2026-13-01",
        "2026-00-10",
        "2026-02-29",
        "2026-11-31",
        "2026-13-01T00:00:00Z",
        "2026-11-23T24:00:00Z",
        "2026-11-23T10:60:00Z",
        "2026-11-23T10:00:61Z",
        "2026-11-23T10:00:00+25:00",
        "2026-11-23T10:00:00.1234567Z",
        "2026-11-23T10",
        "2026-11-23T10:00:00 Z",
        "garbage",
        "2026/11/23",
        "23.11.2026",
        "20261123",
        "1763892000",
        "２０２６-11-23",
        "   ",
    ],
)
def test_date_time_rejected(validation, raw):
    exc = _rejects(validation, _when, validation, raw)
    assert _fields(exc) == ["when"]
    assert "ISO 8601" in exc.message and "or a date" in exc.message


@pytest.mark.parametrize("raw", ["2026-11-23", "2026-02-30"])
def test_date_refused_where_a_date_time_is_needed(validation, raw):
    exc = _rejects(validation, lambda: _when(validation, raw, date_allowed=False))
    message = "when must be an ISO 8601 date-time such as 2026-11-23T10:00:00Z."
    assert exc.details == [{"field": "when", "message": message}]


@pytest.mark.parametrize("raw", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:30+01:00"])
def test_date_time_beyond_the_calendar_is_a_validation_error(validation, raw):
    _rejects(validation, _when, validation, raw)


# ----------------------------------------------------------------------
# GET orders filters
# ----------------------------------------------------------------------

NO_FILTER = {
    "statuses": None,
    "sort": "created_desc",
    "created_from": None,
    "created_to": None,
    "updated_since": None,
}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"page": "2", "page_size": "5", "other": "x"},
    ],
)
def test_no_filters(validation, params):
    assert validation.parse_order_filters(params) == NO_FILTER


@pytest.mark.parametrize(
    "name", ["status", "sort", "created_from", "created_to", "updated_since"]
)
def test_empty_filter_values_are_refused(validation, name):
    """An empty value is not a value (the OpenAPI document says so too)."""
    with pytest.raises(validation.ValidationError) as info:
        validation.parse_order_filters({name: ""})
    assert info.value.details[0]["field"] == name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("shipped", ["shipped"]),
        ("shipped,pending", ["pending", "shipped"]),
        (" confirmed , partially_shipped ", ["confirmed", "partially_shipped"]),
        ("cancelled,cancelled", ["cancelled"]),
        ("pending,,shipped,", ["pending", "shipped"]),
        (
            "pending,confirmed,partially_shipped,shipped,cancelled",
            sorted(
                ["pending", "confirmed", "partially_shipped", "shipped", "cancelled"]
            ),
        ),
    ],
)
def test_status_filter(validation, raw, expected):
    filters = validation.parse_order_filters({"status": raw})
    assert filters == dict(NO_FILTER, statuses=expected)


@pytest.mark.parametrize(
    "raw",
    ["draft", "sale", "Shipped", "shipped,done", "pending;shipped", ",", " ", " , "],
)
def test_status_filter_rejected(validation, raw):
    exc = _rejects(validation, validation.parse_order_filters, {"status": raw})
    assert _fields(exc) == ["status"]
    for status in validation.STATUSES:
        assert status in exc.message


@pytest.mark.parametrize("sort", ["created_desc", "created_asc", "updated_asc"])
def test_sort(validation, sort):
    assert validation.parse_order_filters({"sort": sort}) == dict(NO_FILTER, sort=sort)


@pytest.mark.parametrize(
    "sort", ["updated_desc", "Created_desc", "created", "-created", "id", "1"]
)
def test_sort_rejected(validation, sort):
    exc = _rejects(validation, validation.parse_order_filters, {"sort": sort})
    assert _fields(exc) == ["sort"]
    assert "created_desc, created_asc, updated_asc" in exc.message


def test_date_filters(validation):
    filters = validation.parse_order_filters(
        {
            "created_from": "2026-11-01",
            "created_to": "2026-11-30",
            "updated_since": "2026-11-24T09:02:17.318204Z",
        }
    )
    assert filters == dict(
        NO_FILTER,
        created_from=datetime.datetime(2026, 11, 1),
        created_to=datetime.datetime(2026, 11, 30, 23, 59, 59, 999999),
        updated_since=datetime.datetime(2026, 11, 24, 9, 2, 17, 318204),
    )


def test_created_to_date_time_is_taken_as_it_is(validation):
    filters = validation.parse_order_filters(
        {"created_to": "2026-11-30T18:00:00+01:00"}
    )
    assert filters["created_to"] == datetime.datetime(2026, 11, 30, 17, 0)


def test_updated_since_refuses_a_date(validation):
    exc = _rejects(
        validation, validation.parse_order_filters, {"updated_since": "2026-11-24"}
    )
    assert _fields(exc) == ["updated_since"]
    assert "or a date" not in exc.message


def test_every_filter_error_is_listed(validation):
    params = {
        "status": "draft",
        "created_from": "2026-13-01",
        "created_to": "yesterday",
        "updated_since": "2026-11-24",
        "sort": "newest",
    }
    exc = _rejects(validation, validation.parse_order_filters, params)
    assert _fields(exc) == [
        "status",
        "created_from",
        "created_to",
        "updated_since",
        "sort",
    ]
