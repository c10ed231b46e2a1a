# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import SQL, float_compare, float_round
from odoo.tools.sql import column_exists, create_column

from ..lib.byte_lru import ByteLRU
from ..lib.json_text import json_text
from ..lib.schemas import STATUSES
from .partner_order_api_catalog import create_table as create_catalog_table
from .sale_order_line import LINES_QUERY, ordered_values

# orders a partner reads (see SaleOrder._order_api_partner_domain)
ORDER_API_STATES = ("sent", "sale", "cancel")
_PARTNER_PLACEHOLDER = "__order_api_partner__"

# What the order object shows of the order and of the records around it
# (``_order_api_serialize``). Odoo recomputes ``order_api_object_changed``
# whenever one of them changes, written or itself recomputed (a delivery's
# state, an invoice's payment state), which marks the order object changed
# (``_order_api_touch``): ``updated_at`` and ``updated_since`` follow every
# change of the object, and the objects' cache is keyed by it. Shared data
# (product names and barcodes, carriers, currencies, countries, units'
# precision) is versioned as a whole instead, not order by order
# (``partner.order.api.catalog.mixin``); lots touch their orders
# (``stock.lot.write``). The lines show their products as they were
# ordered, stored on the line (``sale_order_line.py``): a product renamed
# later changes no order object.
_INVOICE = "order_line.invoice_lines.move_id"
ORDER_API_OBJECT_DEPENDS = (
    "name",
    "state",
    "currency_id",
    "amount_total",
    "amount_tax",
    "order_api_external_id",
    "order_api_note",
    "order_api_status",
    "partner_shipping_id",
    *(
        f"partner_shipping_id.{name}"
        for name in ("name", "street", "street2", "zip", "city", "country_id")
    ),
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
            "currency_id",
        )
    ),
    *(
        f"picking_ids.{name}"
        for name in (
            "name",
            "state",
            "picking_type_id",
            "scheduled_date",
            "date_done",
            "carrier_id",
            "carrier_tracking_ref",
            "move_ids.product_id",
            "move_ids.state",
            "move_ids.product_uom_qty",
            "move_ids.quantity",
            "move_line_ids.lot_id",
            "move_line_ids.quantity",
            "move_line_ids.location_id",
            "move_line_ids.location_dest_id",
        )
    ),
)


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
    order_api_status = fields.Selection(
        selection=[
            (status, status.replace("_", " ").capitalize()) for status in STATUSES
        ],
        string="Partner API Status",
        compute="_compute_order_api_status",
        store=True,
        help="The status the Partner Order API shows for this order.",
    )
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
        "shows of the order changes, which sets Partner API Updated At.",
    )

    _sql_constraints = [
        (
            "order_api_external_id_uniq",
            "UNIQUE(order_api_partner_id, company_id, order_api_external_id)",
            "This external order ID is already used by this partner in this company.",
        ),
    ]

    # ------------------------------------------------------------------
    # What a partner sees: one definition for the API and the portal
    # ------------------------------------------------------------------

    @api.model
    def _order_api_partner_domain(self, partner_id):
        """THE orders the commercial partner ``partner_id`` reads, through
        the API and on the portal: the orders it owns (``order_api_owner_id``:
        the commercial partner of the customer when the order was placed;
        a contact moved to another company later takes none with it), once
        sent or confirmed (or cancelled): not draft quotations, wherever they
        came from. Companies are the reader's (Odoo's multi-company rule on
        the portal; the API adds the caller's one API company,
        ``partner.order.api.service._caller_company``). The API compiles this
        domain to SQL (``partner.order.api.service._orders_where``), the
        portal rules are written from it (``_order_api_sync_portal_rules``)."""
        return [
            ("order_api_owner_id", "=", partner_id),
            ("state", "in", ORDER_API_STATES),
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

    def init(self):
        res = super().init()
        cr = self.env.cr
        create_catalog_table(cr)
        # (GET orders' indexes: sale_order_owner.py, by owner)
        cr.execute(
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

    @api.depends(
        "state",
        "order_line.display_type",
        "order_line.product_id.type",
        "order_line.qty_delivered",
        "order_line.product_uom_qty",
    )
    def _compute_order_api_status(self):
        for order in self:
            order.order_api_status = order._order_api_compute_status()

    def _order_api_compute_status(self):
        """The contract's status from the order's state and delivery progress."""
        self.ensure_one()
        if self.state in ("draft", "sent"):
            return "pending"
        if self.state == "cancel":
            return "cancelled"
        lines = self.order_line.filtered(
            lambda line: not line.display_type and line.product_id.type == "consu"
        )
        if not lines:
            return "confirmed"
        if all(
            float_compare(
                line.qty_delivered,
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

    # ------------------------------------------------------------------
    # Change tracking for updated_since
    # ------------------------------------------------------------------

    def _auto_init(self):
        # the trigger's column exists before the field is added, so that
        # Odoo computes it for no existing order (which would mark them all
        # changed at install or upgrade)
        if not column_exists(self.env.cr, self._table, "order_api_object_changed"):
            create_column(
                self.env.cr, self._table, "order_api_object_changed", "boolean"
            )
        return super()._auto_init()

    @api.depends(*ORDER_API_OBJECT_DEPENDS)
    def _compute_order_api_object_changed(self):
        """A trigger, not a value: Odoo runs it when something the order
        object shows changes (``ORDER_API_OBJECT_DEPENDS``), and it marks
        the orders changed."""
        self._order_api_touch()
        self.order_api_object_changed = False

    def _order_api_touch(self):
        """Mark the order object as changed now. A raw UPDATE with
        clock_timestamp(): microseconds and a distinct time per row, so that a
        client syncing with updated_since can page by it."""
        ids = [order_id for order_id in self.ids if isinstance(order_id, int)]
        if not ids:
            return
        # Two transactions changing one order (the reservation cron and a
        # cancellation) meet on this row: PostgreSQL refuses one of them
        # (could not serialize), which Odoo retries (requests) or the
        # caller postpones (the reservation cron). The exception goes up
        # as it is; it is not logged here as a "bad query" error.
        self.env.cr.execute(
            SQL(
                "UPDATE sale_order SET order_api_updated_at = (clock_timestamp() AT TIME ZONE 'UTC') "
                "WHERE id = ANY(%s)",
                ids,
            ),
            log_exceptions=False,
        )
        self.invalidate_recordset(["order_api_updated_at"])

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

    # ------------------------------------------------------------------
    # The order object of the Partner Order API
    # ------------------------------------------------------------------

    def _order_api_sent_lots(self):
        """{order id: [lot labels]}: the lots and serials that left for the
        customer in done moves of the order's transfers, less those that came
        back through a done return, each once, in the order they were first
        shipped. A lot shows its kit barcode where it has one. One query for
        all the orders of ``self``, through the transfers' ``sale_id``
        (deliveries and their returns share the order's procurement group)."""
        if not self:
            return {}
        self.env.flush_all()
        result = {order_id: [] for order_id in self.ids}
        self.env.cr.execute(SQL(_SENT_LOTS, list(self.ids)))
        for order_id, label in self.env.cr.fetchall():
            if label not in result[order_id]:
                result[order_id].append(label)
        return result

    def _order_api_query(self, query, *params):
        """The rows of the fixed query ``query`` of the order object (text
        with a ``%s`` per parameter) run with ``params``, as dicts."""
        self.env.cr.execute(SQL(query, *params))
        return self.env.cr.dictfetchall()

    def _order_api_serialize(self, headers=None):
        """The contract's order object for every order of ``self``, in order.

        One serializer for the orders list, ``order_status``, the create
        response and the webhook. Call it on records the caller was allowed
        to read. A page of 100 orders is the API's hot path (see the README,
        "Performance and limits"), so ``_order_api_fetch`` reads what the
        order object shows, and only that, in a fixed number of queries
        whatever the number of orders; the ``_prepare_order_api_*`` helpers
        shape it. ``headers``: the orders' rows of ``ORDER_API_HEADER_COLUMNS``
        when the caller read them already (``_list_orders`` reads them with
        the page), by order id.
        """
        if not self:
            return []
        data = self._order_api_fetch(headers)
        rounders = {}
        result = []
        for order in self:
            header = data["headers"][order.id]
            rounding = header["rounding"]
            if rounding not in rounders:
                rounders[rounding] = _rounder(rounding)
            result.append(order._prepare_order_api_values(data, rounders[rounding]))
        return result

    def _order_api_json(self, headers, catalog):
        """The order objects of ``self``, in order, as JSON texts (UTF-8).

        ``headers``: the orders' rows of ``ORDER_API_HEADER_COLUMNS``, by
        order id; ``catalog``: the version of the shared data
        (``partner_order_api_catalog.CATALOG_VERSION``), read in the same
        transaction. Each worker process keeps the objects it made last, up
        to ``OBJECT_CACHE_BYTES`` of them (``lib.byte_lru``), keyed by
        order, ``updated_at`` (new whenever something the object shows
        changes: ``ORDER_API_OBJECT_DEPENDS``),
        the catalog's version and the language: an object is made again
        (``_order_api_serialize``, for all the missing ones at once) only
        when one of these is new. The key is read in the reader's own
        snapshot, with the data, so a cached object is never older than
        what the reader's transaction sees."""
        cache = _object_cache(self.env.registry)
        lang = self.env.lang or "en_US"
        catalog = tuple(catalog)
        keys = {
            order_id: (order_id, headers[order_id]["updated_at"], catalog, lang)
            for order_id in self.ids
        }
        texts = {}
        for order_id, key in keys.items():
            text = cache.get(key)
            if text is not None:
                texts[order_id] = text
        missing = self.browse(
            [order_id for order_id in self.ids if order_id not in texts]
        )
        if missing:
            objects = missing._order_api_serialize(
                {order_id: headers[order_id] for order_id in missing.ids}
            )
            for order_id, order_object in zip(missing.ids, objects, strict=True):
                text = json_text(order_object)
                cache[keys[order_id]] = text
                texts[order_id] = text
        return [texts[order_id] for order_id in self.ids]

    def _order_api_fetch(self, headers=None):
        """What the order objects of ``self`` show, in five queries whatever
        the number of orders (four when the headers are given; one more for
        carrier integrations): orders with their address and currency
        (unless given: ``headers``), lines with their products as ordered
        (``LINES_QUERY``: stored on the lines), outgoing deliveries with
        their carriers, products and lots (``_DELIVERIES``), lots
        (``_order_api_sent_lots``), posted invoices and credit notes
        (``_order_api_invoices``). Carriers' names are read in the
        environment's language as the ORM reads them; the tracking link of a
        carrier integration (not a fixed or rule-based carrier) comes from
        the ORM. Returns ``{"headers": {order id: row}, "lines": {order id:
        [rows]}, "deliveries": {order id: [rows]}, "delivery_lines":
        {picking id: [rows]}, "delivery_lots": {picking id: [labels]},
        "sent_lots": {order id: [labels]}, "invoices": {order id: [rows]},
        "tracking_urls": {picking id: url}}``."""
        self.env.flush_all()
        cr = self.env.cr
        lang = self.env.lang or "en_US"
        order_ids = list(self.ids)
        if headers is None:
            cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE sale_order.id = ANY(%s)",
                    ORDER_API_HEADER_COLUMNS,
                    ORDER_API_HEADER_FROM,
                    order_ids,
                )
            )
            headers = {row["id"]: row for row in cr.dictfetchall()}
        lines = {}
        for row in self._order_api_query(LINES_QUERY, order_ids):
            lines.setdefault(row["order_id"], []).append(row)
        deliveries = {}
        delivery_lines = {}
        delivery_lots = {}
        for row in self._order_api_query(_DELIVERIES, order_ids, lang):
            deliveries.setdefault(row["sale_id"], []).append(row)
            delivery_lines[row["id"]] = row.pop("move_lines") or []
            # a label once, whichever lots bear it
            delivery_lots[row["id"]] = list(dict.fromkeys(row.pop("lot_labels") or []))
        pickings = [row for rows in deliveries.values() for row in rows]
        return {
            "headers": headers,
            "lines": lines,
            "deliveries": deliveries,
            "delivery_lines": delivery_lines,
            "delivery_lots": delivery_lots,
            "sent_lots": self._order_api_sent_lots(),
            "invoices": self._order_api_invoices(),
            "tracking_urls": self._order_api_tracking_urls(pickings),
            "qty_digits": self.env["decimal.precision"].precision_get(
                "Product Unit of Measure"
            ),
        }

    def _order_api_invoices(self):
        """{order id: [rows]}: the posted customer invoices and credit notes
        of the orders of ``self`` (their ``invoice_ids``: the moves of their
        lines' invoice lines), oldest first, in one query."""
        if not self:
            return {}
        invoices = {}
        for row in self._order_api_query(_INVOICES, list(self.ids)):
            invoices.setdefault(row["order_id"], []).append(row)
        return invoices

    def _order_api_tracking_urls(self, pickings):
        """{picking id: tracking URL} for the deliveries (rows of
        ``_order_api_fetch``) whose carrier is an integration (not a fixed or
        rule-based price: the query builds their link from the carrier's
        ``tracking_url``) and that have a tracking reference: the carrier
        computes the link (Odoo's ``carrier_tracking_url``)."""
        picking_ids = [
            row["id"]
            for row in pickings
            if row["delivery_type"]
            and row["delivery_type"] not in ("fixed", "base_on_rule")
            and row["carrier_tracking_ref"]
        ]
        if not picking_ids:
            return {}
        urls = {}
        for picking in self.env["stock.picking"].sudo().browse(picking_ids):
            url = picking.carrier_tracking_url
            # several parcels: a JSON list of [reference, link] pairs
            links = picking.get_multiple_carrier_tracking()
            if isinstance(links, list):
                url = links[0][1] if links and len(links[0]) > 1 else None
            urls[picking.id] = url or None
        return urls

    def _prepare_order_api_values(self, data, rounded):
        """The order object of this order from ``_order_api_fetch``'s
        ``data``; ``rounded`` rounds an amount in the order's currency."""
        self.ensure_one()
        header = data["headers"][self.id]
        deliveries = data["deliveries"].get(self.id, [])
        line_values = self.env["sale.order.line"]._prepare_order_api_values
        return {
            "biomes_order_id": header["name"],
            "external_order_id": header["external_id"] or None,
            "status": header["status"] or self._order_api_compute_status(),
            "delivery_order_name": deliveries[0]["name"] if deliveries else None,
            "total_cost": rounded(header["amount_total"]),
            "total_tax": rounded(header["amount_tax"]),
            "currency": header["currency"],
            "sent_lots": data["sent_lots"].get(self.id, []),
            "created_at": utc_iso(header["create_date"]),
            "updated_at": utc_iso(header["updated_at"], microseconds=True),
            "note": header["note"] or None,
            "delivery_address": self._prepare_order_api_address_values(header),
            "lines": [
                line_values(
                    line,
                    rounded,
                    cancelled=header["state"] == "cancel",
                    digits=data["qty_digits"],
                )
                for line in data["lines"].get(self.id, [])
            ],
            "tracking": [
                self._prepare_order_api_tracking_values(picking)
                for picking in deliveries
                if picking["state"] == "done"
            ],
            "deliveries": [
                self._prepare_order_api_delivery_values(picking, data)
                for picking in deliveries
            ],
            "invoices": [
                self._prepare_order_api_invoice_values(invoice)
                for invoice in data["invoices"].get(self.id, [])
            ],
        }

    @api.model
    def _prepare_order_api_address_values(self, header):
        return {
            "name": header["ship_name"] or None,
            "street": header["street"] or None,
            "street2": header["street2"] or None,
            "zip": header["zip"] or None,
            "city": header["city"] or None,
            "country_code": header["country_code"] or None,
        }

    @api.model
    def _prepare_order_api_tracking_values(self, picking):
        return {
            "delivery_order_name": picking["name"],
            "carrier": picking["carrier"] or None,
            "tracking_ref": picking["carrier_tracking_ref"] or None,
            "date_done": utc_iso(picking["date_done"]),
        }

    @api.model
    def _prepare_order_api_delivery_values(self, picking, data):
        """One outgoing delivery (a row of ``_order_api_fetch``)."""
        return {
            "name": picking["name"],
            "state": picking["state"],
            "scheduled_date": utc_iso(picking["scheduled_date"]),
            "date_done": utc_iso(picking["date_done"]),
            "carrier": picking["carrier"] or None,
            "tracking_ref": picking["carrier_tracking_ref"] or None,
            "tracking_url": data["tracking_urls"].get(picking["id"])
            or picking["tracking_url"]
            or None,
            "lines": data["delivery_lines"].get(picking["id"], []),
            "lots": data["delivery_lots"].get(picking["id"], []),
        }

    @api.model
    def _prepare_order_api_invoice_values(self, invoice):
        """One posted invoice or credit note (a row of
        ``_order_api_invoices``), its amounts in its own currency."""
        rounded = _rounder(invoice["rounding"])
        return {
            "number": invoice["name"],
            "move_type": invoice["move_type"],
            "state": invoice["state"],
            "payment_state": invoice["payment_state"] or None,
            "invoice_date": _iso_date(invoice["invoice_date"]),
            "due_date": _iso_date(invoice["invoice_date_due"]),
            "amount_total": rounded(invoice["amount_total"]),
            "amount_residual": rounded(invoice["amount_residual"]),
            "currency": invoice["currency"],
        }

    @api.model
    def _prepare_order_api_quote_values(self, order, free, external_id, address, note):
        """The quote of ``POST order/quote`` from ``order``, an in-memory
        (``new()``) order that Odoo priced as the order ``POST order`` would
        create: the amounts are read from the same fields, in the same
        rounding, as the order object shows them. ``free``: {product id:
        free quantity or None} (``_free_quantities``); a line is
        ``available`` when its product is not kept in stock or its free
        quantity covers the line."""
        currency = order.currency_id
        order_lines = order.order_line.filtered(lambda line: not line.display_type)
        # the values its lines would store (sale_order_line.py)
        lang = order.partner_id.lang or "en_US"
        ordered = ordered_values(
            self.env, [(lang, product.id) for product in order_lines.product_id]
        )
        lines = []
        for line in order_lines:
            product = line.product_id
            free_qty = free.get(product.id)
            stored = ordered[lang, product.id]
            lines.append(
                {
                    "ean": stored["order_api_ean"] or None,
                    "product_name": stored["order_api_product_name"],
                    "default_code": stored["order_api_default_code"] or None,
                    "quantity": line.product_uom_qty,
                    "unit_price": currency.round(line.price_reduce_taxexcl),
                    "subtotal": currency.round(line.price_subtotal),
                    "available": free_qty is None
                    or float_compare(
                        free_qty,
                        line.product_uom_qty,
                        precision_rounding=line.product_uom.rounding,
                    )
                    >= 0,
                    "available_quantity": free_qty,
                }
            )
        return {
            "external_order_id": external_id or None,
            "total_cost": currency.round(order.amount_total),
            "total_tax": currency.round(order.amount_tax),
            "currency": currency.name,
            "available": all(line["available"] for line in lines),
            "note": note or None,
            "delivery_address": {
                key: address.get(key) or None
                for key in ("name", "street", "street2", "zip", "city", "country_code")
            },
            "lines": lines,
        }


# the outgoing deliveries of the orders (parameters: order ids, language)
# with their carriers, named in that language, and, as JSON columns, what each holds in the order object's
# ``deliveries``: a line per product, in the order of the moves, for a done
# delivery what it shipped (its done moves' quantities), for a cancelled one
# what it was to ship, for an open one what it is to ship (its moves that
# are not cancelled), in the unit of the order line; and the lots that left
# in a done delivery (none for the others: reservations change until then),
# a kit's barcode in place of its lot name as in ``sent_lots``. Set-based:
# the moves and move lines of all the deliveries in one pass each.
_DELIVERIES = """
    WITH picks AS (
        SELECT picking.id, picking.sale_id, picking.name, picking.state,
               picking.carrier_tracking_ref, picking.date_done,
               picking.scheduled_date, picking.carrier_id
          FROM stock_picking picking
          JOIN stock_picking_type type ON type.id = picking.picking_type_id
         WHERE picking.sale_id = ANY(%s) AND type.code = 'outgoing'
    ), moves AS (
        SELECT m.picking_id,
               json_agg(json_build_object('ean', m.barcode, 'quantity', m.quantity)
                        ORDER BY m.first_move) AS move_lines
          FROM (SELECT move.picking_id, NULLIF(product.barcode, '') AS barcode,
                       MIN(move.id) AS first_move,
                       SUM(CASE WHEN picks.state = 'done'
                                THEN CASE WHEN move.state = 'done'
                                          THEN move.quantity ELSE 0 END
                                WHEN picks.state = 'cancel' OR move.state <> 'cancel'
                                THEN move.product_uom_qty
                                ELSE 0 END) AS quantity
                  FROM picks
                  JOIN stock_move move ON move.picking_id = picks.id
                  JOIN product_product product ON product.id = move.product_id
              GROUP BY move.picking_id, move.product_id, product.barcode) m
         WHERE m.quantity > 0
      GROUP BY m.picking_id
    ), lots AS (
        SELECT l.picking_id,
               json_agg(l.label ORDER BY l.first_line, l.lot_id) AS lot_labels
          FROM (SELECT sml.picking_id,
                       COALESCE(NULLIF(lot.kit_barcode, ''), lot.name) AS label,
                       MIN(sml.id) AS first_line, lot.id AS lot_id
                  FROM picks
                  JOIN stock_move_line sml ON sml.picking_id = picks.id
                  JOIN stock_lot lot ON lot.id = sml.lot_id
                 WHERE sml.state = 'done' AND picks.state = 'done'
              GROUP BY sml.picking_id, lot.id, lot.kit_barcode, lot.name) l
      GROUP BY l.picking_id
    )
    SELECT picks.sale_id, picks.id, picks.name, picks.state,
           picks.carrier_tracking_ref, picks.date_done,
           picks.scheduled_date, carrier.delivery_type,
           CASE WHEN NULLIF(picks.carrier_tracking_ref, '') IS NULL
                THEN NULL
                ELSE REPLACE(carrier.tracking_url, '<shipmenttrackingnumber>',
                             picks.carrier_tracking_ref)
            END AS tracking_url,
           COALESCE(carrier.name->>%s, carrier.name->>'en_US') AS carrier,
           moves.move_lines, lots.lot_labels
      FROM picks
 LEFT JOIN delivery_carrier carrier ON carrier.id = picks.carrier_id
 LEFT JOIN moves ON moves.picking_id = picks.id
 LEFT JOIN lots ON lots.picking_id = picks.id
  ORDER BY picks.id
"""
# sale.order._order_api_sent_lots: (order id, label) of the orders (ids)
_SENT_LOTS = """
    SELECT picking.sale_id,
           COALESCE(NULLIF(lot.kit_barcode, ''), lot.name) AS label
      FROM stock_picking picking
      JOIN stock_move_line sml ON sml.picking_id = picking.id
      JOIN stock_location src ON src.id = sml.location_id
      JOIN stock_location dst ON dst.id = sml.location_dest_id
      JOIN stock_lot lot ON lot.id = sml.lot_id
     WHERE picking.sale_id = ANY(%s)
       AND sml.state = 'done'
       AND (src.usage = 'customer') <> (dst.usage = 'customer')
  GROUP BY picking.sale_id, lot.id, lot.kit_barcode, lot.name
    HAVING SUM(CASE WHEN dst.usage = 'customer' THEN sml.quantity
                    ELSE -sml.quantity END) > 0
  ORDER BY picking.sale_id, MIN(sml.id), lot.id
"""
# sale.order._order_api_invoices: the posted invoices of the orders (ids)
_INVOICES = """
    SELECT DISTINCT sol.order_id, move.id, move.name, move.move_type,
           move.state, move.payment_state, move.invoice_date,
           move.invoice_date_due, move.amount_total,
           move.amount_residual, currency.name AS currency,
           currency.rounding
      FROM sale_order_line sol
      JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
      JOIN account_move_line aml ON aml.id = rel.invoice_line_id
      JOIN account_move move ON move.id = aml.move_id
 LEFT JOIN res_currency currency ON currency.id = move.currency_id
     WHERE sol.order_id = ANY(%s)
       AND move.move_type IN ('out_invoice', 'out_refund')
       AND move.state = 'posted'
  ORDER BY sol.order_id, move.invoice_date, move.id
"""
# what the order object shows of the order, its currency and delivery address:
# the columns (``id`` first) and the tables, on ``sale_order`` by its name (a
# WHERE clause the ORM compiled applies as it is)
ORDER_API_HEADER_COLUMNS = SQL(
    """
    sale_order.id, sale_order.name, sale_order.order_api_external_id AS external_id,
    sale_order.order_api_status AS status, sale_order.order_api_note AS note,
    sale_order.state, sale_order.order_api_updated_at AS updated_at, sale_order.create_date,
    sale_order.amount_total, sale_order.amount_tax, currency.name AS currency,
    currency.rounding, ship.name AS ship_name, ship.street,
    ship.street2, ship.zip, ship.city, country.code AS country_code
    """
)
ORDER_API_HEADER_FROM = SQL(
    """
    sale_order
    LEFT JOIN res_currency currency ON currency.id = sale_order.currency_id
    LEFT JOIN res_partner ship ON ship.id = sale_order.partner_shipping_id
    LEFT JOIN res_country country ON country.id = ship.country_id
    """
)


# the bytes of order objects each worker process keeps (``_order_api_json``):
# about 10,000 objects of two lines, a few hundred of a hundred lines
OBJECT_CACHE_BYTES = 16 * 1024 * 1024


def _object_cache(registry):
    """The order objects' cache of this process for ``registry`` (a new
    registry, after an upgrade, starts a new one)."""
    cache = registry.__dict__.get("_partner_order_api_objects")
    if cache is None:
        cache = registry.__dict__.setdefault(
            "_partner_order_api_objects", ByteLRU(OBJECT_CACHE_BYTES)
        )
    return cache


def _rounder(rounding):
    """``amount -> amount`` rounded to ``rounding`` as ``res.currency.round``
    rounds (as is without a rounding), memoized: a page of orders repeats the
    same prices."""
    memo = {}

    def rounded(amount):
        amount = amount or 0.0
        if amount not in memo:
            memo[amount] = (
                float_round(amount, precision_rounding=rounding) if rounding else amount
            )
        return memo[amount]

    return rounded


def _iso_date(value):
    return value.isoformat() if value else None


def utc_iso(value, microseconds=False):
    """A naive UTC datetime (as Odoo stores them) in ISO 8601 with ``Z``."""
    if not value:
        return None
    if not microseconds:
        value = value.replace(microsecond=0)
    return value.isoformat(timespec="microseconds" if microseconds else "seconds") + "Z"
