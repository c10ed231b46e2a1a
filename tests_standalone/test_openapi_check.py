# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""tests/openapi_check.py, which the Odoo and live suites use to hold every
answer against static/openapi.json: it accepts well-formed answers and
refuses the others, saying why."""

import pytest
from openapi_helpers import API


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
            "state_code": None,
            "phone": None,
            "email": None,
            "company_name": None,
        },
        "shipping": None,
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
                "customer_reference": None,
                "expected_date": None,
                "available_now": False,
            }
        ],
        "requested_delivery_date": None,
        "ship_complete": False,
        "tracking": [],
        "deliveries": [],
        "invoices": [],
        "returns": [],
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


HEADERS = {"x-request-id": "abc", "x-api-version": "1.6"}


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
    unauthorized = {
        "X-Request-Id": "1",
        "X-API-Version": "1.6",
        "WWW-Authenticate": "Bearer",
    }
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
    allow = {"X-Request-Id": "1", "X-API-Version": "1.6", "Allow": "GET"}
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


# GET order/document: a PDF, not JSON


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
