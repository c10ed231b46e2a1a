# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SSCC check (``lib/gs1.py``) and the DespatchAdvice writer
(``lib/despatch_advice.py``) without Odoo: the writer's output validates
against the OASIS UBL 2.1 schema (tests/data/ubl21/)."""

import datetime

import pytest
from conftest import REPO, _load, load_lib

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


@pytest.fixture(scope="module")
def gs1():
    return load_lib("gs1")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("106141411234567897", "106141411234567897"),  # GS1's own example
        ("106141411234567890", None),  # wrong check digit
        ("10614141123456789", None),  # 17 digits
        ("1061414112345678970", None),  # 19 digits
        ("(00)106141411234567897", None),
        ("10614141123456789X", None),
        ("１０６１４１４１１２３４５６７８９７", None),  # not ASCII digits
        ("PACK0000001", None),
        (None, None),
    ],
)
def test_sscc(gs1, name, expected):
    assert gs1.sscc(name) == expected


def test_check_digit(gs1):
    assert gs1.gs1_check_digit("400638133393") == 1  # EAN-13 4006381333931
    assert gs1.gs1_check_digit("00000000000000000") == 0


def test_despatch_advice_validates():
    writer = load_lib("despatch_advice")
    ubl = _load("poa_ubl_schema", REPO / "tests" / "ubl_schema.py")
    pallet = {
        "name": "106141411234567897",
        "sscc": "106141411234567897",
        "package_type": "EUR pallet",
        "weight": 12.5,
    }
    box = {"name": "BOX-1", "sscc": None, "package_type": None, "weight": 0.3}
    party = {
        "name": "Seller",
        "street": "Main 1",
        "city": "Ghent",
        "zip": "9000",
        "country_code": "BE",
        "vat": "BE0477472701",
    }
    line = {
        "quantity": 2.0,
        "unit_code": "C62",
        "order_line": 1,
        "name": "Kit",
        "default_code": "K1",
        "gtin": "4006381333931",
        "lot": "LOT-1",
        "expiry_date": datetime.date(2027, 6, 30),
        "unit": pallet,
    }
    content = writer.despatch_advice_xml(
        {
            "id": "WH/OUT/00012",
            "issue_date": datetime.date(2026, 12, 1),
            "despatch_date": datetime.date(2026, 12, 1),
            "order_id": "EXT-1",
            "sales_order_id": "S00042",
            "supplier": party,
            "customer": dict(party, name="Buyer", vat=None),
            "carrier": "DHL",
            "tracking_ref": "TRK1",
            "weight": 12.8,
            "weight_unit": "KGM",
            "units": [pallet, box],
            "lines": [
                line,
                dict(line, lot=None, expiry_date=None, unit=box, gtin=None),
            ],
        }
    )
    root = ubl.assert_valid("DespatchAdvice", content)
    ids = root.xpath("cac:Shipment/cac:TransportHandlingUnit/cbc:ID", namespaces=NS)
    assert [(i.text, i.get("schemeID")) for i in ids] == [
        ("106141411234567897", "SSCC"),
        ("BOX-1", None),
    ]
    assert root.xpath("string(//cbc:ExpiryDate)", namespaces=NS) == "2027-06-30"
