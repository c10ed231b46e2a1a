# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Sale orders in the Partner Order API: which orders a partner reads,
their API fields and status, and the events of their confirmation and
cancellation. The order object itself: ``order_reader.py`` (how it is read,
shaped and cached) and ``sale_order_freshness.py`` (when it changes)."""

from odoo import api, fields, models
from odoo.tools import float_compare

from ..lib.schemas import STATUSES

# orders a partner reads (see SaleOrder._order_api_partner_domain)
ORDER_API_STATES = ("sent", "sale", "cancel")
_PARTNER_PLACEHOLDER = "__order_api_partner__"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    order_api_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Ordered Through the API By",
        help="The commercial partner that placed this order through the Partner "
        "Order API. Empty for orders entered in Odoo.",
        index="btree_not_null",
        readonly=True,
        copy=False,
    )
    order_api_external_id = fields.Char(
        string="External Order ID",
        help="The partner's own identifier of this order (external_order_id in "
        "the Partner Order API), unique per partner and company.",
        index="btree_not_null",
        copy=False,
        tracking=True,
    )
    order_api_note = fields.Text(
        string="Partner's Note",
        help="The note the partner sent with the order through the API.",
        copy=False,
    )
    order_api_test = fields.Boolean(
        string="Test Order (API)",
        help="Placed through the Partner Order API with a test key: a "
        "quotation that is never confirmed (nothing is reserved, shipped or "
        "invoiced), seen only by the partner's test keys, and cancelled "
        "after 24 hours.",
        default=False,
        readonly=True,
        copy=False,
    )
    order_api_status = fields.Selection(
        selection=[
            (status, status.replace("_", " ").capitalize()) for status in STATUSES
        ],
        string="Partner API Status",
        compute="_compute_order_api_status",
        store=True,
        help="The status the Partner Order API shows for this order.",
    )
    _sql_constraints = [
        (
            "order_api_external_id_uniq",
            # per mode too: a test run does not burn a real id
            "UNIQUE(order_api_partner_id, company_id, order_api_test, "
            "order_api_external_id)",
            "This external order ID is already used by this partner in this company.",
        ),
    ]

    # ------------------------------------------------------------------
    # What a partner sees: one definition for the API and the portal
    # ------------------------------------------------------------------

    @api.model
    def _order_api_partner_domain(self, partner_id, test=False):
        """THE orders the commercial partner ``partner_id`` reads, through
        the API and on the portal: the orders it owns (``order_api_owner_id``:
        the commercial partner of the customer when the order was placed;
        a contact moved to another company later takes none with it), once
        sent or confirmed (or cancelled): not draft quotations, wherever they
        came from. Companies are the reader's (Odoo's multi-company rule on
        the portal; the API adds the caller's one API company,
        ``partner.order.api.caller._company``). The API compiles this
        domain to SQL (``partner.order.api.order.reader._where``), the
        portal rules are written from it (``_order_api_sync_portal_rules``)."""
        return [
            ("order_api_owner_id", "=", partner_id),
            ("state", "in", ORDER_API_STATES),
            # ``test``: the test orders only (a test key's); else the real
            # ones only: the portal never shows test orders
            ("order_api_test", "=", test),
        ]

    @api.model
    def _order_api_sync_portal_rules(self):
        """Write the record rules of the API partners' portal users (orders
        and their lines) from ``_order_api_partner_domain``, with the user's
        commercial partner in it. Called by the security data file at every
        install and upgrade."""
        domain = self._order_api_partner_domain(_PARTNER_PLACEHOLDER)
        partner_expr = "user.commercial_partner_id.id"
        for xmlid, prefix in (
            ("partner_order_api.sale_order_rule_portal_order_api", ""),
            ("partner_order_api.sale_order_line_rule_portal_order_api", "order_id."),
        ):
            rule = self.env.ref(xmlid).sudo()
            text = repr(
                [(f"{prefix}{field}", op, value) for field, op, value in domain]
            ).replace(repr(_PARTNER_PLACEHOLDER), partner_expr)
            if rule.domain_force != text:
                rule.domain_force = text

    @api.depends(
        "state",
        "order_api_test",
        "order_line.display_type",
        "order_line.product_id.type",
        "order_line.qty_delivered",
        "order_line.product_uom_qty",
        "order_line.move_ids.state",
    )
    def _compute_order_api_status(self):
        for order in self:
            order.order_api_status = order._order_api_compute_status()

    def _order_api_compute_status(self):
        """The contract's status from the order's state and delivery progress."""
        self.ensure_one()
        if self.order_api_test and self.state in ("draft", "sent"):
            # a test order is a quotation that answers as a real order just
            # placed: confirmed, and never more (README, "Test keys")
            return "confirmed"
        if self.state in ("draft", "sent"):
            return "pending"
        if self.state == "cancel":
            return "cancelled"
        lines = self.order_line.filtered(
            lambda line: not line.display_type and line.product_id.type == "consu"
        )
        if not lines:
            return "confirmed"
        # goods that came back were shipped (Odoo takes them off
        # qty_delivered, nothing more comes for them): see _order_api_shipped
        if all(
            float_compare(
                line._order_api_shipped(),
                line.product_uom_qty,
                precision_rounding=line.product_uom.rounding,
            )
            >= 0
            for line in lines
        ):
            return "shipped"
        if any(line.qty_delivered > 0 for line in lines):
            return "partially_shipped"
        return "confirmed"

    def action_confirm(self):
        res = super().action_confirm()
        # an API order is confirmed when it is created: order.created, in the
        # creating transaction (the outbox)
        self.env["partner.order.api.webhook.event"]._record_order_events(
            [
                (order, None)
                for order in self
                if order.order_api_partner_id and order.state == "sale"
            ],
            "order.created",
        )
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        self.env["partner.order.api.webhook.event"]._record_order_events(
            [(order, None) for order in self], "order.cancelled"
        )
        return res
