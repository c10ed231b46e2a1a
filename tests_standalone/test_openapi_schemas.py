# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""static/openapi.json's request schemas allow exactly what the parsers of
lib/validation.py accept (bodies, queries, headers), and its examples hold:
request examples parse, answers match their schemas."""

import copy
import re

import pytest
from conftest import load_lib
from jsonschema import Draft202012Validator
from openapi_helpers import API, accepts, operations, resolve, validator

examples = load_lib("openapi_examples")


# ----------------------------------------------------------------------
# The schemas allow exactly what the parsers accept
# ----------------------------------------------------------------------

ORIGINAL_BODY = examples.EXAMPLES["OrderCreateRequest"]["value"]


def _body(**changes):
    body = copy.deepcopy(ORIGINAL_BODY)
    for key, value in changes.items():
        target = body["delivery_address"] if key.startswith("addr_") else body
        key = key.removeprefix("addr_")
        if value is KeyError:
            del target[key]
        else:
            target[key] = value
    return body


def _line(index=0, amount=1):
    return {"ean": f"42605829410{index:02d}", "amount": amount}


def _lines_body(lines, **changes):
    return _body(ean=KeyError, amount=KeyError, lines=lines, **changes)


BODY_SAMPLES = [
    ORIGINAL_BODY,
    _body(amount=2.0),
    _body(amount=1_000_000),
    _body(external_order_id=None),
    _body(external_order_id=KeyError),
    _body(external_order_id="  "),
    _body(addr_street2=None),
    _body(addr_street2=KeyError),
    _body(addr_street2="   "),
    _body(addr_country_code="de"),
    _body(addr_country_code="XX"),
    _body(extra_field="refused"),
    _body(addr_floor="refused"),
    _body(amount=0),
    _body(amount=-1),
    _body(amount=1.5),
    _body(amount="2"),
    _body(amount=True),
    _body(amount=10**7),
    _body(ean=4260582941016),
    _body(ean=" 4260582941016 "),
    _body(ean="   "),
    _body(ean="42\x0060"),
    _body(ean="42\u00a060"),
    _body(ean=KeyError),
    _body(amount=KeyError),
    _body(ean=None),
    _body(amount=None),
    _body(delivery_address=KeyError),
    _body(delivery_address="Berlin"),
    _body(addr_city=KeyError),
    _body(addr_city=""),
    _body(addr_city=" "),
    _body(addr_city="\t"),
    _body(addr_city="Berlin\x7f"),
    _body(addr_city="Zürich\u2003"),
    _body(addr_country_code="DEU"),
    _body(addr_name="x" * 256),
    _body(addr_name="x" * 257),
    _body(external_order_id="x" * 256),
    _body(external_order_id="a\nb"),
    _lines_body([_line()]),
    _lines_body([_line(0, 2), _line(1, 1), _line(2, 5)]),
    _lines_body([_line(i) for i in range(100)]),
    _lines_body([_line(i) for i in range(101)]),
    _lines_body([]),
    _lines_body(None),
    _lines_body("4260582941016"),
    _lines_body([{"ean": "4260582941016"}]),
    _lines_body([{"ean": "4260582941016", "amount": 0}]),
    _lines_body([{"ean": 4260582941016, "amount": 1}]),
    _lines_body([{"ean": "4" * 65, "amount": 1}]),
    _lines_body([dict(_line(), comment="refused")]),
    _lines_body([_line(0, 600_000), _line(0, 600_000)]),
    _body(lines=[_line()]),
    _body(amount=KeyError, lines=[_line()]),
    _body(ean=KeyError, amount=None, lines=[_line()]),
    _body(ean=KeyError, amount=KeyError),
    _lines_body([_line()], delivery_address=KeyError),
    _body(note="Line 1\nLine 2\r\n\tindented"),
    _body(note=""),
    _body(note=None),
    _body(note="x" * 2000),
    _body(note="x" * 2001),
    _body(note=42),
    _body(note="nul \x00 char"),
    _body(note="escape \x1b[31m"),
    _body(note="vertical \x0b tab"),
    _body(note="delete \x7f"),
    # issue 27: shipping and the address's new fields
    _body(carrier_code="express"),
    _body(carrier_code=""),
    _body(carrier_code=7),
    _body(addr_state_code="CA", addr_phone="+1 415", addr_company_name="Acme"),
    _body(addr_state_code="x" * 9),
    _body(addr_email="dock@acme-labs.example"),
    _body(addr_email=" dock@acme-labs.example "),
    _body(addr_email=""),
    _body(addr_email="   "),
    _body(addr_email=None),
    _body(addr_email="a@b"),
    _body(addr_email='"quoted"@example.com'),
    _body(addr_email="\tdock@acme-labs.example"),
    _body(addr_email="dock@acme-labs.example\n"),
    _body(addr_email="x@" + "y" * 300 + ".com"),
    _body(addr_email=42),
    _body(delivery_address=KeyError, delivery_address_id=57),
    _lines_body([_line()], delivery_address=KeyError, delivery_address_id=57),
    _body(delivery_address=KeyError, delivery_address_id=57.0),
    _body(delivery_address=KeyError, delivery_address_id=57.5),
    _body(delivery_address=KeyError, delivery_address_id="57"),
    _body(delivery_address=KeyError, delivery_address_id=True),
    _body(delivery_address=KeyError, delivery_address_id=0),
    _body(delivery_address=KeyError, delivery_address_id=2**31),
    _body(delivery_address=KeyError, delivery_address_id=None),
    _body(delivery_address_id=57),
    _body(delivery_address=None),
]


@pytest.mark.parametrize("body", BODY_SAMPLES)
def test_order_schema_agrees_with_the_parser(document, validation, body):
    schema_ok = validator(document, "/components/schemas/OrderCreateRequest").is_valid(
        body
    )
    assert schema_ok == accepts(
        validation, lambda: validation.parse_order_payload(body)
    )


@pytest.mark.parametrize(
    "body",
    [
        {"identifiedBy": "biomes", "order_id": "S00042"},
        {"identifiedBy": "external", "order_id": "x" * 255},
        {"identifiedBy": "biomes", "order_id": "S00042", "reason": "refused"},
        {"identifiedBy": "external", "order_id": "x" * 256},
        {"identifiedBy": "Biomes", "order_id": "S00042"},
        {"identifiedBy": None, "order_id": "S00042"},
        {"identifiedBy": "biomes", "order_id": 42},
        {"identifiedBy": "biomes", "order_id": ""},
        {"identifiedBy": "biomes", "order_id": "  "},
        {"identifiedBy": "biomes", "order_id": "S\x0142"},
        {"identifiedBy": "biomes"},
        {},
    ],
)
def test_cancel_schema_agrees_with_the_parser(document, validation, body):
    schema_ok = validator(document, "/components/schemas/OrderCancelRequest").is_valid(
        body
    )
    assert schema_ok == accepts(
        validation, lambda: validation.parse_cancel_request(body)
    )
    query = {k: v for k, v in body.items() if isinstance(v, str)}
    parameters = {
        p["name"]: p
        for p in document["paths"][f"{API}/order_status"]["get"]["parameters"]
    }
    query_ok = all(
        name in query
        and Draft202012Validator(parameters[name]["schema"]).is_valid(query[name])
        for name in parameters
    )
    assert query_ok == accepts(validation, lambda: validation.parse_order_lookup(query))


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://partner.example/hook"},
        {"url": "http://127.0.0.1:8080/x?y=1"},
        {"url": "ftp://partner.example/"},
        {"url": "https://partner.example/a b"},
        {"url": "https://" + "a" * 2050},
        {"url": ""},
        {"url": 1},
        {},
        {"url": "https://partner.example/", "x": 1},
        {"url": "https://partner.example/", "event_types": None},
        {"url": "https://partner.example/", "event_types": ["order.shipped"]},
        {"url": "https://partner.example/", "event_types": ["ping", "order.updated"]},
        {"url": "https://partner.example/", "event_types": []},
        {"url": "https://partner.example/", "event_types": ["order.refunded"]},
        {"url": "https://partner.example/", "event_types": "order.shipped"},
        {"url": "https://partner.example/", "event_types": [1]},
    ],
)
def test_webhook_schema_agrees_with_the_parser(document, validation, body):
    schema_ok = validator(document, "/components/schemas/WebhookPutRequest").is_valid(
        body
    )
    assert schema_ok == accepts(validation, lambda: validation.parse_webhook_put(body))


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("8e0f4bb2-3c5d-4e1a-9f27-6b1d0c9a7e54", True),
        ("x" * 255, True),
        ("", False),
        ("x" * 256, False),
        ("clé", False),
        ("a\tb", False),
    ],
)
def test_idempotency_key_schema_agrees_with_the_parser(
    document, validation, key, valid
):
    assert (
        validator(document, "/components/schemas/IdempotencyKey").is_valid(key) is valid
    )
    assert accepts(validation, lambda: validation.parse_idempotency_key(key)) is valid


def _orders_parameter(document, name):
    (parameter,) = [
        p
        for p in document["paths"][f"{API}/orders"]["get"]["parameters"]
        if p["name"] == name
    ]
    return parameter


def _query_schema_ok(document, name, raw):
    parameter = _orders_parameter(document, name)
    value = raw
    if parameter["schema"].get("type") == "array":
        value = raw.split(",")  # style form, explode false
    elif parameter["schema"].get("type") == "integer":
        value = int(raw) if re.fullmatch(r"-?[0-9]+", raw) else raw
    return Draft202012Validator(
        parameter["schema"], format_checker=Draft202012Validator.FORMAT_CHECKER
    ).is_valid(value)


QUERY_SAMPLES = {
    "page": ["1", "42", str(10**9), "0", "-1", str(10**9 + 1), "x", "1.5", ""],
    "page_size": ["1", "100", "0", "101", "abc"],
    "status": ["pending", "confirmed,shipped", "draft", "pending,", "", "Pending"],
    "sort": ["created_desc", "updated_asc", "updated_desc", ""],
    # RFC 3339 dates and date-times (what the schema says), and what is
    # neither (refused by both); the parser also takes a few more ISO 8601
    # forms (no seconds, no offset, +0100), which the schema does not promise.
    "created_from": [
        "2026-11-23",
        "2026-11-23T10:00:00Z",
        "2026-11-23t10:00:00.123456z",
        "2026-11-23T10:00:00+01:00",
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "0000-00-00",
        "2026-02-30",
        "2026-11-23T25:00:00Z",
        "garbage",
        "",
    ],
    "created_to": ["2026-11-23", "9999-12-31", "2026-13-01", "2026-11-23T10:00:00Z"],
    "updated_since": ["2026-11-23T10:00:00Z", "2026-11-23", "0000-00-00", "x"],
}


@pytest.mark.parametrize(
    ("name", "raw"),
    [(name, raw) for name, values in QUERY_SAMPLES.items() for raw in values],
)
def test_query_parameters_agree_with_the_parser(document, validation, name, raw):
    schema_ok = _query_schema_ok(document, name, raw)
    parser_ok = accepts(validation, lambda: validation.parse_orders_query({name: raw}))
    assert schema_ok == parser_ok


@pytest.mark.parametrize(
    "raw", ["2026-11-23 10:00:00", "2026-11-23T10:00", "2026-11-23T10:00:00+0100"]
)
def test_lenient_date_times_are_accepted_beyond_the_schema(document, validation, raw):
    assert not _query_schema_ok(document, "created_from", raw)
    assert accepts(
        validation, lambda: validation.parse_orders_query({"created_from": raw})
    )


DOCUMENT_QUERY = {"identifiedBy": "biomes", "order_id": "S00042", "type": "invoice"}


@pytest.mark.parametrize(
    "params",
    [
        DOCUMENT_QUERY,
        dict(DOCUMENT_QUERY, type="order", invoice_number="INV/1"),
        dict(DOCUMENT_QUERY, type="delivery_slip", delivery_order_name="WH/OUT/1"),
        dict(DOCUMENT_QUERY, invoice_number=""),
        dict(DOCUMENT_QUERY, invoice_number="\x07"),
        dict(DOCUMENT_QUERY, delivery_order_name="x" * 256),
        dict(DOCUMENT_QUERY, type="receipt"),
        dict(DOCUMENT_QUERY, identifiedBy="name"),
        {"identifiedBy": "biomes", "order_id": "S00042"},
        {"order_id": "S00042", "type": "order"},
    ],
)
def test_order_document_query_agrees_with_the_parser(document, validation, params):
    """The parameters of order/document are independent: what the document
    allows, the parser takes (schemathesis checks that on the live server)."""
    operation = document["paths"][f"{API}/order/document"]["get"]
    schema_ok = True
    for parameter in operation["parameters"]:
        if parameter["name"] not in params:
            schema_ok &= not parameter["required"]
            continue
        schema_ok &= Draft202012Validator(parameter["schema"]).is_valid(
            params[parameter["name"]]
        )
    parser_ok = accepts(
        validation, lambda: validation.parse_order_document_query(params)
    )
    assert schema_ok == parser_ok


# ----------------------------------------------------------------------
# Examples
# ----------------------------------------------------------------------


def test_every_response_example_matches_its_schema(document, openapi_check):
    checked = 0
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            content = resolve(document, response)["content"]
            if "application/json" not in content:  # the files of order/document
                assert set(content) == {"application/pdf", "application/xml"}, (
                    method,
                    path,
                )
                continue
            media = content["application/json"]
            for example in media.get("examples", {}).values():
                value = resolve(document, example)["value"]
                openapi_check.validate_response(
                    method, path, status, value, document=document
                )
                checked += 1
    assert checked >= 40


PARSERS = {
    ("POST", f"{API}/order"): "parse_order_payload",
    ("POST", f"{API}/order/cancel"): "parse_cancel_request",
    ("POST", f"{API}/order/return"): "parse_return_request",
    ("POST", f"{API}/order/quote"): "parse_order_payload",
    ("POST", f"{API}/order/change"): "parse_order_change",
    ("POST", f"{API}/order/change/quote"): "parse_order_change",
    ("POST", f"{API}/orders/batch"): "parse_order_batch",
    ("PUT", f"{API}/webhook"): "parse_webhook_put",
    ("POST", f"{API}/webhook/endpoints"): "parse_webhook_settings",
    (
        "PUT",
        f"{API}/webhook/endpoints/{{endpoint_id}}",
    ): "parse_webhook_endpoint_update",
    ("POST", f"{API}/webhook/events/redeliver"): "parse_webhook_redeliver",
}


def test_every_request_example_is_accepted(document, validation):
    checked = 0
    for method, path, operation in operations(document):
        if "requestBody" not in operation:
            continue
        media = operation["requestBody"]["content"]["application/json"]
        pointer = media["schema"]["$ref"][1:]
        for example in media["examples"].values():
            value = resolve(document, example)["value"]
            assert validator(document, pointer).is_valid(value), (method, path)
            getattr(validation, PARSERS[(method, path)])(value)
            checked += 1
    # those written for the document and those recorded on a server
    # (docs/examples.json): every request example of a 2xx is parsed
    assert checked == 35


def test_request_example_is_the_original_documents():
    assert ORIGINAL_BODY == {
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


def test_three_line_order_example(document, validation):
    all_examples = document["components"]["examples"]
    request = all_examples["OrderCreateRequestLines"]
    parsed = validation.parse_order_payload(request["value"])
    assert len(parsed["lines"]) == 3 and "\n" in parsed["note"]
    key = document["components"]["parameters"]["Idempotency-Key"]["example"]
    assert validation.parse_idempotency_key(key) == key
    assert f"Idempotency-Key: {key}" in request["description"]
    created = all_examples["OrderCreatedLines"]["value"]
    assert created["note"] == parsed["note"]
    assert [(line["ean"], line["quantity"]) for line in created["lines"]] == [
        (line["ean"], line["amount"]) for line in parsed["lines"]
    ]
    cancelled = all_examples["OrderCancelled"]["value"]
    assert cancelled["status"] == "cancelled"
    cancel = validation.parse_cancel_request(
        all_examples["OrderCancelRequest"]["value"]
    )
    assert cancel == ("external", cancelled["external_order_id"])
