# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The one place where exceptions become the contract's JSON answers.

``api_endpoint`` wraps every route of the API: it gives the request its
``X-Request-Id``, authenticates the bearer key where the route needs it,
calls the handler, and turns what it raises into the contract's error
envelope. A rejected request raises ``ApiErrorResponse`` out of the
controller, so Odoo rolls its transaction back (a controller that returns
normally is committed) and serves the JSON answer we built.
"""

import functools
import json
import logging
import re
import uuid

from psycopg2 import OperationalError
from werkzeug.exceptions import HTTPException

from odoo import http
from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..lib import errors, openapi

_logger = logging.getLogger(__name__)

PREFIX = openapi.PREFIX
# path -> allowed methods, filled by ``api_endpoint`` (answers 405 vs 404)
ROUTES = {}
_REQUEST_ID_RE = re.compile(r"^[\x21-\x7e]{1,128}$")


class ApiErrorResponse(Exception):
    """Carries a ready JSON error response out of the controller.

    Odoo's ``_transactioning`` rolls the request's transaction back and serves
    ``error_response`` as it is; ``Application.__call__`` logs it at
    ``loglevel`` (a client error is not a server error: ``run`` logs it)."""

    loglevel = logging.DEBUG

    def __init__(self, response):
        super().__init__(response.status)
        self.error_response = response


def request_id():
    """The request's id: the client's ``X-Request-Id`` when it is sane."""
    rid = getattr(request, "_order_api_request_id", None)
    if rid is None:
        sent = request.httprequest.headers.get("X-Request-Id", "")
        rid = sent if _REQUEST_ID_RE.match(sent) else uuid.uuid4().hex
        request._order_api_request_id = rid
    return rid


def json_response(payload, status=200, headers=None):
    """A UTF-8 JSON answer with the right byte length and ``X-Request-Id``.

    (``request.make_json_response`` counts characters, not bytes, in its
    Content-Length, which truncates bodies holding non-ASCII text.)"""
    try:
        body = json.dumps(payload, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # lone surrogates: escape rather than fail
        body = json.dumps(payload).encode()
    all_headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("X-Request-Id", request_id()),
    ]
    all_headers += list(getattr(request, "_order_api_rate_headers", {}).items())
    all_headers += list((headers or {}).items())
    return request.make_response(body, headers=all_headers, status=status)


def error_response(exc):
    return json_response(exc.to_dict(), status=exc.status, headers=exc.headers)


def _to_api_error(exc):
    """The contract's error for any exception (None: let Odoo handle it)."""
    if isinstance(exc, errors.OrderApiError):
        return exc
    if isinstance(exc, OperationalError) and isinstance(
        exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
    ):
        return None  # Odoo retries the whole request
    if isinstance(exc, AccessDenied):
        return errors.Unauthorized()
    if isinstance(exc, AccessError | MissingError):
        # Never 403 for somebody else's record: ids do not leak.
        _logger.info("Partner Order API %s: access refused: %s", request_id(), exc)
        return errors.NotFound()
    if isinstance(exc, UserError):
        return errors.ValidationError(str(exc.args[0]) if exc.args else None)
    if isinstance(exc, HTTPException) and exc.code and exc.code < 500:
        return errors.ValidationError(exc.description)
    _logger.exception("Partner Order API %s: unexpected error", request_id())
    return errors.InternalError(
        f"An unexpected error occurred (request id {request_id()})."
    )


def final_error_response(exc):
    """The JSON answer for an exception Odoo could not recover from (called
    by ``ir.http._handle_error``): a concurrency failure that outlived Odoo's
    retries asks the client to retry; anything else is an internal error."""
    if isinstance(exc, ApiErrorResponse):
        return exc.error_response
    if isinstance(exc, OperationalError) and isinstance(
        exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
    ):
        _logger.warning(
            "Partner Order API %s: still conflicting after retries", request_id()
        )
        api_error = errors.InternalError(
            f"The server is busy with conflicting requests; retry (request id {request_id()}).",
            headers={"Retry-After": "2"},
        )
    else:
        api_error = _to_api_error(exc) or errors.InternalError()
    return error_response(api_error)


def _rate_limit(address):
    """Take a token of the budget of the caller's partner (all its users and
    keys together), whether the partner is enabled or not; 429 beyond it,
    or while ``address`` is blocked for failed authentications. Sets the
    X-RateLimit-* headers of the answer, whatever it is (not on the 429 of
    a blocked address: the key was not looked at)."""
    service = request.env["partner.order.api.service"]
    partner_sudo = request.env["res.partner"].sudo().browse(service._caller()[0])
    Buckets = request.env["partner.order.api.rate.bucket"].sudo()
    budget = Buckets._take_request_token(
        partner_sudo.id, Buckets._limit_for(partner_sudo), address
    )
    if budget.limit:
        request._order_api_rate_headers = {
            "X-RateLimit-Limit": str(budget.limit),
            "X-RateLimit-Remaining": str(budget.remaining),
        }
    if not budget.allowed:
        raise errors.RateLimited(budget.retry_after)


def run(handler, *, authenticate=True, writes=False):
    """Run ``handler()`` the API's way: it returns ``(payload, status)``,
    ``(payload, status, headers)`` or a ready response. ``writes``: the route
    changes data, read-only keys are refused."""
    try:
        request_id()
        if authenticate:
            service = request.env["partner.order.api.service"]
            authorization = request.httprequest.headers.get("Authorization")
            # the client's address; behind a proxy, Odoo's proxy_mode puts
            # the X-Forwarded-For address here
            address = request.httprequest.remote_addr
            uid, read_only = service._authenticate(authorization, address)
            request.update_env(user=uid)
            _rate_limit(address)
            if read_only and writes:
                raise errors.InsufficientScope()
        result = handler()
        if isinstance(result, http.Response):
            return result
        payload, status, *headers = result
        return json_response(
            dict({"success": True}, **payload),
            status=status,
            headers=headers[0] if headers else None,
        )
    except ApiErrorResponse:
        raise
    except Exception as exc:  # pylint: disable=broad-except
        api_error = _to_api_error(exc)
        if api_error is None:
            raise
        if api_error.status < 500:
            _logger.info(
                "Partner Order API %s: %s %s -> %s %s",
                request_id(),
                request.httprequest.method,
                request.httprequest.path,
                api_error.status,
                api_error.code,
            )
        raise ApiErrorResponse(error_response(api_error)) from exc


def api_endpoint(operation_id):
    """``http.route`` for the operation ``operation_id`` of
    ``lib.openapi.OPERATIONS`` (its path, method and access: GET routes are
    read-only, the others write and refuse read-only keys), answered by
    ``run``."""
    operation = openapi.BY_ID[operation_id]
    ROUTES.setdefault(operation.full_path, set()).add(operation.method)

    def decorator(func):
        @functools.wraps(func)
        def wrapper(self, *args, **kwargs):
            return run(
                lambda: func(self, *args, **kwargs),
                authenticate=operation.authenticate,
                writes=not operation.readonly,
            )

        return http.route(
            operation.full_path,
            type="http",
            auth="none",
            methods=[operation.method],
            csrf=False,
            save_session=False,
            readonly=operation.readonly,
        )(wrapper)

    return decorator


def fallback(path):
    """The answer for a path under the prefix that no route took: 405 when
    the path exists with other methods, 404 otherwise."""

    def handler():
        allowed = ROUTES.get(path.rstrip("/") or path)
        if allowed:
            raise errors.MethodNotAllowed(allowed)
        raise errors.NotFound(f"No route {path}.")

    return run(handler, authenticate=False)
