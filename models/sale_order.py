# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import SQL, float_compare

from ..lib.validation import STATUSES

# sale.order fields whose change changes the order object
_TOUCHING_FIELDS = {
    "name",
    "state",
    "order_line",
    "partner_shipping_id",
    "currency_id",
    "pricelist_id",
    "order_api_external_id",
    "order_api_note",
}
_TOUCHING_LINE_FIELDS = {
    "product_id",
    "product_uom_qty",
    "price_unit",
    "discount",
    "tax_id",
    "display_type",
}


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
        "the Partner Order API), unique per partner.",
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

    _sql_constraints = [
        (
            "order_api_external_id_uniq",
            "UNIQUE(order_api_partner_id, order_api_external_id)",
            "This external order ID is already used by this partner.",
        ),
    ]

    def init(self):
        res = super().init()
        cr = self.env.cr
        # GET orders: a partner's orders newest first, or by change for sync
        cr.execute(
            """
            CREATE INDEX IF NOT EXISTS sale_order_order_api_created_idx
                ON sale_order (partner_id, create_date DESC, id DESC);
            CREATE INDEX IF NOT EXISTS sale_order_order_api_updated_idx
                ON sale_order (partner_id, order_api_updated_at, id);
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

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        orders._order_api_touch()
        return orders

    def write(self, vals):
        res = super().write(vals)
        if _TOUCHING_FIELDS.intersection(vals):
            self._order_api_touch()
        return res

    def _order_api_touch(self):
        """Mark the order object as changed now. A raw UPDATE with
        clock_timestamp(): microseconds and a distinct time per row, so that a
        client syncing with updated_since can page by it."""
        ids = [order_id for order_id in self.ids if isinstance(order_id, int)]
        if not ids:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE sale_order SET order_api_updated_at = (clock_timestamp() AT TIME ZONE 'UTC') "
                "WHERE id = ANY(%s)",
                ids,
            )
        )
        self.invalidate_recordset(["order_api_updated_at"])

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
        customer in done moves, less those that came back through a done return,
        each once, in the order they were first shipped. A lot shows its kit
        barcode where it has one. One query for all the orders of ``self``."""
        if not self:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT sol.order_id,
                   COALESCE(NULLIF(lot.kit_barcode, ''), lot.name) AS label
              FROM stock_move_line sml
              JOIN stock_move sm ON sm.id = sml.move_id
              JOIN sale_order_line sol ON sol.id = sm.sale_line_id
              JOIN stock_location src ON src.id = sml.location_id
              JOIN stock_location dst ON dst.id = sml.location_dest_id
              JOIN stock_lot lot ON lot.id = sml.lot_id
             WHERE sol.order_id = ANY(%s)
               AND sm.state = 'done'
               AND (src.usage = 'customer') <> (dst.usage = 'customer')
          GROUP BY sol.order_id, lot.id, lot.kit_barcode, lot.name
            HAVING SUM(CASE WHEN dst.usage = 'customer' THEN sml.quantity
                            ELSE -sml.quantity END) > 0
          ORDER BY sol.order_id, MIN(sml.id), lot.id
            """,
            [self.ids],
        )
        result = {order_id: [] for order_id in self.ids}
        for order_id, label in self.env.cr.fetchall():
            if label not in result[order_id]:
                result[order_id].append(label)
        return result

    def _order_api_serialize(self):
        """The contract's order object for every order of ``self``, in order.

        One serializer for the orders list, ``order_status``, the create
        response and the webhook. The number of queries does not depend on
        the number of orders: fields are read in batch (prefetch), lots in
        one query. Call it on records the caller was allowed to read, in sudo.
        """
        sent_lots = self._order_api_sent_lots()
        # the outgoing deliveries of all orders at once
        deliveries = {}
        for picking in self.picking_ids.sorted("id"):
            if picking.picking_type_code == "outgoing":
                deliveries.setdefault(picking.sale_id.id, []).append(picking)
        result = []
        for order in self:
            currency = order.currency_id
            shipping = order.partner_shipping_id
            order_deliveries = deliveries.get(order.id, [])
            lines = []
            for line in order.order_line:
                if line.display_type:
                    continue
                lines.append(
                    {
                        "ean": line.product_id.barcode or None,
                        "product_name": line.product_id.display_name or line.name,
                        "quantity": line.product_uom_qty,
                        "delivered_quantity": line.qty_delivered,
                        "unit_price": currency.round(line.price_unit),
                        "subtotal": currency.round(line.price_subtotal),
                    }
                )
            result.append(
                {
                    "biomes_order_id": order.name,
                    "external_order_id": order.order_api_external_id or None,
                    "status": order.order_api_status
                    or order._order_api_compute_status(),
                    "delivery_order_name": order_deliveries[0].name
                    if order_deliveries
                    else None,
                    "total_cost": currency.round(order.amount_total),
                    "currency": currency.name,
                    "sent_lots": sent_lots.get(order.id, []),
                    "created_at": utc_iso(order.create_date),
                    "updated_at": utc_iso(
                        order.order_api_updated_at, microseconds=True
                    ),
                    "note": order.order_api_note or None,
                    "delivery_address": {
                        "name": shipping.name or None,
                        "street": shipping.street or None,
                        "street2": shipping.street2 or None,
                        "zip": shipping.zip or None,
                        "city": shipping.city or None,
                        "country_code": shipping.country_id.code or None,
                    },
                    "lines": lines,
                    "tracking": [
                        {
                            "delivery_order_name": picking.name,
                            "carrier": picking.carrier_id.name or None,
                            "tracking_ref": picking.carrier_tracking_ref or None,
                            "date_done": utc_iso(picking.date_done),
                        }
                        for picking in order_deliveries
                        if picking.state == "done"
                    ],
                }
            )
        return result


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._order_api_touch()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if _TOUCHING_LINE_FIELDS.intersection(vals):
            self.order_id._order_api_touch()
        return res

    def unlink(self):
        orders = self.order_id
        res = super().unlink()
        orders.exists()._order_api_touch()
        return res


def utc_iso(value, microseconds=False):
    """A naive UTC datetime (as Odoo stores them) in ISO 8601 with ``Z``."""
    if not value:
        return None
    if not microseconds:
        value = value.replace(microsecond=0)
    return value.isoformat(timespec="microseconds" if microseconds else "seconds") + "Z"
