# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import threading
import time
from datetime import timedelta

from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# seconds of reservations per run of the reservation cron
CRON_TIME_BUDGET = 30


class StockPicking(models.Model):
    _inherit = "stock.picking"

    order_api_reservation_pending = fields.Boolean(
        string="Reservation Pending (Partner API)",
        copy=False,
        index="btree_not_null",
        help="Created by an API order whose confirmation did not reserve stock; "
        "the reservation cron reserves it right after the order is committed.",
    )
    order_api_return_reason = fields.Text(
        string="Return Reason (Partner API)",
        copy=False,
        help="Why the goods of this return come back, as the partner gave it "
        "with POST order/return (or as entered here); shown in the order's "
        "returns in the Partner Order API.",
    )

    def _order_api_defer_reservation(self):
        """Mark these pickings for the reservation cron and wake it."""
        # by the moves' states: a delivery that also holds a consumable (never
        # reserved, so "assigned" at once) is "assigned" with storable moves
        # still waiting for stock
        pickings = self.filtered(
            lambda p: (
                p.picking_type_id.reservation_method == "at_confirm"
                and any(
                    move.state in ("confirmed", "waiting", "partially_available")
                    for move in p.move_ids
                )
            )
        )
        if pickings:
            pickings.order_api_reservation_pending = True
            cron = self.env.ref(
                "partner_order_api.ir_cron_reserve", raise_if_not_found=False
            )
            if cron:
                cron.sudo()._trigger()

    @api.model
    def _cron_order_api_reserve(self, limit=100):
        """Reserve the pickings of API orders, one committed transaction each,
        for at most CRON_TIME_BUDGET seconds: Odoo's watchdog kills a cron
        worker whose job (plus its sleep) outlasts ``limit_time_real``, so a
        long backlog is reserved over several runs, each triggered by the
        previous one. A concurrency failure leaves the picking pending for a
        run 10 seconds later."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        started = time.monotonic()
        cron = self.env.ref("partner_order_api.ir_cron_reserve")
        pickings = self.search(
            [("order_api_reservation_pending", "=", True)], order="id", limit=limit
        )
        done = 0
        for picking in pickings:
            if done and time.monotonic() - started > CRON_TIME_BUDGET:
                # the rest in a new run at once (other cron jobs first),
                # rather than _notify_progress's re-runs inside this job
                cron._trigger()
                break
            try:
                with self.env.cr.savepoint():
                    if picking.sale_id:
                        # the order's row first, as a change, a return or a
                        # cancellation of it takes it (``_lock_order``): the
                        # cron never meets one of them on stock rows (a
                        # refused UPDATE there is logged as a bad query); a
                        # held row postpones the picking
                        self.env.cr.execute(
                            SQL(
                                "SELECT id FROM sale_order WHERE id = %s "
                                "FOR NO KEY UPDATE NOWAIT",
                                picking.sale_id.id,
                            ),
                            log_exceptions=False,
                        )
                    if picking.state in ("confirmed", "waiting", "assigned"):
                        picking.action_assign()
                    picking.order_api_reservation_pending = False
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit  # one picking, one transaction (cron)
                done += 1
            except OperationalError as exc:
                if not isinstance(exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
                    raise
                if auto_commit:
                    self.env.cr.rollback()
                _logger.info(
                    "Partner Order API: reservation of %s postponed (%s)",
                    picking.id,
                    exc.pgcode,
                )
                cron._trigger(fields.Datetime.now() + timedelta(seconds=10))
                break
        else:
            if len(pickings) == limit:  # maybe more: a new run at once
                cron._trigger()
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit  # the trigger (cron)
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)

    def _action_done(self):
        res = super()._action_done()
        # validated before the reservation cron came: nothing left to reserve
        self.filtered(
            lambda picking: (
                picking.state == "done" and picking.order_api_reservation_pending
            )
        ).order_api_reservation_pending = False
        done = self.filtered(
            lambda picking: picking.state == "done" and picking.sale_id
        )
        # In the validation's own transaction: the outbox rows commit or roll
        # back with it. Sending happens later, in the webhook cron.
        self.env["partner.order.api.webhook.event"]._record_delivery_events(
            [
                (picking.sale_id, picking)
                for picking in done
                if picking.picking_type_code == "outgoing"
                and picking.sale_id.order_api_partner_id
            ]
        )
        # a return of an API order's goods received: order.returned
        self.env["partner.order.api.webhook.event"]._record_order_events(
            [
                (picking.sale_id, picking)
                for picking in done
                if picking._order_api_is_return()
                and picking.sale_id.order_api_partner_id
            ],
            "order.returned",
        )
        return res

    def _order_api_is_return(self):
        """A return of goods from the customer, as the order object's
        ``returns`` lists them (``order_reader_returns.py``): an incoming
        transfer made as the return of another one."""
        self.ensure_one()
        return bool(self.return_id) and self.picking_type_code == "incoming"
