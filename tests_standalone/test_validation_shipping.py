# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""lib/validation.py: what ``POST order`` takes for shipping (issue 27):
``carrier_code``, ``delivery_address_id`` in place of ``delivery_address``,
and the address's ``state_code``, ``phone``, ``email``, ``company_name``.
Whether a code, a state or an id exists is the server's check
(tests/test_api_shipping.py, tests/test_api_addresses.py)."""

import copy

import pytest
from validation_helpers import error_fields, rejects

ADDRESS = {
    "name": "Receiving Dock",
    "street": "500 Terry Francine St",
    "zip": "94158",
    "city": "San Francisco",
    "country_code": "US",
}
BODY = {"ean": "4260582941016", "amount": 1, "delivery_address": ADDRESS}


def _body(**changes):
    body = copy.deepcopy(BODY)
    body.update(changes)
    return body


def test_new_address_fields_parsed_and_trimmed(validation):
    address = dict(
        ADDRESS,
        state_code=" CA ",
        phone="+1 415 555 0100",
        email=" dock@acme-labs.example ",
        company_name="Acme Labs Inc.",
    )
    parsed = validation.parse_order_payload(
        _body(delivery_address=address, carrier_code=" express ")
    )
    assert parsed["carrier_code"] == "express"
    assert parsed["delivery_address_id"] is None
    assert {k: parsed["delivery_address"][k] for k in address} == dict(
        address, state_code="CA", email="dock@acme-labs.example"
    )


def test_new_address_fields_optional(validation):
    parsed = validation.parse_order_payload(BODY)
    for key in ("state_code", "phone", "email", "company_name"):
        assert parsed["delivery_address"][key] is None
    assert parsed["carrier_code"] is None


@pytest.mark.parametrize(
    "email", ["not an address", "a@b", 42, "x@" + "y" * 300 + ".com"]
)
def test_invalid_email_refused(validation, email):
    exc = rejects(
        validation,
        validation.parse_order_payload,
        _body(delivery_address=dict(ADDRESS, email=email)),
    )
    assert error_fields(exc) == ["delivery_address.email"]


def test_saved_address_in_place_of_an_address(validation):
    body = _body(delivery_address_id=57)
    del body["delivery_address"]
    parsed = validation.parse_order_payload(body)
    assert (parsed["delivery_address"], parsed["delivery_address_id"]) == (None, 57)


@pytest.mark.parametrize("address_id", ["57", True, 0, -1, 1.5, 2**31, [57]])
def test_invalid_address_id_refused(validation, address_id):
    body = _body(delivery_address_id=address_id)
    del body["delivery_address"]
    exc = rejects(validation, validation.parse_order_payload, body)
    assert error_fields(exc) == ["delivery_address_id"]


def test_exactly_one_of_address_and_id(validation):
    exc = rejects(
        validation, validation.parse_order_payload, _body(delivery_address_id=57)
    )
    assert error_fields(exc) == ["delivery_address_id"]
    body = _body()
    del body["delivery_address"]
    exc = rejects(validation, validation.parse_order_payload, body)
    assert error_fields(exc) == ["delivery_address"]
    assert exc.message == "delivery_address is required."
    # null is not a saved address: the address is what is missing
    exc = rejects(
        validation, validation.parse_order_payload, _body(delivery_address=None)
    )
    assert error_fields(exc) == ["delivery_address"]
