# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Test orders (README, "Test keys"): the orders a partner places with a
test key (scope ``partner_order_api.test``, ``partner.order.api.caller.
_test_mode``). Each is a quotation marked sent that is never confirmed, so
nothing is reserved, shipped or invoiced; it answers as a real order just
placed (status ``confirmed``, ``test: true``), sends its webhooks, and the
cron cancels it after ``TEST_ORDER_HOURS``. Which orders a key reads (a
test key test orders only, any other key real ones only): the reader's
``_where``."""

import datetime
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

TEST_ORDER_HOURS = 24  # a test order older than this is cancelled by the cron
TEST_ORDER_BATCH = 200  # test orders cancelled per transaction of the cron
# the states of a test order that is still open (it is never confirmed)
_OPEN_STATES = ("draft", "sent")


class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def action_confirm(self):
        """A test order is never confirmed, by the API or in Odoo: nothing
        may be reserved, shipped or invoiced for it."""
        if any(order.order_api_test for order in self):
            raise UserError(
                _(
                    "Test orders of the Partner Order API cannot be confirmed: "
                    "they are placed with a test key and never reserve, ship or "
                    "invoice anything."
                )
            )
        return super().action_confirm()

    def _order_api_place_test(self):
        """Place the just created test orders of ``self`` (sudo): marked
        sent (the state a partner reads, ``_order_api_partner_domain``),
        never confirmed, and their ``order.created`` recorded now, in the
        creating transaction (a real order records it when confirmed)."""
        # marked sent without Odoo's subscription of the customer, and the
        # partner's contacts (the creating user) unsubscribed: sale's portal
        # rule shows an order to its followers' companies
        self.write({"state": "sent"})
        for order in self:
            contacts = order.message_partner_ids.filtered(
                lambda p, o=order: p.commercial_partner_id == o.order_api_owner_id
            )
            if contacts:
                order.message_unsubscribe(partner_ids=contacts.ids)
        self.env["partner.order.api.webhook.event"]._record_order_events(
            [(order, None) for order in self], "order.created"
        )

    @api.model
    def _cron_order_api_cancel_test_orders(self, batch_size=TEST_ORDER_BATCH):
        """Cancel the open test orders older than ``TEST_ORDER_HOURS``, the
        oldest first, ``batch_size`` per run (the cron runs again at once
        while some remain: ``_notify_progress``); each sends
        ``order.cancelled`` (``_action_cancel``). Idempotent: a cancelled
        order is no longer open."""
        limit = fields.Datetime.now() - datetime.timedelta(hours=TEST_ORDER_HOURS)
        domain = [
            ("order_api_test", "=", True),
            ("state", "in", _OPEN_STATES),
            ("create_date", "<", limit),
        ]
        Orders = self.sudo().with_context(active_test=False)
        orders = Orders.search(domain, order="create_date, id", limit=batch_size)
        if orders:
            orders.with_context(disable_cancel_warning=True).action_cancel()
            _logger.info(
                "Partner Order API: %s test orders older than %s hours cancelled",
                len(orders),
                TEST_ORDER_HOURS,
            )
        remaining = Orders.search_count(domain) if len(orders) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(orders), remaining=remaining)
        return orders
