# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models
from odoo.http import request

from ..error_handlers import (
    PREFIX,
    api_error_exception,
    final_error_response,
    request_id,
)
from ..lib import costs, errors, openapi
from .partner_order_api_rate_limit import release_request_slot

# methods of the routes a read-only key opens
_READ_METHODS = ("GET", "HEAD")


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _auth_method_partner_order_api(cls):
        """``auth="partner_order_api"``: the Partner Order API's bearer key.

        Like Odoo's own ``_auth_method_bearer``, but answering the contract:
        a missing, unknown, revoked or expired key is 401 ``unauthorized``
        (JSON, never the login page), a read-only key on a route that writes
        403 ``insufficient_scope``. Then the request runs as the key's user,
        in its API company alone (``service._caller_company``), and is let in
        by the partner's fair-use limits (all its users and keys together,
        ``partner.order.api.rate.bucket._admit_request``): one
        of its slots for requests in flight (429 ``concurrency_limited``),
        held until the answer (``routing.run``), and what the request costs
        (``lib.costs``) from its budget (429 ``rate_limited``). Refused keys
        count against the failure budget of their prefix from the client's
        address (``partner.order.api.service._authenticate``)."""
        try:
            request_id()
            release_request_slot()  # a retry of this request takes it again
            service = request.env["partner.order.api.service"]
            # the client's address; behind a proxy, Odoo's proxy_mode puts
            # the X-Forwarded-For address here
            address = request.httprequest.remote_addr
            uid, read_only = service._authenticate(
                request.httprequest.headers.get("Authorization"), address
            )
            request.update_env(user=uid)
            # the one company the request works in (README, "Several
            # companies"): env.company and env.companies are it
            caller_company = request.env["partner.order.api.service"]._caller_company()
            request.update_context(allowed_company_ids=caller_company.ids)
            cls._order_api_use_primary_if_behind()
            cls._order_api_admit()
            if read_only and not cls._order_api_route_reads_only():
                raise errors.InsufficientScope()
        except Exception as exc:  # pylint: disable=broad-except
            release_request_slot()
            api_exc = api_error_exception(exc)
            if api_exc is None or api_exc is exc:
                raise
            raise api_exc from exc

    @classmethod
    def _order_api_route_reads_only(cls):
        """Whether the requested route writes nothing: GET routes, and the
        read-only POST routes of ``lib.openapi`` (``POST order/quote``)."""
        method = request.httprequest.method
        path = request.httprequest.path.rstrip("/")
        return method in _READ_METHODS or (path, method) in openapi.READ_ONLY_POSTS

    @classmethod
    def _order_api_use_primary_if_behind(cls):
        """With a streaming standby as replica: a GET it cannot answer yet
        (the partner's last write, or its user, not replayed there) is rerun
        on the primary; a write leaves the partner's marker after its commit
        (``partner.order.api.replica``). Before the rate limit: a rerun
        takes one token, not two."""
        request.env["partner.order.api.replica"]._route_request(
            cls._order_api_route_reads_only()
        )

    @classmethod
    def _order_api_admit(cls):
        """Let the request in, or 429: one of the slots of the caller's
        partner, and the request's cost from its budget, whether the partner
        is enabled or not. Sets the X-RateLimit-* headers of the answer,
        whatever it is (not on ``concurrency_limited``: nothing was taken)."""
        service = request.env["partner.order.api.service"]
        httprequest = request.httprequest
        operation = openapi.BY_ROUTE.get(
            (httprequest.path.rstrip("/"), httprequest.method)
        )
        cost = costs.request_cost(
            operation and operation.operation_id,
            httprequest.args,
            httprequest.get_data(cache=True)
            if operation and operation.operation_id in costs.BODY_COSTS
            else b"",
        )
        Buckets = request.env["partner.order.api.rate.bucket"].sudo()
        budget = Buckets._admit_request(service._caller(), cost)
        if budget.limit:
            request._order_api_rate_headers = {
                "X-RateLimit-Limit": str(budget.limit),
                "X-RateLimit-Remaining": str(budget.remaining),
                "X-RateLimit-Cost": str(budget.cost if budget.allowed else 0),
            }
        if not budget.allowed:
            raise errors.RateLimited(budget.retry_after)

    @classmethod
    def _handle_error(cls, exception):
        """What escapes the API's own error handling (a concurrency failure
        still failing after Odoo's retries) is answered as JSON too."""
        path = request.httprequest.path if request else ""
        if path == PREFIX or path.startswith(f"{PREFIX}/"):
            release_request_slot()
            return final_error_response(exception)
        return super()._handle_error(exception)
