# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Whose order it is, for the API and the portal: the commercial partner of
the order's customer when the order was placed, kept on the order
(``sale.order.order_api_owner_id``).

An admin who later moves the customer contact to another company (its
``parent_id``) moves neither the contact's orders nor their documents,
history or webhooks: the partner that placed them keeps them, the new
company does not gain them. While an order is a draft or a sent
quotation, changing its customer changes its owner too.
"""

from odoo import api, fields, models

# the orders whose customer may still change, and the owner with it
_OWNER_FOLLOWS_STATES = ("draft", "sent")

# Filled for the orders that have no owner (those of the releases before it,
# or created by raw SQL): an order placed through the API by the partner
# that placed it, any other by its customer's commercial partner now.
_FILL_OWNERS = """
    UPDATE sale_order
       SET order_api_owner_id = COALESCE(sale_order.order_api_partner_id,
                                         customer.commercial_partner_id,
                                         customer.id)
      FROM res_partner customer
     WHERE customer.id = sale_order.partner_id
       AND sale_order.order_api_owner_id IS NULL
"""

# GET orders by owner: newest first, by change for sync, and total_count's
# index-only scan (the owner leads each, so none of its own is needed)
_INDEXES = """
    DROP INDEX IF EXISTS sale_order_order_api_created_idx;
    DROP INDEX IF EXISTS sale_order_order_api_updated_idx;
    DROP INDEX IF EXISTS sale_order_order_api_count_idx;
    CREATE INDEX IF NOT EXISTS sale_order_order_api_owner_created_idx
        ON sale_order (order_api_owner_id, create_date DESC, id DESC);
    CREATE INDEX IF NOT EXISTS sale_order_order_api_owner_updated_idx
        ON sale_order (order_api_owner_id, order_api_updated_at, id);
    CREATE INDEX IF NOT EXISTS sale_order_order_api_owner_count_idx
        ON sale_order (order_api_owner_id, company_id, state);
"""


class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    order_api_owner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Partner API Owner",
        help="The commercial partner the order belongs to for the Partner "
        "Order API and the portal: the commercial partner of its customer "
        "when it was placed. Moving the customer contact to another company "
        "later does not move the order.",
        readonly=True,
        copy=False,
        # indexed by the composite indexes of _INDEXES, which it leads
        index=False,
    )

    @api.model_create_multi
    def create(self, vals_list):
        """The owner is the commercial partner of the customer at creation,
        whatever the values say."""
        Partner = self.env["res.partner"].sudo()
        customers = Partner.browse(
            {vals["partner_id"] for vals in vals_list if vals.get("partner_id")}
        )
        owners = {c.id: c.commercial_partner_id.id for c in customers}
        vals_list = [
            dict(vals, order_api_owner_id=owners.get(vals.get("partner_id"), False))
            for vals in vals_list
        ]
        orders = super().create(vals_list)
        # a customer from a default or an onchange, not from the values
        unowned = orders.filtered(lambda o: o.partner_id and not o.order_api_owner_id)
        for owner, group in (
            unowned.sudo().grouped(lambda o: o.partner_id.commercial_partner_id).items()
        ):
            group.order_api_owner_id = owner
        return orders

    def write(self, vals):
        """A draft's or a sent quotation's owner follows its customer; a
        confirmed or cancelled order keeps its owner."""
        if not vals.get("partner_id") or "order_api_owner_id" in vals:
            return super().write(vals)
        movable = self.filtered(lambda o: o.state in _OWNER_FOLLOWS_STATES)
        owner = (
            self.env["res.partner"].sudo().browse(vals["partner_id"])
        ).commercial_partner_id
        res = super(SaleOrder, self - movable).write(vals)
        if movable:
            super(SaleOrder, movable).write(dict(vals, order_api_owner_id=owner.id))
        return res

    def init(self):
        res = super().init()
        self._order_api_fill_owners()
        self.env.cr.execute(_INDEXES)
        return res

    @api.model
    def _order_api_fill_owners(self):
        """Give every order without an owner its owner, in one UPDATE (at
        install and upgrade, see ``_FILL_OWNERS``)."""
        self.env["sale.order"].flush_model(["order_api_owner_id", "partner_id"])
        self.env.cr.execute(_FILL_OWNERS)
        self.env["sale.order"].invalidate_model(["order_api_owner_id"])


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def write(self, vals):
        """A contact moved to another commercial partner stops following
        the orders it does not own, and their invoices: Odoo's portal rules
        show an order or an invoice to the users of every company one of
        whose contacts follows it, and the contact that placed an order
        follows it (and its invoices, as their customer)."""
        if "parent_id" not in vals and "is_company" not in vals:
            return super().write(vals)
        contacts = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", self.ids)])
        )
        before = {c.id: c.commercial_partner_id for c in contacts}
        res = super().write(vals)
        moved = contacts.filtered(lambda c: c.commercial_partner_id != before[c.id])
        if moved:
            self._order_api_unfollow_foreign_orders(moved)
        return res

    @api.model
    def _order_api_unfollow_foreign_orders(self, contacts):
        """Unsubscribe ``contacts`` from the orders, and their invoices, that
        are not their commercial partner's; a query per new commercial
        partner."""
        Order = self.env["sale.order"].sudo().with_context(active_test=False)
        for owner, group in contacts.grouped("commercial_partner_id").items():
            orders = Order.search(
                [
                    ("order_api_owner_id", "!=", owner.id),
                    "|",
                    ("message_partner_ids", "in", group.ids),
                    ("invoice_ids.message_partner_ids", "in", group.ids),
                ]
            )
            if orders:
                orders.message_unsubscribe(partner_ids=group.ids)
                orders.invoice_ids.message_unsubscribe(partner_ids=group.ids)
