# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The contract's errors: one exception class per error code.

The service raises them; ``error_handlers.py`` turns them into the JSON
envelope ``{"success": false, "error": {"code", "message", "details"?}}``
with the class' HTTP status. Nothing else decides a status code.
"""


class OrderApiError(Exception):
    status = 500
    code = "internal_error"
    default_message = "An unexpected error occurred."

    def __init__(self, message=None, details=None, headers=None):
        self.message = message or self.default_message
        self.details = details or []
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def to_dict(self):
        error = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = list(self.details)
        return {"success": False, "error": error}


class ValidationError(OrderApiError):
    status = 400
    code = "validation_error"
    default_message = "The request is invalid."

    @classmethod
    def from_details(cls, details):
        """One error for a list of ``{"field", "message"}``; the first one
        becomes the message so that a client printing only ``message`` knows
        which field to fix."""
        first = details[0]
        message = first["message"]
        if first.get("field") and first["field"].lower() not in message.lower():
            message = f"{first['field']}: {message}"
        return cls(message, details=details)


class WebhookUrlRejected(ValidationError):
    """A well-formed webhook URL the server will not call: plain http where
    only https is allowed, a host that does not resolve, or one on a
    private, loopback or link-local address. The server's policy and the
    world's state, not malformed input: 422, never 400. (A subclass of
    ``ValidationError``, so the code that refuses a URL either way stays
    one ``except``.)"""

    status = 422
    code = "webhook_url_rejected"
    default_message = "The server will not call this webhook URL."


class WebhookNotSet(OrderApiError):
    """``POST webhook/test`` while the partner has no webhook URL: a state
    conflict (PUT one first)."""

    status = 409
    code = "webhook_not_set"
    default_message = "No webhook URL is set: PUT one first."


class WebhookEndpointLimit(OrderApiError):
    """``POST webhook/endpoints`` when the partner has as many endpoints as
    it may (in the API company): a state conflict (delete one first)."""

    status = 409
    code = "webhook_endpoint_limit"
    default_message = "The partner has as many webhook endpoints as it may."

    def __init__(self, limit=None, message=None):
        super().__init__(
            message
            or (
                f"A partner has at most {limit} webhook endpoints: delete one first."
                if limit
                else None
            )
        )


class Unauthorized(OrderApiError):
    status = 401
    code = "unauthorized"
    default_message = "A valid API key is required: send 'Authorization: Bearer <key>'."

    def __init__(self, message=None, details=None, headers=None):
        headers = {
            "WWW-Authenticate": 'Bearer realm="partner_order_api"',
            **(headers or {}),
        }
        super().__init__(message, details, headers)


class Forbidden(OrderApiError):
    status = 403
    code = "forbidden"
    default_message = "This partner is not enabled for the Partner Order API."


class ProductNotAllowed(OrderApiError):
    status = 403
    code = "product_not_allowed"
    default_message = "This EAN is unknown or not allowed for this partner."


class NotFound(OrderApiError):
    status = 404
    code = "not_found"
    default_message = "Not found."


class MethodNotAllowed(OrderApiError):
    status = 405
    code = "method_not_allowed"
    default_message = "Method not allowed."

    def __init__(self, allowed, message=None):
        allowed = sorted(allowed)
        super().__init__(
            message or f"Method not allowed; use {', '.join(allowed)}.",
            headers={"Allow": ", ".join(allowed)},
        )


class DuplicateExternalOrderId(OrderApiError):
    status = 409
    code = "duplicate_external_order_id"
    default_message = "This external_order_id is already used by this partner."

    @classmethod
    def of(cls, external_id):
        """The error for ``external_id``: raised wherever a used id is found
        (the check before the INSERT, the unique index a concurrent request
        met first, the quote, an item of a batch)."""
        return cls(
            f"external_order_id {external_id!r} is already used by this partner."
        )


class InsufficientScope(OrderApiError):
    status = 403
    code = "insufficient_scope"
    default_message = (
        "This API key is read-only: it cannot be used on a route that writes."
    )


class IdempotencyKeyReused(OrderApiError):
    status = 409
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used with a different request."


class IdempotencyInProgress(OrderApiError):
    status = 409
    code = "idempotency_in_progress"
    default_message = "The first request with this Idempotency-Key is still running; retry in a moment."

    def __init__(self, message=None, details=None, headers=None):
        super().__init__(message, details, {"Retry-After": "1", **(headers or {})})


class NotCancellable(OrderApiError):
    status = 409
    code = "not_cancellable"
    default_message = "This order can no longer be cancelled."


class NotChangeable(OrderApiError):
    """``POST order/change``: what would change is already shipped, picked
    or invoiced, or the order is cancelled, locked or not the API's; the
    message names the blocking documents (``partner_order_api_orders_change.py``)."""

    status = 409
    code = "not_changeable"
    default_message = "This order can no longer be changed."


class NotReturnable(OrderApiError):
    """``POST order/return`` asks for what the order cannot give back: more
    than was delivered and not yet returned, a lot that did not leave on
    this order or came back already, an EAN not delivered on it."""

    status = 409
    code = "not_returnable"
    default_message = "These goods cannot be returned on this order."


class NotConfigured(OrderApiError):
    """The seller's Odoo is not set up for this order in the API company (no
    warehouse, no pricelist for the partner...): the server's condition, not
    the client's input; the message says what is missing, for the seller's
    administrator."""

    status = 409
    code = "not_configured"
    default_message = "The seller's Odoo is not set up for this order: ask the seller."


class RateLimited(OrderApiError):
    status = 429
    code = "rate_limited"
    default_message = (
        "Too many requests: slow down and retry after the time in Retry-After."
    )

    def __init__(self, retry_after=1, message=None):
        super().__init__(message, headers={"Retry-After": str(retry_after)})


class ConcurrencyLimited(OrderApiError):
    """The partner already has its maximum of requests in flight (all its
    users and keys together, on every worker and server)."""

    status = 429
    code = "concurrency_limited"
    default_message = (
        "Too many requests of this partner are running at once: wait for one "
        "to finish and retry after the time in Retry-After."
    )

    def __init__(self, retry_after=1, message=None):
        super().__init__(message, headers={"Retry-After": str(retry_after)})


class Busy(OrderApiError):
    """Every server-wide slot for this expensive work (PDF rendering) is
    taken: the server's condition, to be retried shortly."""

    status = 503
    code = "busy"
    default_message = (
        "The server is busy with other documents: retry after the time in Retry-After."
    )

    def __init__(self, retry_after=2, message=None):
        super().__init__(message, headers={"Retry-After": str(retry_after)})


class DocumentUnavailable(OrderApiError):
    """A PDF cannot be rendered here now (no working wkhtmltopdf): the
    server's condition, not the client's; it may be retried later."""

    status = 503
    code = "document_unavailable"
    default_message = (
        "PDF documents cannot be rendered on this server right now; retry later "
        "or ask the seller."
    )


class InternalError(OrderApiError):
    pass
