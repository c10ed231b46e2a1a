# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""When an order object changes: what is about the order record changing.
What the object shows and how it is read, made and kept by each worker is
the reader's (``partner.order.api.order.reader``, ``order_reader.py``),
which this file calls to make the objects it digests.

The rule (README, "How the figures are reached"): an order's
``updated_at`` moves exactly when the object a client would read changes,
and each worker's cache of objects is keyed by it.

1. *What may change it* is derived from what the object reads:
   ``ORDER_API_OBJECT_DEPENDS`` (``order_api_object_depends``: with the
   optional lots' expiry) names, as Odoo field paths, every column the
   reader's statements read (``order_reader.py``); its coverage test
   (tests/test_order_object_coverage.py) parses those statements and fails
   on a column no path covers. Odoo recomputes the trigger field
   ``order_api_object_changed`` when one of them changes, written or itself
   recomputed, on the order's own records or on shared ones (a carrier, a
   currency, a country, a lot, a location): the order becomes a *candidate*.
   Writes Odoo makes behind the ORM's back on what the object shows (a
   carrier's name imported from a .po file by raw SQL, the quantities'
   precision) call the same trigger (``order_object_shared.py``).
   A line's ``expected_date`` and ``available_now`` (issue 27) come from
   Odoo's forecast of its product, made of other records (receipts, other
   orders' moves): every change of what that forecast reads of a move
   (``stock_move.py``) records its product, and ``_order_api_settle``
   makes the orders waiting for those products (a move not reserved,
   neither done nor cancelled) candidates, in one statement, when they
   are at most ``FORECAST_INLINE_LIMIT`` (``stock_move.py``): their
   ``updated_at`` moves in that transaction. Beyond, the transaction only
   records the products and the refresh cron
   (``partner_order_api_forecast_pending.py``) makes those orders
   candidates and settles them, ``SETTLE_BATCH`` per committed
   transaction, within the cron's delay (seconds: it is woken at once);
   until then a read may show the new dates with the old ``updated_at``
   (fairness: no transaction pays for orders others left waiting). Not watched
   (README, "Delivery dates"): the day turning (Odoo orders moves whose
   reservation date has passed first), a move moved to another product,
   a quant written without a move by code (inventory adjustments make
   moves), a location's or warehouse's configuration changed; the next
   stock change of the product compares those orders again.
2. *Whether it changed* is decided once per transaction, before it commits
   (``_order_api_settle``, a precommit hook; the reader's ``_serialize``
   runs it first too, so an answer or a webhook made in the transaction
   shows the ``updated_at`` it commits with): the candidates' objects are
   made anew by the reader (``_objects``, every carrier translation
   included) and their SHA-256 compared with the one stored with the order
   (``order_api_digest``); only the orders whose digest differs get a new
   ``updated_at`` (``clock_timestamp()``: distinct, with microseconds). A
   stock reservation, a cancelled draft invoice, a contact merged into one
   with the same address: candidates, unchanged.
   Two limits keep the back office working whatever happens: more than
   ``COMPARE_LIMIT`` candidates at once (a carrier renamed that thousands
   of orders show) are all marked changed in one statement, without being
   made anew; orders whose object cannot be made (a bug) are marked
   changed, and the error logged, rather than failing the user's change.
   Either way their digest is taken again at their next change.
3. *What is kept* is per order and cannot repeat: a worker keeps the JSON
   text of objects it made (the reader's ``_json``), ``OBJECT_CACHE_BYTES``
   of them at most (``lib.byte_lru``), keyed by order, ``updated_at`` and
   the reader's language, read in the reader's snapshot.

Order lines show their products as they were ordered, and deliveries'
lines the EANs their moves stored: renaming or re-barcoding a product
changes no order object. Raw SQL by third parties on what the object shows
is outside this guarantee.
"""

import hashlib
import logging

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from ..lib.json_text import json_text
from .stock_move import mark_forecast_candidates

# the orders whose object may have changed in this transaction: a set of
# ids in the cursor's precommit data, settled by ``_order_api_settle``
CANDIDATES = "partner_order_api.changed_orders"
_logger = logging.getLogger(__name__)

# orders made anew and compared at once (memory of a settle)
SETTLE_BATCH = 500
# more candidates than this in one transaction are marked changed without
# being compared (each costs about a third of a millisecond to make anew)
COMPARE_LIMIT = 5000

_INVOICE = "order_line.invoice_lines.move_id"
_PICKING = "picking_ids"
# What the order object reads, as Odoo field paths from the order: the
# order's own records and the shared ones they name (see the module's
# docstring). Kept beside the statements by a test, not by hand.
ORDER_API_OBJECT_DEPENDS = (
    "name",
    "state",
    "amount_total",
    "amount_tax",
    "order_api_external_id",
    "order_api_note",
    "order_api_status",
    "order_api_test",
    "currency_id.name",
    "currency_id.rounding",
    "partner_shipping_id",
    *(
        f"partner_shipping_id.{name}"
        for name in ("name", "street", "street2", "zip", "city", "country_id.code")
    ),
    *(
        f"partner_shipping_id.{name}"
        for name in ("company_name", "phone", "email", "state_id.code")
    ),
    "carrier_id.order_api_code",
    "carrier_id.name",
    "order_line.is_delivery",
    *(
        f"order_line.{name}"
        for name in (
            "sequence",
            "display_type",
            "name",
            "product_id",
            "order_api_product_name",
            "order_api_ean",
            "order_api_default_code",
            "product_uom_qty",
            "qty_delivered",
            "price_reduce_taxexcl",
            "price_subtotal",
        )
    ),
    *(
        f"{_INVOICE}.{name}"
        for name in (
            "name",
            "move_type",
            "state",
            "payment_state",
            "invoice_date",
            "invoice_date_due",
            "amount_total",
            "amount_residual",
            "currency_id.name",
            "currency_id.rounding",
            # invoices[].formats (lib/einvoice.py)
            "company_id",
            "commercial_partner_id.country_id.code",
            "commercial_partner_id.invoice_edi_format_store",
        )
    ),
    "order_line.invoice_lines.quantity",  # credit notes of returns
    *(
        f"{_PICKING}.{name}"
        for name in (
            "name",
            "state",
            "picking_type_id.code",
            "scheduled_date",
            "date_done",
            "carrier_id.name",
            "carrier_id.delivery_type",
            "carrier_id.tracking_url",
            "carrier_tracking_ref",
            "move_ids.product_id",
            "move_ids.order_api_ean",
            "move_ids.state",
            "move_ids.product_uom_qty",
            "move_ids.quantity",
            "move_line_ids.lot_id.name",
            "move_line_ids.lot_id.kit_barcode",
            "move_line_ids.quantity",
            "move_line_ids.location_id.usage",
            "move_line_ids.location_dest_id.usage",
            # returns (order_reader_returns.py)
            "return_id",
            "order_api_return_reason",
            "move_ids.origin_returned_move_id",
            "move_ids.sale_line_id",
            "move_ids.to_refund",
        )
    ),
    # what the buyer plans with, and its lines' open moves (issue 27:
    # order_reader_forecast.py; the forecast itself, made of other orders'
    # moves and receipts, is watched by stock_move.py)
    "commitment_date",
    "picking_policy",
    "order_line.order_api_customer_reference",
    *(
        f"order_line.move_ids.{name}"
        for name in ("state", "product_id", "picking_id.scheduled_date")
    ),
    # despatch data (issue 28: order_reader_despatch.py)
    *(
        f"{_PICKING}.{name}"
        for name in (
            "weight",
            "move_ids.weight",
            "move_ids.product_qty",
            "move_line_ids.move_id",
            "move_line_ids.state",
            "move_line_ids.quantity_product_uom",
            "move_line_ids.result_package_id.name",
            "move_line_ids.result_package_id.shipping_weight",
            "move_line_ids.result_package_id.package_type_id.name",
            "move_line_ids.result_package_id.package_type_id.base_weight",
        )
    ),
)
# a lot's expiry date, when ``product_expiry`` (optional) gives lots one
_EXPIRY_DEPENDS = f"{_PICKING}.move_line_ids.lot_id.expiration_date"


def order_api_object_depends(model):
    """``ORDER_API_OBJECT_DEPENDS`` for this registry: with the lots'
    expiry date when ``product_expiry`` is installed (a path to a field the
    registry lacks would not load). Odoo calls it when it sets the
    registry's triggers up, at every load, so installing or removing the
    module changes them."""
    if "expiration_date" in model.env["stock.lot"]._fields:
        return (*ORDER_API_OBJECT_DEPENDS, _EXPIRY_DEPENDS)
    return ORDER_API_OBJECT_DEPENDS


class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    order_api_updated_at = fields.Datetime(
        string="Partner API Updated At",
        readonly=True,
        copy=False,
        help="When the order as the API shows it (status, deliveries, lots, "
        "tracking...) last changed; microsecond precision, for updated_since.",
    )
    order_api_object_changed = fields.Boolean(
        string="Partner API Change Trigger",
        compute="_compute_order_api_object_changed",
        store=True,
        readonly=True,
        copy=False,
        help="Technical: recomputed whenever something the Partner Order API "
        "shows of the order may have changed, which compares the order as "
        "the API shows it and sets Partner API Updated At when it differs.",
    )

    def _auto_init(self):
        cr = self.env.cr
        # the trigger's column exists before the field is added, so that
        # Odoo computes it for no existing order (which would make them all
        # candidates at install or upgrade); the digest is no field (no RPC
        # reads it), its column is the model's own
        if not column_exists(cr, self._table, "order_api_object_changed"):
            create_column(cr, self._table, "order_api_object_changed", "boolean")
        if not column_exists(cr, self._table, "order_api_digest"):
            create_column(cr, self._table, "order_api_digest", "bytea")
        return super()._auto_init()

    def init(self):
        res = super().init()
        self.env.cr.execute(
            """
            -- distinct per order (write_date has whole seconds), so that sync
            -- pages never meet a long run of equal timestamps
            UPDATE sale_order
               SET order_api_updated_at = COALESCE(write_date, create_date)
                                          + (id % 1000000) * INTERVAL '1 microsecond'
             WHERE order_api_updated_at IS NULL;
            """
        )
        return res

    @api.depends(order_api_object_depends)
    def _compute_order_api_object_changed(self):
        """A trigger, not a value: Odoo runs it when something the order
        object reads changes (``order_api_object_depends``)."""
        self._order_api_mark_changed()
        self.order_api_object_changed = False

    def _order_api_mark_changed(self, lock=True):
        """Make the orders of ``self`` candidates: their objects are compared
        before this transaction commits (``_order_api_settle``). ``lock``
        False: orders this transaction does not change itself, only perhaps
        their objects (another order's forecast, ``stock_move.py``): not
        locked, so that orders of one product placed at once by several
        partners do not wait on, and fail to serialize against, each
        other's rows; only an object that did change is written (and so
        locked) by the settle."""
        ids = [order_id for order_id in self.ids if isinstance(order_id, int)]
        if not ids:
            return
        candidates = self._order_api_settle_at_commit()
        new = [order_id for order_id in ids if order_id not in candidates]
        if new and lock:
            # Their rows are locked now, during the recomputation, before
            # Odoo writes the records that changed, as the UPDATE that may
            # follow would: two transactions changing one order (the
            # reservation cron and a cancellation) meet on this statement:
            # the second waits for the first, then PostgreSQL refuses it
            # (could not serialize), and no error is logged; Odoo retries
            # the request, the cron postpones the picking.
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM sale_order WHERE id = ANY(%s)"
                    " ORDER BY id FOR NO KEY UPDATE",
                    new,
                ),
                log_exceptions=False,
            )
        candidates.update(ids)

    @api.model
    def _order_api_settle_at_commit(self):
        """The candidates of this transaction (a set of order ids), the
        settle run before it commits (``_order_api_settle``)."""
        data = self.env.cr.precommit.data
        candidates = data.get(CANDIDATES)
        if candidates is None:
            candidates = data[CANDIDATES] = set()
            self.env.cr.precommit.add(self.sudo()._order_api_settle)
        return candidates

    def _order_api_settle(self):
        """Give a new ``updated_at`` to the candidates of this transaction
        whose object differs from the one their digest was taken of, and
        store their new digest. Run before the transaction commits, and by
        the reader's ``_serialize`` before it reads."""
        cr = self.env.cr
        self.env.flush_all()  # recomputations name their candidates first
        # the orders waiting for a product whose stock moved (stock_move.py)
        mark_forecast_candidates(self.env)
        candidates = cr.precommit.data.pop(CANDIDATES, None)
        if not candidates:
            return
        Order = self.env["sale.order"].sudo()
        ids = sorted(candidates)
        if len(ids) > COMPARE_LIMIT:
            Order.browse(ids)._order_api_store_digests(dict.fromkeys(ids), touch=True)
            ids = []
        for start in range(0, len(ids), SETTLE_BATCH):
            orders = Order.browse(ids[start : start + SETTLE_BATCH]).exists()
            digests = orders._order_api_safe_digests()
            cr.execute(
                SQL(
                    "SELECT id, order_api_digest FROM sale_order WHERE id = ANY(%s)",
                    orders.ids,
                )
            )
            changed = [
                order_id
                for order_id, stored in cr.fetchall()
                if stored is None
                or digests[order_id] is None
                or bytes(stored) != digests[order_id]
            ]
            if changed:
                orders.browse(changed)._order_api_store_digests(digests, touch=True)
        Order.invalidate_model(["order_api_updated_at"])

    def _order_api_safe_digests(self):
        """``_order_api_digests``, or ``None`` for each order when their
        objects cannot be made: the error is logged, and the change that
        made them candidates goes through (they are marked changed)."""
        try:
            with self.env.cr.savepoint(flush=False):
                return self._order_api_digests()
        except psycopg2.Error:
            raise  # the transaction's own trouble (a conflict): retried
        except Exception:
            _logger.exception(
                "Partner Order API: the order objects of %s could not be made; "
                "marked changed without comparing",
                self,
            )
            return dict.fromkeys(self.ids)

    def _order_api_digests(self):
        """{order id: SHA-256 of its object as committed now}: every field
        but ``updated_at``, carriers named in every language."""
        reader = self.env["partner.order.api.order.reader"]
        objects = reader._objects(self, all_languages=True)
        digests = {}
        for order_id, order_object in zip(self.ids, objects, strict=True):
            order_object.pop("updated_at")
            digests[order_id] = hashlib.sha256(json_text(order_object)).digest()
        return digests

    def _order_api_store_digests(self, digests, touch):
        """Store the digests of the orders of ``self``; with ``touch``, mark
        their object changed now. A raw UPDATE with clock_timestamp():
        microseconds and a distinct time per row, so that a client syncing
        with updated_since can page by it."""
        # Two transactions changing one order (the reservation cron and a
        # cancellation) meet on this row: PostgreSQL refuses one of them
        # (could not serialize), which Odoo retries (requests) or the
        # caller postpones (the reservation cron). The exception goes up
        # as it is; it is not logged here as a "bad query" error.
        self.env.cr.execute(
            SQL(
                """
                UPDATE sale_order so
                   SET order_api_digest = v.digest,
                       order_api_updated_at = CASE WHEN %s
                           THEN clock_timestamp() AT TIME ZONE 'UTC'
                           ELSE so.order_api_updated_at END
                  FROM unnest(%s::int[], %s::bytea[]) AS v(id, digest)
                 WHERE so.id = v.id
                """,
                touch,
                self.ids,
                [digests[order_id] for order_id in self.ids],
            ),
            log_exceptions=False,
        )

    def _order_api_fill_digests(self):
        """Take the digest of every order that has none, moving no
        ``updated_at`` (at install, and by the 18.0.1.3.0 migration)."""
        cr = self.env.cr
        cr.execute("SELECT id FROM sale_order WHERE order_api_digest IS NULL")
        ids = [row[0] for row in cr.fetchall()]
        Order = self.env["sale.order"].sudo()
        for start in range(0, len(ids), SETTLE_BATCH):
            orders = Order.browse(ids[start : start + SETTLE_BATCH])
            orders._order_api_store_digests(orders._order_api_digests(), touch=False)
            self.env.invalidate_all()
