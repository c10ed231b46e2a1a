# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""lib/validation.py: what a client sends becomes clean values or one
ValidationError listing every problem."""

import copy
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
        ({"page": "", "page_size": ""}, (1, 20)),
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
            del target[key]
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
