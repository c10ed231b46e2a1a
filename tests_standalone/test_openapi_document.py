# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""static/openapi.json: what lib/openapi.py generates from the models of
lib/schemas.py, a valid OpenAPI 3.1 document that says what the contract
says and that client generators can use. That its request schemas allow
exactly what the parsers accept, and that its examples hold:
test_openapi_schemas.py; tests/openapi_check.py, which holds answers against
it: test_openapi_check.py."""

import copy
import re

from conftest import REPO, load_lib
from openapi_helpers import API, operations, resolve
from openapi_spec_validator import validate as validate_openapi

openapi = load_lib("openapi")
schemas = load_lib("schemas")


# The contract's statuses, route by route.
# 400: every route refuses a query parameter it does not declare
COMMON = {"400", "401", "403", "405", "429", "500"}
EXPECTED_STATUSES = {
    ("GET", f"{API}/available_products"): {"200", "409"} | COMMON,
    ("GET", f"{API}/orders"): {"200", "400"} | COMMON,
    ("GET", f"{API}/order_status"): {"200", "400", "404"} | COMMON,
    ("GET", f"{API}/order/document"): {"200", "400", "404", "409", "503"} | COMMON,
    ("POST", f"{API}/order"): {"201", "400", "404", "409"} | COMMON,
    ("POST", f"{API}/order/cancel"): {"200", "400", "404", "409"} | COMMON,
    ("POST", f"{API}/order/return"): {"201", "400", "404", "409"} | COMMON,
    ("POST", f"{API}/order/quote"): {"200", "400", "404", "409"} | COMMON,
    ("POST", f"{API}/order/change"): {"200", "400", "404", "409"} | COMMON,
    ("POST", f"{API}/order/change/quote"): {"200", "400", "404", "409"} | COMMON,
    ("GET", f"{API}/carriers"): {"200"} | COMMON,
    ("GET", f"{API}/addresses"): {"200"} | COMMON,
    ("GET", f"{API}/account"): {"200"} | COMMON,
    ("POST", f"{API}/orders/batch"): {"200", "400", "409"} | COMMON,
    ("GET", f"{API}/webhook"): {"200"} | COMMON,
    ("PUT", f"{API}/webhook"): {"200", "400", "422"} | COMMON,
    ("DELETE", f"{API}/webhook"): {"200"} | COMMON,
    ("POST", f"{API}/webhook/test"): {"200", "400", "409", "422"} | COMMON,
    ("POST", f"{API}/webhook/rotate_secret"): {"200"} | COMMON,
    ("GET", f"{API}/webhook/endpoints"): {"200"} | COMMON,
    ("POST", f"{API}/webhook/endpoints"): {"201", "409", "422"} | COMMON,
    ("PUT", f"{API}/webhook/endpoints/{{endpoint_id}}"): {"200", "404", "422"} | COMMON,
    ("DELETE", f"{API}/webhook/endpoints/{{endpoint_id}}"): {"200", "404"} | COMMON,
    ("POST", f"{API}/webhook/endpoints/{{endpoint_id}}/rotate_secret"): {"200", "404"}
    | COMMON,
    ("POST", f"{API}/webhook/endpoints/{{endpoint_id}}/test"): {
        "200",
        "404",
        "409",
        "422",
    }
    | COMMON,
    ("GET", f"{API}/webhook/events"): {"200"} | COMMON,
    ("POST", f"{API}/webhook/events/redeliver"): {"202", "404"} | COMMON,
    ("GET", f"{API}/openapi.json"): {"200", "400", "405", "500"},
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
    "422": "webhook_url_rejected",
}
# statuses every route answers with several codes (fair use)
STATUS_CODES = {"429": {"rate_limited", "concurrency_limited"}}
IDEMPOTENCY_CODES = {"idempotency_key_reused", "idempotency_in_progress"}
WRITE_FORBIDDEN = {"forbidden", "insufficient_scope"}
SEVERAL_CODES = {
    ("POST", f"{API}/webhook/events/redeliver", "403"): WRITE_FORBIDDEN,
    ("POST", f"{API}/webhook/test", "409"): {"webhook_not_set"},
    ("POST", f"{API}/webhook/endpoints", "409"): {"webhook_endpoint_limit"},
    ("POST", f"{API}/webhook/endpoints/{{endpoint_id}}/test", "409"): {
        "webhook_not_set"
    },
    ("POST", f"{API}/webhook/endpoints", "403"): WRITE_FORBIDDEN,
    ("PUT", f"{API}/webhook/endpoints/{{endpoint_id}}", "403"): WRITE_FORBIDDEN,
    ("DELETE", f"{API}/webhook/endpoints/{{endpoint_id}}", "403"): WRITE_FORBIDDEN,
    ("POST", f"{API}/webhook/endpoints/{{endpoint_id}}/rotate_secret", "403"): (
        WRITE_FORBIDDEN
    ),
    ("POST", f"{API}/webhook/endpoints/{{endpoint_id}}/test", "403"): WRITE_FORBIDDEN,
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
    ("POST", f"{API}/order/change", "403"): WRITE_FORBIDDEN | {"product_not_allowed"},
    ("POST", f"{API}/order/change", "409"): IDEMPOTENCY_CODES
    | {"not_changeable", "not_configured"},
    # a dry run writes nothing: read-only keys may ask for one
    ("POST", f"{API}/order/change/quote", "403"): {"forbidden", "product_not_allowed"},
    ("POST", f"{API}/order/change/quote", "409"): {"not_changeable", "not_configured"},
    ("POST", f"{API}/orders/batch", "409"): IDEMPOTENCY_CODES,
    ("POST", f"{API}/order/cancel", "409"): IDEMPOTENCY_CODES | {"not_cancellable"},
    ("POST", f"{API}/order/return", "403"): WRITE_FORBIDDEN,
    ("POST", f"{API}/order/return", "409"): IDEMPOTENCY_CODES | {"not_returnable"},
    ("PUT", f"{API}/webhook", "403"): WRITE_FORBIDDEN,
    ("DELETE", f"{API}/webhook", "403"): WRITE_FORBIDDEN,
    ("POST", f"{API}/webhook/test", "403"): WRITE_FORBIDDEN,
    ("POST", f"{API}/webhook/rotate_secret", "403"): WRITE_FORBIDDEN,
    # no wkhtmltopdf, or every PDF render slot taken
    ("GET", f"{API}/order/document", "503"): {"document_unavailable", "busy"},
    # an e-invoice Odoo cannot make until the seller completes its data
    ("GET", f"{API}/order/document", "409"): {"not_configured"},
}


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
    for method, path, operation in operations(document):
        where = f"{method} {path}"
        bodies = [operation.get("requestBody")] + list(operation["responses"].values())
        for body in filter(None, bodies):
            if "$ref" in body:
                assert body["$ref"].startswith("#/components/responses/"), where
                body = resolve(document, body)
            # JSON; order/document: PDF or XML; POST order and order/quote:
            # JSON or a UBL Order
            for media in body["content"].values():
                assert set(media["schema"]) == {"$ref"}, where
                assert media["schema"]["$ref"].startswith("#/components/schemas/"), (
                    where
                )
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
        for method, path, operation in operations(document)
    }
    assert documented == EXPECTED_STATUSES


def test_each_route_and_status_documents_its_error_codes(document, openapi_check):
    """Where one status carries several codes (403, 409), the route lists
    every code it may send with it, and no other."""
    for method, path, operation in operations(document):
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
    for method, path, operation in operations(document):
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
    for method, path, operation in operations(document):
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
        reads_only = method == "GET" or path in (
            f"{API}/order/quote",
            f"{API}/order/change/quote",
        )
        assert operation.readonly is reads_only, path
        assert ((path, method) in openapi.READ_ONLY_POSTS) is (
            reads_only and method != "GET"
        )


def test_idempotency_key_on_the_idempotent_routes(document):
    idempotent = set()
    for method, path, operation in operations(document):
        names = {resolve(document, p)["name"] for p in operation.get("parameters", [])}
        if "Idempotency-Key" in names:
            idempotent.add((method, path))
            (success,) = [s for s in operation["responses"] if s.startswith("2")]
            headers = operation["responses"][success]["headers"]
            assert "Idempotent-Replayed" in headers
    assert idempotent == {
        ("POST", f"{API}/order"),
        ("POST", f"{API}/order/cancel"),
        ("POST", f"{API}/order/change"),
        ("POST", f"{API}/order/return"),
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
    assert 'SEQUENCE_HEADER = "X-Webhook-Sequence"' in model
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
        } | ({"X-Webhook-Sequence"} if event != "ping" else set()), event
        # X-Webhook-Sequence: per order and endpoint (absent on older events)
        sequence = parameters.pop("X-Webhook-Sequence", None)
        assert sequence is None or sequence["schema"]["minimum"] == 1
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
# GET order/document: a PDF, not JSON
# ----------------------------------------------------------------------


def test_order_document_is_a_pdf_download(document):
    operation = document["paths"][f"{API}/order/document"]["get"]
    assert operation["operationId"] == "getOrderDocument"
    ok = operation["responses"]["200"]
    assert ok["content"] == {
        "application/pdf": {"schema": {"$ref": "#/components/schemas/PdfDocument"}},
        # type=invoice_xml (an e-invoice) and type=despatch_advice
        "application/xml": {"schema": {"$ref": "#/components/schemas/XmlDocument"}},
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
        "format",
    }
    assert names["type"]["required"] and names["type"]["schema"]["enum"] == [
        "invoice",
        "delivery_slip",
        "order",
        "invoice_xml",
        "despatch_advice",
    ]
    # required with type=invoice_xml only: the parser says so (400)
    assert not names["format"]["required"]
    assert names["format"]["schema"]["enum"] == ["ubl_bis3", "xrechnung", "facturx"]
    assert not names["invoice_number"]["required"]
    assert not names["delivery_order_name"]["required"]


def test_api_version_is_the_release_after_odoos_series():
    """``X-API-Version`` (and the README's policy): the two numbers after
    ``18.0``, whatever the patch level."""
    openapi = load_lib("openapi")
    assert openapi.api_version("18.0.1.6.0") == "1.6"
    assert openapi.api_version("18.0.2.0.3") == "2.0"
    assert openapi.api_version() == ".".join(openapi.manifest_version().split(".")[2:4])
