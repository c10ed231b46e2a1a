# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""lib/errors.py: one class per error code of the contract, each with its
HTTP status, and the JSON envelope they become."""

import inspect
import json

import pytest

# The contract's table (API-CONTRACT.md, "Envelope"): code -> HTTP status.
CONTRACT = {
    "validation_error": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "product_not_allowed": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "duplicate_external_order_id": 409,
    # API-CONTRACT.md, "Beyond the original document"
    "insufficient_scope": 403,
    "idempotency_key_reused": 409,
    "idempotency_in_progress": 409,
    "not_cancellable": 409,
    "not_changeable": 409,
    # issue 23 (the seller's setup: no warehouse, no pricelist)
    "not_configured": 409,
    "rate_limited": 429,
    "internal_error": 500,
    # issue 15 (order/document: no wkhtmltopdf); to be added to API-CONTRACT.md
    "document_unavailable": 503,
    # API-CONTRACT.md, "Next additions" (fair use)
    "concurrency_limited": 429,
    "busy": 503,
    # API-CONTRACT.md, "Next additions" (after the order is placed)
    "not_returnable": 409,
    # API-CONTRACT.md, "Next additions" (self-service)
    "webhook_not_set": 409,
    "webhook_url_rejected": 422,
    # issue 29 (several webhook endpoints: the 6th)
    "webhook_endpoint_limit": 409,
}

CLASSES = {
    "OrderApiError": "internal_error",
    "ValidationError": "validation_error",
    "Unauthorized": "unauthorized",
    "Forbidden": "forbidden",
    "ProductNotAllowed": "product_not_allowed",
    "NotFound": "not_found",
    "MethodNotAllowed": "method_not_allowed",
    "DuplicateExternalOrderId": "duplicate_external_order_id",
    "InsufficientScope": "insufficient_scope",
    "IdempotencyKeyReused": "idempotency_key_reused",
    "IdempotencyInProgress": "idempotency_in_progress",
    "NotCancellable": "not_cancellable",
    "NotChangeable": "not_changeable",
    "NotReturnable": "not_returnable",
    "NotConfigured": "not_configured",
    "InternalError": "internal_error",
    "DocumentUnavailable": "document_unavailable",
    "ConcurrencyLimited": "concurrency_limited",
    "Busy": "busy",
}


def _error_classes(errors):
    return [
        cls
        for _name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.OrderApiError)
    ]


@pytest.mark.parametrize(("name", "code"), sorted(CLASSES.items()))
def test_class_code_and_status(errors, name, code):
    cls = getattr(errors, name)
    assert (cls.code, cls.status) == (code, CONTRACT[code])


def test_every_error_class_follows_the_contract_table(errors):
    for cls in _error_classes(errors):
        assert cls.code in CONTRACT, cls
        assert cls.status == CONTRACT[cls.code], cls
        assert cls.default_message


def test_every_contract_code_has_a_class(errors):
    assert {cls.code for cls in _error_classes(errors)} == set(CONTRACT)


def test_default_envelope(errors):
    exc = errors.OrderApiError()
    assert isinstance(exc, Exception)
    assert exc.to_dict() == {
        "success": False,
        "error": {"code": "internal_error", "message": "An unexpected error occurred."},
    }
    assert str(exc) == exc.message
    assert exc.headers == {}


@pytest.mark.parametrize("name", sorted(set(CLASSES) - {"MethodNotAllowed"}))
def test_default_message_and_no_details(errors, name):
    exc = getattr(errors, name)()
    body = exc.to_dict()
    assert body == {
        "success": False,
        "error": {"code": CLASSES[name], "message": exc.default_message},
    }
    assert "details" not in body["error"]


def test_envelope_with_details(errors):
    details = [
        {"field": "amount", "message": "Amount must be greater than zero"},
        {
            "field": "delivery_address.city",
            "message": "delivery_address.city is required.",
        },
    ]
    exc = errors.ValidationError("Bad.", details=details)
    body = exc.to_dict()
    assert body == {
        "success": False,
        "error": {"code": "validation_error", "message": "Bad.", "details": details},
    }
    json.dumps(body)  # serializable as it is
    body["error"]["details"].append({"field": "x", "message": "y"})
    assert len(exc.details) == 2


def test_message_overrides_the_default(errors):
    assert (
        errors.NotFound("No order S1.").to_dict()["error"]["message"] == "No order S1."
    )


def test_from_details_first_detail_is_the_message(errors):
    details = [
        {
            "field": "delivery_address.zip",
            "message": "delivery_address.zip is required.",
        },
        {"field": "ean", "message": "ean must be a string."},
    ]
    exc = errors.ValidationError.from_details(details)
    assert exc.message == "delivery_address.zip is required."
    assert exc.details == details
    assert exc.status == 400


def test_from_details_names_the_field_when_the_message_does_not(errors):
    exc = errors.ValidationError.from_details(
        [{"field": "page", "message": "Too big."}]
    )
    assert exc.message == "page: Too big."


def test_unauthorized_carries_www_authenticate(errors):
    exc = errors.Unauthorized()
    assert exc.headers == {"WWW-Authenticate": 'Bearer realm="partner_order_api"'}
    assert exc.to_dict()["error"]["code"] == "unauthorized"
    extra = {"X-Extra": "1"}
    exc = errors.Unauthorized("Revoked.", headers=extra)
    assert exc.headers["WWW-Authenticate"].startswith("Bearer ")
    assert exc.headers["X-Extra"] == "1"
    assert extra == {"X-Extra": "1"}  # the caller's dict is not changed


def test_other_errors_carry_no_www_authenticate(errors):
    for cls in _error_classes(errors):
        if cls is errors.Unauthorized or cls is errors.MethodNotAllowed:
            continue
        assert "WWW-Authenticate" not in cls().headers, cls


def test_idempotency_in_progress_asks_to_retry_after_one_second(errors):
    exc = errors.IdempotencyInProgress()
    assert exc.headers == {"Retry-After": "1"}
    assert (exc.status, exc.code) == (409, "idempotency_in_progress")
    assert "Retry-After" not in exc.to_dict()["error"]
    exc = errors.IdempotencyInProgress("Wait.", headers={"X-Extra": "1"})
    assert exc.headers == {"Retry-After": "1", "X-Extra": "1"}
    assert exc.message == "Wait."
    assert errors.IdempotencyInProgress(headers={"Retry-After": "3"}).headers == {
        "Retry-After": "3"
    }


def test_only_idempotency_in_progress_carries_retry_after(errors):
    for cls in _error_classes(errors):
        if cls in (
            errors.IdempotencyInProgress,
            errors.MethodNotAllowed,
            errors.RateLimited,
            errors.ConcurrencyLimited,
            errors.Busy,
        ):
            continue
        assert "Retry-After" not in cls().headers, cls


def test_method_not_allowed_sets_allow_sorted(errors):
    exc = errors.MethodNotAllowed({"PUT", "GET", "DELETE"})
    assert exc.headers == {"Allow": "DELETE, GET, PUT"}
    assert exc.status == 405
    assert exc.message == "Method not allowed; use DELETE, GET, PUT."
    assert exc.to_dict() == {
        "success": False,
        "error": {"code": "method_not_allowed", "message": exc.message},
    }
    assert errors.MethodNotAllowed(["POST"], "Use POST.").message == "Use POST."
