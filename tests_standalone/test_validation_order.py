# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""lib/validation.py: the body of ``POST order`` (one product or several
lines), and ``POST orders/batch``, whose orders are each parsed as
``POST order`` parses its body."""

import copy

import pytest
from validation_helpers import error_fields, rejects

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
    return rejects(validation, validation.parse_order_payload, body)


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
            "state_code": None,
            "phone": None,
            "email": None,
            "company_name": None,
        },
        "delivery_address_id": None,
        "carrier_code": None,
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
    assert sorted(error_fields(exc)) == ["amount", "delivery_address", "ean"]
    assert "delivery_address is required." in exc.message
    exc = _order_error(validation, _body(delivery_address={}))
    assert error_fields(exc) == [
        f"delivery_address.{key}"
        for key in ("name", "street", "zip", "city", "country_code")
    ]


@pytest.mark.parametrize("key", ["name", "street", "zip", "city", "country_code"])
@pytest.mark.parametrize("value", [KeyError, None, "", "   ", 42, ["x"]])
def test_address_required_fields(validation, key, value):
    exc = _order_error(validation, _body(**{f"addr_{key}": value}))
    assert error_fields(exc) == [f"delivery_address.{key}"]
    assert f"delivery_address.{key}" in exc.message


@pytest.mark.parametrize("address", [KeyError, None, "Berlin", ["John Doe"], 1])
def test_address_not_an_object(validation, address):
    exc = _order_error(validation, _body(delivery_address=address))
    assert error_fields(exc) == ["delivery_address"]


@pytest.mark.parametrize("country", ["DEU", "1A", "D", "D E", "ÄB", "de", " DE", "XX"])
def test_country_code_is_a_known_iso_code_in_capitals(validation, country):
    exc = _order_error(validation, _body(addr_country_code=country))
    assert error_fields(exc) == ["delivery_address.country_code"]
    assert "ISO 3166-1 alpha-2" in exc.message


@pytest.mark.parametrize(
    "text", ["a\x00b", "tab\there", "line\nbreak", "esc\x1b", "del\x7f", "J\ud800"]
)
def test_control_characters_and_surrogates_rejected(validation, text):
    exc = _order_error(validation, _body(addr_street=text))
    assert error_fields(exc) == ["delivery_address.street"]


def test_text_length(validation):
    assert validation.parse_order_payload(_body(addr_name="x" * 256))
    exc = _order_error(validation, _body(addr_name="x" * 257))
    assert "at most 256 characters" in exc.message
    exc = _order_error(validation, _body(ean="4" * 65))
    assert error_fields(exc) == ["ean"]
    exc = _order_error(validation, _body(external_order_id="x" * 256))
    assert error_fields(exc) == ["external_order_id"]


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
    assert error_fields(_order_error(validation, _body(ean=ean))) == ["ean"]


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
    assert set(error_fields(exc)) == {
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
    assert error_fields(_order_error(validation, _lines_body([line] * 101))) == [
        "lines"
    ]


def test_each_line_error_names_its_line(validation):
    exc = _order_error(
        validation,
        _lines_body([{"ean": "1", "amount": 1}, "x", {"ean": 5, "amount": 0}, {}]),
    )
    assert error_fields(exc) == [
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
    assert error_fields(exc) == ["ean", "amount"]


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
    assert error_fields(items[1]) == ["amount"]


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
    exc = rejects(validation, validation.parse_order_batch, body)
    assert (exc.details[0]["field"], exc.details[0]["message"]) == (field, message)


def test_order_batch_of_100(validation):
    items = validation.parse_order_batch({"orders": [BODY] * 100})
    assert len(items) == 100 and all(isinstance(item, dict) for item in items)
