# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models
from odoo.http import request

from ..controllers.errors import PREFIX, final_error_response


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _handle_error(cls, exception):
        """What escapes the API's own error handling (a concurrency failure
        still failing after Odoo's retries) is answered as JSON too."""
        path = request.httprequest.path if request else ""
        if path == PREFIX or path.startswith(f"{PREFIX}/"):
            return final_error_response(exception)
        return super()._handle_error(exception)
