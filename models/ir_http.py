# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models
from odoo.http import request

from ..error_handlers import PREFIX, api_errors, final_error_response, request_id
from .partner_order_api_rate_limit import release_request_slot


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _auth_method_partner_order_api(cls):
        """``auth="partner_order_api"``: the Partner Order API's bearer key.

        Like Odoo's own ``_auth_method_bearer``, but answering the contract:
        who is asking, and whether the request may run, is decided by
        ``partner.order.api.caller._admit`` (``partner_order_api_caller.py``):
        a missing, unknown, revoked or expired key is 401 ``unauthorized``
        (JSON, never the login page), a spent failure budget or partner
        budget 429, a read-only key on a route that writes 403
        ``insufficient_scope``; then the request runs as the key's user, in
        its API company alone, holding one of its partner's slots until the
        answer (``controllers/routing.py``)."""
        with api_errors():
            request_id()
            request.env["partner.order.api.caller"]._admit()

    @classmethod
    def _handle_error(cls, exception):
        """What escapes the API's own error handling (a concurrency failure
        still failing after Odoo's retries) is answered as JSON too."""
        path = request.httprequest.path if request else ""
        if path == PREFIX or path.startswith(f"{PREFIX}/"):
            release_request_slot()
            return final_error_response(exception)
        return super()._handle_error(exception)
