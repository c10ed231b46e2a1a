# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models
from odoo.tools import float_compare


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

    _sql_constraints = [
        (
            "order_api_external_id_uniq",
            "UNIQUE(order_api_partner_id, order_api_external_id)",
            "This external order ID is already used by this partner.",
        ),
    ]

    # ------------------------------------------------------------------
    # The order object of the Partner Order API
    # ------------------------------------------------------------------

    def _order_api_status(self):
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
        # Read the outgoing deliveries of all orders at once.
        pickings = self.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        first_delivery = {}
        for picking in pickings.sorted("id"):
            first_delivery.setdefault(picking.sale_id.id, picking.name)
        result = []
        for order in self:
            currency = order.currency_id
            shipping = order.partner_shipping_id
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
                    "status": order._order_api_status(),
                    "delivery_order_name": first_delivery.get(order.id),
                    "total_cost": currency.round(order.amount_total),
                    "currency": currency.name,
                    "sent_lots": sent_lots.get(order.id, []),
                    "created_at": _utc_iso(order.create_date),
                    "delivery_address": {
                        "name": shipping.name or None,
                        "street": shipping.street or None,
                        "street2": shipping.street2 or None,
                        "zip": shipping.zip or None,
                        "city": shipping.city or None,
                        "country_code": shipping.country_id.code or None,
                    },
                    "lines": lines,
                }
            )
        return result


def _utc_iso(value):
    """A naive UTC datetime (as Odoo stores them) in ISO 8601 with ``Z``."""
    if not value:
        return None
    return value.replace(microsecond=0).isoformat() + "Z"
