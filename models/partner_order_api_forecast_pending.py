# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The products whose forecast changed in a transaction that left more
orders waiting for them than it may make anew itself (issue 27, fairness):
the refresh cron makes those orders' objects in its own transactions.

A transaction that moves stock of a product (``stock_move.py``) makes the
objects of the orders waiting for it anew before it commits, when they are
at most ``FORECAST_INLINE_LIMIT``. Beyond, a partner that left a thousand
orders waiting for a sold-out product would make every other partner's
order of it, and the warehouse's receipt of it, pay for a thousand objects:
the transaction only inserts its products here (``_defer``: one INSERT,
no unique constraint, so that concurrent transactions never wait on each
other) and wakes the cron. The cron (``_cron_refresh``) takes the rows it
sees, makes the orders waiting for their products candidates and settles
them (``sale_order_freshness.py``), ``SETTLE_BATCH`` orders per committed
transaction, then deletes the rows it took (by id: a row inserted
meanwhile, a product whose moves changed again, stays for the next run,
which its transaction triggered). A run that fails (a conflict with a
user's change of one of the orders) deletes nothing: the next run makes
them all again, and only those whose object differs move. A run stops
after ``CRON_TIME_BUDGET`` seconds (Odoo's watchdog kills a cron that
outlasts ``limit_time_real``): it replaces the rows it took by one per
product that names the last order it made (``after_order_id``), and the
next run, triggered at once, goes on from there.
"""

import logging
import threading
import time
from datetime import timedelta

from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from .sale_order_freshness import SETTLE_BATCH
from .stock_move import waiting_orders
from .stock_picking import CRON_TIME_BUDGET

_logger = logging.getLogger(__name__)


class PartnerOrderApiForecastPending(models.Model):
    _name = "partner.order.api.forecast.pending"
    _description = "Partner Order API: products whose waiting orders to refresh"
    _log_access = False

    product_id = fields.Integer(required=True)
    create_date = fields.Datetime(required=True)
    # a run stopped by its time budget: the orders up to this id are done
    after_order_id = fields.Integer()

    @api.model
    def _defer(self, product_ids):
        """Leave the orders waiting for ``product_ids`` to the refresh
        cron: one row per product, and the cron woken after this commit."""
        self.env.cr.execute(
            SQL(
                "INSERT INTO partner_order_api_forecast_pending (product_id, create_date)"
                " SELECT unnest(%s::int[]), now() AT TIME ZONE 'UTC'",
                list(product_ids),
            )
        )
        self.env.ref("partner_order_api.ir_cron_forecast_refresh")._trigger()

    @api.model
    def _cron_refresh(self):
        """Make the objects of the orders waiting for the pending products
        anew, ``SETTLE_BATCH`` per committed transaction, then delete the
        rows taken. A concurrency failure leaves the rows for a run 10
        seconds later."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        started = time.monotonic()
        cr = self.env.cr
        cr.execute(
            "SELECT array_agg(id), array_agg(DISTINCT product_id),"
            " min(COALESCE(after_order_id, 0))"
            " FROM partner_order_api_forecast_pending"
        )
        row_ids, product_ids, after = cr.fetchone()
        if not row_ids:
            return
        order_ids = sorted(
            order_id
            for order_id in waiting_orders(self.env, product_ids)
            if order_id > after
        )
        Order = self.env["sale.order"].sudo()
        done = []
        try:
            for start in range(0, len(order_ids), SETTLE_BATCH):
                if done and time.monotonic() - started > CRON_TIME_BUDGET:
                    self._resume_after(row_ids, product_ids, done[-1])
                    break
                batch = order_ids[start : start + SETTLE_BATCH]
                Order.browse(batch)._order_api_mark_changed()
                Order._order_api_settle()
                if auto_commit:
                    cr.commit()  # pylint: disable=invalid-commit  # one batch, one transaction (cron)
                done += batch
            else:
                cr.execute(
                    SQL(
                        "DELETE FROM partner_order_api_forecast_pending"
                        " WHERE id = ANY(%s)",
                        row_ids,
                    ),
                    log_exceptions=False,
                )
        except OperationalError as exc:
            if not isinstance(exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
                raise
            if auto_commit:
                cr.rollback()
            _logger.info(
                "Partner Order API: expected dates of %s orders postponed (%s)",
                len(order_ids) - len(done),
                exc.pgcode,
            )
            self.env.ref("partner_order_api.ir_cron_forecast_refresh")._trigger(
                fields.Datetime.now() + timedelta(seconds=10)
            )
        if auto_commit:
            cr.commit()  # pylint: disable=invalid-commit  # the rows' deletion (cron)
        self.env["ir.cron"]._notify_progress(
            done=len(done), remaining=len(order_ids) - len(done)
        )

    @api.model
    def _resume_after(self, row_ids, product_ids, last_order_id):
        """Replace the rows taken by one per product that goes on after
        ``last_order_id``, and wake the cron again at once."""
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM partner_order_api_forecast_pending WHERE id = ANY(%s);
                INSERT INTO partner_order_api_forecast_pending
                            (product_id, create_date, after_order_id)
                     SELECT unnest(%s::int[]), now() AT TIME ZONE 'UTC', %s
                """,
                row_ids,
                list(product_ids),
                last_order_id,
            ),
            log_exceptions=False,
        )
        self.env.ref("partner_order_api.ir_cron_forecast_refresh")._trigger()
