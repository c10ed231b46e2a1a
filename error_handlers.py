# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The one place where exceptions become the contract's JSON answers.

``api_errors()`` wraps both steps of a request that may fail, the auth
method (``models/ir_http.py``) and the route (``controllers/routing.py``);
``final_error_response`` answers what escapes Odoo's own retries
(``ir.http._handle_error``). A rejected
request raises ``ApiErrorResponse`` (a werkzeug HTTP exception carrying the
JSON answer), so Odoo rolls its transaction back (a controller that returns
normally is committed), lets it through its authentication step, and serves
the answer as it is.
"""

import contextlib
import logging
import re
import uuid

from psycopg2 import OperationalError
from psycopg2.errors import ReadOnlySqlTransaction
from werkzeug.exceptions import HTTPException

from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from .lib import errors, json_text, openapi

_logger = logging.getLogger(__name__)

PREFIX = openapi.PREFIX
# the API version every answer carries (X-API-Version, lib/openapi.py)
API_VERSION = openapi.api_version()
_REQUEST_ID_RE = re.compile(r"^[\x21-\x7e]{1,128}$")


class UsePrimary(ReadOnlySqlTransaction, HTTPException):
    """Not an answer: the request runs on a read-only cursor of a streaming
    standby that cannot answer it correctly yet (the partner's last write,
    or its user, is not replayed there). Odoo's ``http._transactioning``
    reruns the whole request on a read/write cursor of the primary when a
    ``ReadOnlySqlTransaction`` escapes it; ``_to_api_error`` lets this one
    through, and being an ``HTTPException`` it passes Odoo's
    ``ir.http._authenticate_explicit`` (which turns anything else raised by
    an auth method into AccessDenied). See
    ``models/partner_order_api_caller_standby.py``."""

    response = None


class ApiErrorResponse(HTTPException):
    """Carries a ready JSON error response out of the controller or the
    auth method.

    Odoo's ``_transactioning`` rolls the request's transaction back, its
    authentication step lets HTTP exceptions through as they are, and
    ``ir.http._handle_error`` serves ``error_response``;
    ``Application.__call__`` logs it at ``loglevel`` (a client error is not
    a server error: ``api_error_exception`` logs it)."""

    loglevel = logging.DEBUG

    def __init__(self, response):
        super().__init__(response=response)
        self.code = response.status_code
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
    body = json_text.dumps(payload)
    all_headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("X-Request-Id", request_id()),
        ("X-API-Version", API_VERSION),
    ]
    all_headers += list(getattr(request, "_order_api_rate_headers", {}).items())
    all_headers += list((headers or {}).items())
    return request.make_response(body, headers=all_headers, status=status)


def file_response(content, content_type, filename):
    """A file download (``order/document``): its bytes, ``Content-Disposition:
    attachment`` with ``filename`` (ASCII, see ``_file_name`` in
    ``models/partner_order_api_document.py``) and the API's headers, as
    ``json_response`` sends them."""
    all_headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(content))),
        ("Content-Disposition", f'attachment; filename="{filename}"'),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Request-Id", request_id()),
        ("X-API-Version", API_VERSION),
    ]
    all_headers += list(getattr(request, "_order_api_rate_headers", {}).items())
    return request.make_response(content, headers=all_headers, status=200)


def error_response(exc):
    return json_response(exc.to_dict(), status=exc.status, headers=exc.headers)


def _to_api_error(exc):
    """The contract's error for any exception (None: let Odoo handle it)."""
    if isinstance(exc, errors.OrderApiError):
        return exc
    if isinstance(exc, UsePrimary):
        return None  # Odoo reruns the request on the primary
    if isinstance(exc, OperationalError) and isinstance(
        exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
    ):
        return None  # Odoo retries the whole request
    if isinstance(exc, ReadOnlySqlTransaction):
        return None  # a read-only route wrote: Odoo reruns it on a read/write cursor
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


def api_error_exception(exc):
    """``exc`` as the contract's error, ready to raise (``ApiErrorResponse``),
    logged once; None when Odoo must handle it (a concurrency failure: Odoo
    retries the whole request)."""
    if isinstance(exc, ApiErrorResponse):
        return exc
    api_error = logged_api_error(exc)
    if api_error is None:
        return None
    return ApiErrorResponse(error_response(api_error))


def logged_api_error(exc, part=None):
    """``exc`` as the contract's error (an ``OrderApiError``), logged once;
    None for a concurrency failure (Odoo retries the whole request).
    ``part`` names the part of the request it concerns (``orders[3]`` of a
    batch, whose items answer an error each)."""
    api_error = _to_api_error(exc)
    if api_error is not None and api_error.status < 500:
        _logger.info(
            "Partner Order API %s: %s %s%s -> %s %s",
            request_id(),
            request.httprequest.method,
            request.httprequest.path,
            f" {part}" if part else "",
            api_error.status,
            api_error.code,
        )
    return api_error


@contextlib.contextmanager
def api_errors():
    """``with api_errors():`` what the block raises leaves it as the
    contract's error, ready to be served (``ApiErrorResponse``, logged
    once), except what Odoo must handle itself (a concurrency failure it
    retries, a request it reruns on the primary), which leaves as it is."""
    try:
        yield
    except Exception as exc:  # pylint: disable=broad-except
        api_exc = api_error_exception(exc)
        if api_exc is None or api_exc is exc:
            raise
        raise api_exc from exc
