# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""static/openapi.json: what lib/openapi.py generates from the models of
lib/schemas.py, a valid OpenAPI 3.1 document that says what the contract
says and that client generators can use; its request schemas allow exactly
what the parsers accept; tests/openapi_check.py holds answers against it."""

import copy
import re

import pytest
from conftest import REPO, load_lib
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

openapi = load_lib("openapi")
schemas = load_lib("schemas")
examples = load_lib("openapi_examples")

API = "/partner_order_api"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# The contract's statuses, route by route.
COMMON = {"401", "403", "405", "429", "500"}
EXPECTED_STATUSES = {
    ("GET", f"{API}/available_products"): {"200", "409"} | COMMON,
    ("GET", f"{API}/orders"): {"200", "400"} | COMMON,
    ("GET", f"{API}/order_status"): {"200", "400", "404"} | COMMON,
    ("GET", f"{API}/order/document"): {"200", "400", "404", "503"} | COMMON,
    ("POST", f"{API}/order"): {"201", "400", "409"} | COMMON,
    ("POST", f"{API}/order/cancel"): {"200", "400", "404", "409"} | COMMON,
    ("POST", f"{API}/order/quote"): {"200", "400", "409"} | COMMON,
    ("POST", f"{API}/orders/batch"): {"200", "400", "409"} | COMMON,
    ("GET", f"{API}/webhook"): {"200"} | COMMON,
    ("PUT", f"{API}/webhook"): {"200", "400"} | COMMON,
    ("DELETE", f"{API}/webhook"): {"200"} | COMMON,
    ("POST", f"{API}/webhook/test"): {"200", "400"} | COMMON,
    ("POST", f"{API}/webhook/rotate_secret"): {"200"} | COMMON,
    ("GET", f"{API}/openapi.json"): {"200", "405", "500"},
}
# The error codes each route may answer, status by status (the contract's
# tables): one code per status unless listed here.
ONE_CODE = {
    "400": "validation_error",
    "401": "unauthorized",
    "403": "forbidden",
    "404": "not_found",
    "405": "method_not_allowed",
    "429": "rate_limited",
    "500": "internal_error",
    "503": "document_unavailable",
}
# statuses every route answers with several codes (fair use)
STATUS_CODES = {"429": {"rate_limited", "concurrency_limited"}}
IDEMPOTENCY_CODES = {"idempotency_key_reused", "idempotency_in_progress"}
WRITE_FORBIDDEN = {"forbidden", "insufficient_scope"}
SEVERAL_CODES = {
    ("GET", f"{API}/available_products", "409"): {"not_configured"},
    ("POST", f"{API}/order", "403"): WRITE_FORBIDDEN | {"product_not_allowed"},
    ("POST", f"{API}/order", "409"): IDEMPOTENCY_CODES
    | {"duplicate_external_order_id", "not_configured"},
    ("POST", f"{API}/order/cancel", "403"): WRITE_FORBIDDEN,
    # a quote writes nothing: read-only keys may ask for one
    ("POST", f"{API}/order/quote", "403"): {"forbidden", "product_not_allowed"},
    ("POST", f"{API}/order/quote", "409"): {
        "duplicate_external_order_id",
        "not_configured",
    },
    ("POST", f"{API}/orders/batch", "403"): WRITE_FORBIDDEN,
    ("POST", f"{API}/orders/batch", "409"): IDEMPOTENCY_CODES,
    ("POST", f"{API}/order/cancel", "409"): IDEMPOTENCY_CODES | {"not_cancellable"},
    ("PUT", f"{API}/webhook", "403"): WRITE_FORBIDDEN,
    ("DELETE", f"{API}/webhook", "403"): WRITE_FORBIDDEN,
    ("POST", f"{API}/webhook/test", "403"): WRITE_FORBIDDEN,
    ("POST", f"{API}/webhook/rotate_secret", "403"): WRITE_FORBIDDEN,
    # no wkhtmltopdf, or every PDF render slot taken
    ("GET", f"{API}/order/document", "503"): {"document_unavailable", "busy"},
}


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method.upper(), path, operation


def resolve(document, node):
    """``node`` with its local ``$ref`` chain followed."""
    while "$ref" in node:
        target = document
        for segment in node["$ref"][2:].split("/"):
            target = target[segment.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _validator(document, pointer):
    """A validator (formats asserted) of the schema at ``pointer``."""
    registry = Registry().with_resource(
        "urn:doc", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"urn:doc#{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _accepts(validation, parse):
    """Whether ``parse()`` takes its input (raises no ValidationError)."""
    try:
        parse()
    except validation.ValidationError:
        return False
    return True


# ----------------------------------------------------------------------
# Generated, valid, usable by generators
# ----------------------------------------------------------------------


def test_committed_document_is_the_generated_one(document):
    """static/openapi.json is never edited by hand: run
    ``python scripts/gen_openapi.py`` after changing lib/schemas.py or
    lib/openapi.py."""
    committed = (REPO / "static" / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi.dumps(openapi.document()), (
        "static/openapi.json differs from what scripts/gen_openapi.py writes"
    )


def test_document_is_valid_openapi_3_1(document):
    validate_openapi(copy.deepcopy(document))
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "Partner Order API"
    assert document["info"]["version"] == openapi.manifest_version()
    assert document["servers"] == [{"url": "/"}]


def test_every_operation_has_its_controller():
    """controllers/main.py routes each operation of ``lib.openapi.OPERATIONS``
    (its path, method and access come from there), once."""
    source = (REPO / "controllers" / "main.py").read_text(encoding="utf-8")
    routed = re.findall(r'@api_endpoint\("(\w+)"\)', source)
    assert sorted(routed) == sorted(openapi.BY_ID)


def test_bodies_are_named_schemas_and_errors_shared(document):
    """What generators need: every request and response body is a named
    schema of components/schemas, every error answer a shared response of
    components/responses, and no schema is an ``allOf`` overlay (one class
    per route and status in generated clients)."""
    for method, path, operation in _operations(document):
        where = f"{method} {path}"
        bodies = [operation.get("requestBody")] + list(operation["responses"].values())
        for body in filter(None, bodies):
            if "$ref" in body:
                assert body["$ref"].startswith("#/components/responses/"), where
                body = resolve(document, body)
            (media,) = body["content"].values()
            assert set(media["schema"]) == {"$ref"}, where
            assert media["schema"]["$ref"].startswith("#/components/schemas/"), where
    assert "allOf" not in openapi.dumps(document)
    names = set(document["components"]["schemas"])
    assert {
        "Order",
        "OrderLine",
        "Address",
        "Pagination",
        "OrderCreateRequest",
        "OrderCancelRequest",
        "Error",
        "ErrorCode",
    } <= names


def test_each_route_documents_the_contracts_statuses(document):
    documented = {
        (method, path): set(operation["responses"])
        for method, path, operation in _operations(document)
    }
    assert documented == EXPECTED_STATUSES


def test_each_route_and_status_documents_its_error_codes(document, openapi_check):
    """Where one status carries several codes (403, 409), the route lists
    every code it may send with it, and no other."""
    for method, path, operation in _operations(document):
        for status in operation["responses"]:
            if status.startswith("2"):
                continue
            codes = openapi_check.documented_error_codes(method, path, status, document)
            expected = (
                SEVERAL_CODES.get((method, path, status))
                or STATUS_CODES.get(status)
                or {ONE_CODE[status]}
            )
            assert set(codes) == expected, f"{method} {path} {status}"


def test_error_codes_are_libs(document, errors):
    """Every code of lib/errors.py is in ErrorCode with its status; every
    error response allows only codes of its status."""
    classes = [
        cls
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.OrderApiError)
    ]
    assert {cls.code: cls.status for cls in classes} == schemas.ERROR_STATUSES
    code_schema = document["components"]["schemas"]["ErrorCode"]
    assert code_schema["enum"] == list(schemas.ERROR_STATUSES)
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            for code in resolve(document, response).get("x-error-codes", []):
                assert str(schemas.ERROR_STATUSES[code]) == status, (method, path)


def test_every_error_code_has_an_example(document):
    for name, response in document["components"]["responses"].items():
        media = response["content"]["application/json"]
        shown = {
            resolve(document, example)["value"]["error"]["code"]
            for example in media["examples"].values()
        }
        assert shown == set(response["x-error-codes"]), name


def test_headers(document):
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            response = resolve(document, response)
            headers = response.get("headers", {})
            where = f"{method} {path} {status}"
            assert headers["X-Request-Id"] == {
                "$ref": "#/components/headers/X-Request-Id"
            }, where
            if status == "401":
                assert resolve(document, headers["WWW-Authenticate"])["required"]
            if status == "405":
                assert resolve(document, headers["Allow"])["required"], where
            codes = set(response.get("x-error-codes", ()))
            retry_codes = [
                "idempotency_in_progress",
                "rate_limited",
                "concurrency_limited",
                "busy",
            ]
            if codes & set(retry_codes):
                retry = resolve(document, headers["Retry-After"])
                assert not retry["required"], where  # not with the other codes
                assert retry["x-required-for-error-codes"] == retry_codes, where
            if status in ("200", "201", "403", "429") and path != f"{API}/openapi.json":
                assert {"X-RateLimit-Limit", "X-RateLimit-Remaining"} <= set(headers)


def test_security_and_read_only_keys(document, openapi_check):
    """Bearer keys everywhere but the document; keys scoped
    ``partner_order_api.readonly`` open the GET routes and the routes that
    write nothing (``POST order/quote``) only: every other route documents
    403 ``insufficient_scope``."""
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for text in (document["info"]["description"], scheme["description"]):
        assert "`partner_order_api.readonly`" in text
        assert "GET routes" in text and "`insufficient_scope`" in text
    for operation in openapi.OPERATIONS:
        path, method = operation.full_path, operation.method
        spec = document["paths"][path][method.lower()]
        if not operation.authenticate:
            assert spec["security"] == [] and "401" not in spec["responses"]
            continue
        assert "security" not in spec and document["security"] == [{"bearerAuth": []}]
        codes = openapi_check.documented_error_codes(method, path, 403, document)
        assert ("insufficient_scope" in codes) is (not operation.readonly), path
        reads_only = method == "GET" or path == f"{API}/order/quote"
        assert operation.readonly is reads_only, path
        assert ((path, method) in openapi.READ_ONLY_POSTS) is (
            reads_only and method != "GET"
        )


def test_idempotency_key_on_the_idempotent_routes(document):
    idempotent = set()
    for method, path, operation in _operations(document):
        names = {resolve(document, p)["name"] for p in operation.get("parameters", [])}
        if "Idempotency-Key" in names:
            idempotent.add((method, path))
            (success,) = [s for s in operation["responses"] if s.startswith("2")]
            headers = operation["responses"][success]["headers"]
            assert "Idempotent-Replayed" in headers
    assert idempotent == {
        ("POST", f"{API}/order"),
        ("POST", f"{API}/order/cancel"),
        ("POST", f"{API}/orders/batch"),
    }
    replayed = document["components"]["headers"]["Idempotent-Replayed"]
    assert replayed["schema"]["enum"] == ["true"]


def test_webhooks_are_the_event_types(document):
    """One webhook per event type, each naming itself in the
    ``X-Webhook-Event`` header, signed the Standard Webhooks way; the event
    types are the webhook model's."""
    model = (REPO / "models" / "partner_order_api_webhook_event.py").read_text()
    assert 'EVENT_HEADER = "X-Webhook-Event"' in model
    for event in schemas.EVENT_TYPES:
        assert f'("{event}",' in model
    assert set(document["webhooks"]) == set(schemas.EVENT_TYPES)
    for event, item in document["webhooks"].items():
        operation = item["post"]
        parameters = {
            p["name"]: p
            for p in (resolve(document, p) for p in operation["parameters"])
        }
        assert set(parameters) == {
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature",
            "X-Webhook-Event",
        }, event
        assert all(p["in"] == "header" and p["required"] for p in parameters.values())
        assert parameters["X-Webhook-Event"]["schema"]["const"] == event
        assert f"`{event}`" in document["info"]["description"]


def test_sync_rule_is_documented(document):
    """GET orders tells how to sync with ``next_updated_since``, with the
    reader's own safety window (``order_reader.py``)."""
    reader = (REPO / "models" / "order_reader.py").read_text()
    window = int(re.search(r"^SYNC_SAFETY_WINDOW = (\d+)", reader, re.M).group(1))
    description = document["paths"][f"{API}/orders"]["get"]["description"]
    for words in (
        "sort=updated_asc&updated_since=",
        "`pagination.next_updated_since`",
        "page=1",
        "at least once",
        f"{window} seconds",
        "inclusive",
    ):
        assert words in description, words
    example = document["components"]["examples"]["OrderListSync"]["value"]
    next_since = example["pagination"]["next_updated_since"]
    assert next_since == example["orders"][-1]["updated_at"]
    updated = [order["updated_at"] for order in example["orders"]]
    assert updated == sorted(updated)
    assert f"updated_since={next_since}" in description


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
]


@pytest.mark.parametrize("body", BODY_SAMPLES)
def test_order_schema_agrees_with_the_parser(document, validation, body):
    schema_ok = _validator(document, "/components/schemas/OrderCreateRequest").is_valid(
        body
    )
    assert schema_ok == _accepts(
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
    schema_ok = _validator(document, "/components/schemas/OrderCancelRequest").is_valid(
        body
    )
    assert schema_ok == _accepts(
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
    assert query_ok == _accepts(
        validation, lambda: validation.parse_order_lookup(query)
    )


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
    schema_ok = _validator(document, "/components/schemas/WebhookPutRequest").is_valid(
        body
    )
    assert schema_ok == _accepts(validation, lambda: validation.parse_webhook_put(body))


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
        _validator(document, "/components/schemas/IdempotencyKey").is_valid(key)
        is valid
    )
    assert _accepts(validation, lambda: validation.parse_idempotency_key(key)) is valid


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
    parser_ok = _accepts(validation, lambda: validation.parse_orders_query({name: raw}))
    assert schema_ok == parser_ok


@pytest.mark.parametrize(
    "raw", ["2026-11-23 10:00:00", "2026-11-23T10:00", "2026-11-23T10:00:00+0100"]
)
def test_lenient_date_times_are_accepted_beyond_the_schema(document, validation, raw):
    assert not _query_schema_ok(document, "created_from", raw)
    assert _accepts(
        validation, lambda: validation.parse_orders_query({"created_from": raw})
    )


# ----------------------------------------------------------------------
# Examples
# ----------------------------------------------------------------------


def test_every_response_example_matches_its_schema(document, openapi_check):
    checked = 0
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            content = resolve(document, response)["content"]
            if "application/json" not in content:  # the PDF of order/document
                assert set(content) == {"application/pdf"}, (method, path)
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
    ("POST", f"{API}/order/quote"): "parse_order_payload",
    ("POST", f"{API}/orders/batch"): "parse_order_batch",
    ("PUT", f"{API}/webhook"): "parse_webhook_put",
}


def test_every_request_example_is_accepted(document, validation):
    checked = 0
    for method, path, operation in _operations(document):
        if "requestBody" not in operation:
            continue
        media = operation["requestBody"]["content"]["application/json"]
        pointer = media["schema"]["$ref"][1:]
        for example in media["examples"].values():
            value = resolve(document, example)["value"]
            assert _validator(document, pointer).is_valid(value), (method, path)
            getattr(validation, PARSERS[(method, path)])(value)
            checked += 1
    # 7 written for the document, 7 recorded on a server (docs/examples.json)
    assert checked == 14


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


# ----------------------------------------------------------------------
# tests/openapi_check.py
# ----------------------------------------------------------------------


def _order(**changes):
    order = {
        "biomes_order_id": "S00007",
        "external_order_id": None,
        "status": "confirmed",
        "delivery_order_name": None,
        "total_cost": 100.0,
        "total_tax": 19.0,
        "currency": "EUR",
        "sent_lots": [],
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-02T03:04:05.678901Z",
        "note": None,
        "delivery_address": {
            "name": "ACME",
            "street": "Road 1",
            "street2": None,
            "zip": "1000",
            "city": "Town",
            "country_code": "DE",
        },
        "lines": [
            {
                "ean": None,
                "product_name": "Sensor",
                "default_code": None,
                "quantity": 1.0,
                "delivered_quantity": 0.0,
                "open_quantity": 1.0,
                "unit_price": 100.0,
                "subtotal": 100.0,
            }
        ],
        "tracking": [],
        "deliveries": [],
        "invoices": [],
        "added_later": "allowed",
    }
    for key, value in changes.items():
        if value is KeyError:
            del order[key]
        else:
            order[key] = value
    return order


TRACKING = {
    "delivery_order_name": "WH/OUT/00001",
    "carrier": None,
    "tracking_ref": None,
    "date_done": "2026-01-03T03:04:05Z",
}


def _without(mapping, key):
    return {k: v for k, v in mapping.items() if k != key}


def _orders_body(*orders, **pagination):
    return {
        "success": True,
        "orders": list(orders),
        "pagination": {
            "page": 1,
            "page_size": 20,
            "total_count": len(orders),
            "total_pages": 1,
            "has_next": False,
            "has_previous": False,
            **pagination,
        },
    }


HEADERS = {"x-request-id": "abc"}


def test_check_accepts_a_well_formed_orders_body(openapi_check, document):
    openapi_check.validate_response(
        "GET", f"{API}/orders", 200, _orders_body(_order(), _order()), HEADERS, document
    )
    openapi_check.validate_response(
        "get", f"{API}/orders", "200", _orders_body(), HEADERS
    )
    tracked = _order(
        status="shipped", note="Ring twice.\nThanks", tracking=[TRACKING, TRACKING]
    )
    sync = _orders_body(tracked, next_updated_since="2026-01-02T03:04:05.678901Z")
    openapi_check.validate_response("GET", f"{API}/orders", 200, sync, HEADERS)
    openapi_check.validate_response(
        "GET", f"{API}/orders", 200, _orders_body(_order(updated_at=None)), HEADERS
    )


def test_check_loads_the_served_document_by_default(openapi_check, document):
    assert openapi_check.load_document() == document
    assert openapi_check.load_document() is openapi_check.load_document()


def test_check_accepts_order_status_created_and_cancelled_order(openapi_check):
    body = dict({"success": True}, **_order())
    openapi_check.validate_response("GET", f"{API}/order_status", 200, body, HEADERS)
    openapi_check.validate_response("POST", f"{API}/order", 201, body, HEADERS)
    replayed = dict(HEADERS, **{"Idempotent-Replayed": "true"})
    openapi_check.validate_response("POST", f"{API}/order", 201, body, replayed)
    cancelled = dict(body, status="cancelled")
    openapi_check.validate_response(
        "POST", f"{API}/order/cancel", 200, cancelled, replayed
    )
    with pytest.raises(AssertionError, match="Idempotent-Replayed: 'false'"):
        openapi_check.validate_response(
            "POST",
            f"{API}/order",
            201,
            body,
            dict(HEADERS, **{"Idempotent-Replayed": "false"}),
        )


@pytest.mark.parametrize(
    ("method", "path", "status", "body", "headers", "reason"),
    [
        (
            "GET",
            f"{API}/orders",
            201,
            _orders_body(),
            HEADERS,
            "status 201 is not documented",
        ),
        (
            "POST",
            f"{API}/order",
            200,
            {"success": True, **_order()},
            HEADERS,
            "not documented",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(sent_lots=KeyError)),
            HEADERS,
            "sent_lots",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(total_cost="100.0")),
            HEADERS,
            "number",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(status="draft")),
            HEADERS,
            "draft",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(created_at="2026-01-02T04:04:05+01:00")),
            HEADERS,
            "created_at",
        ),
        (
            "GET",
            f"{API}/order_status",
            200,
            {"success": False, **_order()},
            HEADERS,
            "True was expected",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(updated_at="2026-01-02T03:04:05Z")),
            HEADERS,
            "updated_at",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(note=KeyError)),
            HEADERS,
            "'note' is a required property",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(tracking=[_without(TRACKING, "carrier")])),
            HEADERS,
            "'carrier' is a required property",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(tracking=None)),
            HEADERS,
            "tracking",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(next_updated_since="2026-01-02T03:04:05Z"),
            HEADERS,
            "next_updated_since",
        ),
        ("GET", f"{API}/nope", 200, {"success": True}, HEADERS, "not documented"),
        (
            "GET",
            "/partner_order_api",
            404,
            {"success": True},
            HEADERS,
            "not documented",
        ),
        ("DELETE", f"{API}/orders", 200, _orders_body(), HEADERS, "DELETE"),
        ("GET", f"{API}/orders", 200, _orders_body(), {}, "X-Request-Id"),
    ],
)
def test_check_rejects(openapi_check, method, path, status, body, headers, reason):
    with pytest.raises(AssertionError, match=reason):
        openapi_check.validate_response(method, path, status, body, headers)


def _error(code, message="Nope."):
    return {"success": False, "error": {"code": code, "message": message}}


def test_check_error_bodies(openapi_check):
    check = openapi_check.validate_response
    unauthorized = {"X-Request-Id": "1", "WWW-Authenticate": "Bearer"}
    check("GET", f"{API}/orders", 401, _error("unauthorized"), unauthorized)
    with pytest.raises(AssertionError, match="WWW-Authenticate"):
        check("GET", f"{API}/orders", 401, _error("unauthorized"), HEADERS)
    with pytest.raises(AssertionError, match="'forbidden' is not documented"):
        check("GET", f"{API}/orders", 401, _error("forbidden"), unauthorized)
    check("POST", f"{API}/order", 403, _error("product_not_allowed"), HEADERS)
    with pytest.raises(AssertionError, match="documented: forbidden"):
        check(
            "GET",
            f"{API}/available_products",
            403,
            _error("product_not_allowed"),
            HEADERS,
        )
    with pytest.raises(AssertionError, match="'nonsense' is not documented"):
        check("GET", f"{API}/orders", 400, _error("nonsense"), HEADERS)
    details = dict(_error("validation_error"))
    details["error"] = dict(details["error"], details=[{"field": "page"}])
    with pytest.raises(AssertionError, match="'message' is a required property"):
        check("GET", f"{API}/orders", 400, details, HEADERS)
    with pytest.raises(AssertionError, match="status 404 is not documented"):
        check("GET", f"{API}/orders", 404, _error("not_found"), HEADERS)


def test_check_405_for_an_undocumented_method(openapi_check):
    """A route answers 405 for every method it does not take: checked
    against the path's documented 405."""
    check = openapi_check.validate_response
    allow = {"X-Request-Id": "1", "Allow": "GET"}
    check("PUT", f"{API}/orders", 405, _error("method_not_allowed"), allow)
    with pytest.raises(AssertionError, match="Allow"):
        check("PUT", f"{API}/orders", 405, _error("method_not_allowed"), HEADERS)
    with pytest.raises(AssertionError, match="'not_found' is not documented"):
        check("PUT", f"{API}/orders", 405, _error("not_found"), allow)


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "documented"),
    [
        ("POST", f"{API}/order", 403, "forbidden", True),
        ("POST", f"{API}/order", 403, "product_not_allowed", True),
        ("POST", f"{API}/order", 403, "insufficient_scope", True),
        ("POST", f"{API}/order", 409, "duplicate_external_order_id", True),
        ("POST", f"{API}/order", 409, "idempotency_key_reused", True),
        ("POST", f"{API}/order", 409, "not_cancellable", False),
        ("POST", f"{API}/order/cancel", 403, "insufficient_scope", True),
        ("POST", f"{API}/order/cancel", 403, "product_not_allowed", False),
        ("POST", f"{API}/order/cancel", 409, "not_cancellable", True),
        ("POST", f"{API}/order/cancel", 409, "idempotency_key_reused", True),
        ("POST", f"{API}/order/cancel", 409, "duplicate_external_order_id", False),
        ("POST", f"{API}/order/cancel", 404, "not_found", True),
        ("PUT", f"{API}/webhook", 403, "insufficient_scope", True),
        ("DELETE", f"{API}/webhook", 403, "insufficient_scope", True),
        ("POST", f"{API}/webhook/test", 403, "insufficient_scope", True),
        ("GET", f"{API}/webhook", 403, "insufficient_scope", False),
        ("GET", f"{API}/orders", 403, "insufficient_scope", False),
        ("GET", f"{API}/order_status", 403, "insufficient_scope", False),
        ("GET", f"{API}/available_products", 403, "insufficient_scope", False),
    ],
)
def test_check_error_codes_per_route_and_status(
    openapi_check, method, path, status, code, documented
):
    """A status with several codes accepts each code listed for that route
    and status, and no other."""
    check = openapi_check.validate_response
    if documented:
        check(method, path, status, _error(code), HEADERS)
    else:
        with pytest.raises(AssertionError, match=f"'{code}' is not documented"):
            check(method, path, status, _error(code), HEADERS)


def test_check_retry_after_with_idempotency_in_progress(openapi_check):
    """Retry-After is required with ``idempotency_in_progress`` and
    ``rate_limited`` only, and a whole number of seconds."""
    check = openapi_check.validate_response
    in_progress = _error("idempotency_in_progress")
    retry = dict(HEADERS, **{"Retry-After": "1"})
    for path in (f"{API}/order", f"{API}/order/cancel"):
        check("POST", path, 409, in_progress, retry)
        with pytest.raises(AssertionError, match="header Retry-After is missing"):
            check("POST", path, 409, in_progress, HEADERS)
        with pytest.raises(AssertionError, match="Retry-After: 'soon'"):
            check("POST", path, 409, in_progress, {**HEADERS, "retry-after": "soon"})
        check("POST", path, 409, _error("idempotency_key_reused"), HEADERS)
    check("POST", f"{API}/order/cancel", 409, _error("not_cancellable"), HEADERS)
    check("POST", f"{API}/order", 409, _error("duplicate_external_order_id"), HEADERS)
    check("GET", f"{API}/orders", 429, _error("rate_limited"), retry)
    with pytest.raises(AssertionError, match="header Retry-After is missing"):
        check("GET", f"{API}/orders", 429, _error("rate_limited"), HEADERS)


def test_documented_error_codes(openapi_check, document):
    codes = openapi_check.documented_error_codes
    assert codes("POST", f"{API}/order/cancel", 409) == [
        "not_cancellable",
        "idempotency_key_reused",
        "idempotency_in_progress",
    ]
    assert codes("GET", f"{API}/orders", "401", document) == ["unauthorized"]
    assert codes("POST", f"{API}/order", 201) is None
    with pytest.raises(AssertionError, match="status 409 is not documented"):
        codes("GET", f"{API}/orders", 409)


# ----------------------------------------------------------------------
# GET order/document: a PDF, not JSON
# ----------------------------------------------------------------------


def test_order_document_is_a_pdf_download(document):
    operation = document["paths"][f"{API}/order/document"]["get"]
    assert operation["operationId"] == "getOrderDocument"
    ok = operation["responses"]["200"]
    assert ok["content"] == {
        "application/pdf": {"schema": {"$ref": "#/components/schemas/PdfDocument"}}
    }
    assert document["components"]["schemas"]["PdfDocument"]["format"] == "binary"
    disposition = resolve(document, ok["headers"]["Content-Disposition"])
    assert disposition["required"]
    assert re.fullmatch(disposition["schema"]["pattern"], disposition["example"])
    # errors stay JSON, with the shared responses
    assert operation["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}
    unavailable = resolve(document, operation["responses"]["503"])
    assert unavailable["x-error-codes"] == ["document_unavailable", "busy"]
    retry = resolve(document, unavailable["headers"]["Retry-After"])
    assert "busy" in retry["x-required-for-error-codes"]
    names = {p["name"]: p for p in operation["parameters"]}
    assert set(names) == {
        "identifiedBy",
        "order_id",
        "type",
        "invoice_number",
        "delivery_order_name",
    }
    assert names["type"]["required"] and names["type"]["schema"]["enum"] == [
        "invoice",
        "delivery_slip",
        "order",
    ]
    assert not names["invoice_number"]["required"]
    assert not names["delivery_order_name"]["required"]


def test_check_accepts_a_pdf_with_its_headers_only(openapi_check, document):
    path = f"{API}/order/document"
    headers = dict(
        HEADERS, **{"content-disposition": 'attachment; filename="S00042.pdf"'}
    )
    openapi_check.validate_response("GET", path, 200, None, headers, document)
    for bad in ({}, {"content-disposition": "inline"}):
        with pytest.raises(AssertionError, match="Content-Disposition"):
            openapi_check.validate_response(
                "GET", path, 200, None, dict(HEADERS, **bad), document
            )
    openapi_check.validate_response(
        "GET",
        path,
        503,
        {
            "success": False,
            "error": {"code": "document_unavailable", "message": "No wkhtmltopdf."},
        },
        HEADERS,
        document,
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
    parser_ok = _accepts(
        validation, lambda: validation.parse_order_document_query(params)
    )
    assert schema_ok == parser_ok
