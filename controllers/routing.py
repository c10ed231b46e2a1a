# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The routes of the Partner Order API, declared from ``lib.openapi``.

``api_endpoint`` makes the ``http.route`` of one operation: its path, method
and access (``auth="partner_order_api"``: the bearer key is checked, and the
caller's budget taken, by ``ir.http._auth_method_partner_order_api``, that
is ``partner.order.api.caller._admit``, before the handler runs; GET routes
are read-only). ``run`` calls the handler and
answers its result, or the contract's error for what it raises
(``error_handlers``).
"""

import functools

from odoo import http

from ..error_handlers import api_errors, json_response, request_id
from ..lib import errors, openapi, validation
from ..models.partner_order_api_rate_limit import release_request_slot

# path -> allowed methods, filled by ``api_endpoint`` (answers 405 vs 404)
ROUTES = {}


def run(handler, operation=None):
    """Run ``handler()`` the API's way: it returns ``(payload, status)``,
    ``(payload, status, headers)`` or a ready response; what it raises
    becomes the contract's error (``error_handlers.api_errors``). A query
    parameter that ``operation`` does not declare is refused first."""
    try:
        with api_errors():
            request_id()
            if operation is not None:
                validation.refuse_unknown_query_parameters(
                    operation.query, http.request.httprequest.args.keys()
                )
            result = handler()
            if isinstance(result, http.Response):
                return result
            payload, status, *headers = result
            return json_response(
                dict({"success": True}, **payload),
                status=status,
                headers=headers[0] if headers else None,
            )
    finally:
        # the partner's slot for requests in flight, held since the auth
        # method let the request in: the answer is made
        release_request_slot()


def api_endpoint(operation_id):
    """``http.route`` for the operation ``operation_id`` of
    ``lib.openapi.OPERATIONS``: its path and method; authenticated by the
    API's key (``auth="partner_order_api"``) unless the operation is public;
    GET routes read-only (read-only keys are refused on the others by the
    auth method), answered by ``run``."""
    operation = openapi.BY_ID[operation_id]
    ROUTES.setdefault(operation.full_path, set()).add(operation.method)

    def decorator(func):
        @functools.wraps(func)
        def wrapper(self, *args, **kwargs):
            return run(lambda: func(self, *args, **kwargs), operation)

        return http.route(
            operation.route_path,
            type="http",
            auth="partner_order_api" if operation.authenticate else "none",
            methods=[operation.method],
            csrf=False,
            save_session=False,
            readonly=operation.readonly and not operation.rolled_back,
        )(wrapper)

    return decorator


def fallback(path):
    """The answer for a path under the prefix that no route took: 405 when
    the path exists with other methods, 404 otherwise."""

    def handler():
        allowed = ROUTES.get(path.rstrip("/") or path) or openapi.allowed_methods(
            path.rstrip("/")
        )
        if allowed:
            raise errors.MethodNotAllowed(allowed)
        raise errors.NotFound(f"No route {path}.")

    return run(handler)
