# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The use cases of the Partner Order API.

Controllers parse and answer; this service holds the rules. It runs in the
environment of the user whose API key authenticated the request, and asks
``partner.order.api.caller`` who that is (``partner_order_api_caller.py``). A partner
sees exactly the orders of ``_orders_where``: those it owns (placed by its
contacts), in the caller's API company (``partner.order.api.caller._company``; README,
"Several companies"), once sent or confirmed. That domain is searched
elevated and is the whole confinement: Odoo's follower-based portal rule
would also open other customers' orders the partner was made to follow, and
costs a scan of every followed order on each request (see the README,
"Performance and limits"). What a portal user may
not do itself (create and confirm the order, create the delivery contact) is
done in ``_create_order_sudo`` only, after the caller and its input were
checked.

The service is one model in three files, one per concern: what a partner
reads and cancels (``partner_order_api_service_orders.py``), what it
creates (``partner_order_api_service_create.py``) and its webhook settings
(``partner_order_api_service_webhook.py``).
"""

from odoo import models


class PartnerOrderApiService(models.AbstractModel):
    _name = "partner.order.api.service"
    _description = "Partner Order API: use cases"
