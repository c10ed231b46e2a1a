# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The pure-Python half of a UBL Order body (``lib/ubl_order.py``): what it
refuses, the JSON body it builds, the XML elements errors name, and what
an XML order costs (``lib/costs.py``). The Odoo half, and the real buyer's
order, are tests/test_api_ubl_order.py's."""

import pytest
from conftest import load_lib

NS = (
    'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" '
    'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"'
)


@pytest.fixture(scope="session")
def ubl():
    return load_lib("ubl_order")


@pytest.fixture(scope="session")
def errors():
    return load_lib("errors")


def _order(lines):
    return (f"<Order {NS}>" + "<cac:OrderLine/>" * lines + "</Order>").encode()


def test_content_types(ubl):
    assert ubl.is_xml("application/xml")
    assert ubl.is_xml("text/xml; charset=utf-8")
    assert not ubl.is_xml("application/json")
    assert not ubl.is_xml(None)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"<Order",
        b'<!DOCTYPE Order [<!ENTITY x SYSTEM "file:///etc/passwd">]><Order/>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE Order><Order/>'.encode(
            "utf-16"
        ),
        b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>",
        _order(1)[:-8] + b"x" * (1024 * 1024) + b"</Order>",
    ],
)
def test_refused_on_body(ubl, errors, raw):
    with pytest.raises(errors.ValidationError) as caught:
        ubl.parse_order_xml(raw)
    assert caught.value.details[0]["field"] == "body"


def test_order_data_is_the_json_body(ubl):
    data = ubl.order_data(
        {
            "id": "PO-1",
            "notes": [None, " Ring twice ", ""],
            "requested_date": "2099-01-02",
            "address": {"name": " Jo ", "street": "S 1", "street2": None},
            "lines": [("4006381333931", 2), (None, 1)],
        }
    )
    assert data == {
        "external_order_id": "PO-1",
        "note": "Ring twice",
        "requested_delivery_date": "2099-01-02",
        "delivery_address": {"name": "Jo", "street": "S 1"},
        "lines": [{"ean": "4006381333931", "amount": 2}, {"amount": 1}],
    }
    assert [ubl.quantity(q) for q in ("3.0", "2.5", "x", None)] == [3, 2.5, "x", None]


def test_line_ean(ubl):
    codes = {"MINE": "4006381333948"}.get
    assert ubl.line_ean(" 4006381333931 ", "MINE", codes) == "4006381333931"
    assert ubl.line_ean(None, "4006381333955", codes) == "4006381333955"
    assert ubl.line_ean(None, "MINE", codes) == "4006381333948"
    assert ubl.line_ean(None, "OTHER", codes) == "OTHER"


def test_errors_name_the_xml_element(ubl, errors):
    parent = ubl.ADDRESS_PARENTS[1]
    exc = errors.ValidationError.from_details(
        [
            {"field": "lines[1].amount", "message": "Amount must be greater than zero"},
            {
                "field": "delivery_address.city",
                "message": "delivery_address.city is required.",
            },
        ]
    )
    details = ubl.xml_error(exc, parent).details
    assert details == [
        {
            "field": "cac:OrderLine[2]/cac:LineItem/cbc:Quantity",
            "message": "Amount must be greater than zero",
        },
        {
            "field": f"{parent}/cbc:CityName",
            "message": f"{parent}/cbc:CityName is required.",
        },
    ]


def test_an_xml_order_costs_what_its_json_costs():
    costs = load_lib("costs")
    assert costs.request_cost("createOrder", {}, _order(25)) == 3
    assert costs.request_cost("quoteOrder", {}, _order(1)) == 1
    assert costs.request_cost("createOrder", {}, _order(500)) == costs.ORDER_MAX_COST
    assert costs.request_cost("createOrder", {}, b"<not xml") == 1
