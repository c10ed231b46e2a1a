# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the partner form's "Order API" tab shows, and who may change it.

Sales managers configure the API fields of a partner; salespeople read them.
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .res_partner import SALES

# Fields of the API configuration: only sales managers (or elevated code) write them.
ORDER_API_CONFIG_FIELDS = frozenset(
    {
        "order_api_enabled",
        "order_api_product_ids",
        "order_api_carrier_ids",
        "order_api_webhook_url",
        "order_api_webhook_event_type_ids",
        "order_api_rate_limit_per_minute",
    }
)


# Kept apart from res_partner.py (the API's own fields and rules) on purpose:
# this file is the backend's view of a partner.
class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    order_api_portal_user_ids = fields.Many2many(
        comodel_name="res.users",
        string="Order API Portal Users",
        compute="_compute_order_api_stats",
        groups=SALES,
        help="Portal users of this company and its contacts: they create the API keys.",
    )
    order_api_portal_user_count = fields.Integer(
        string="Portal Users",
        compute="_compute_order_api_stats",
        groups=SALES,
    )
    order_api_key_count = fields.Integer(
        string="Valid API Keys",
        compute="_compute_order_api_stats",
        groups=SALES,
    )
    order_api_webhook_event_count = fields.Integer(
        string="Webhook Deliveries",
        compute="_compute_order_api_stats",
        groups=SALES,
    )
    order_api_webhook_company_id = fields.Many2one(
        comodel_name="res.company",
        string="Webhook of",
        compute="_compute_order_api_webhook_company_id",
        groups=SALES,
        help="The webhook settings shown are this company's (the current one): "
        "each company has its own, which receives the orders of that company only. "
        "Switch company to see or change another company's.",
    )
    order_api_order_count = fields.Integer(
        string="API Orders",
        compute="_compute_order_api_stats",
        groups=SALES,
    )

    @api.depends_context("company")
    def _compute_order_api_webhook_company_id(self):
        self.order_api_webhook_company_id = self.env.company

    def _compute_order_api_stats(self):
        """A fixed number of queries for any number of partners; orders and
        webhook deliveries are counted as the current user sees them."""
        commercial_ids = self.commercial_partner_id.ids
        users_by_commercial = {}
        keys_by_user = {}
        events_by_partner = {}
        orders_by_partner = {}
        if commercial_ids:
            users = (
                self.env["res.users"]
                .sudo()
                .search(
                    [
                        ("share", "=", True),
                        ("partner_id.commercial_partner_id", "in", commercial_ids),
                    ]
                )
            )
            for user in users:
                keys_by_user[user.id] = (
                    user.order_api_key_count
                )  # one query for all users
                commercial = user.partner_id.commercial_partner_id.id
                users_by_commercial.setdefault(commercial, self.env["res.users"])
                users_by_commercial[commercial] |= user
            events_by_partner = {
                partner.id: count
                for partner, count in self.env[
                    "partner.order.api.webhook.event"
                ]._read_group(
                    [("partner_id", "in", commercial_ids)], ["partner_id"], ["__count"]
                )
            }
            orders_by_partner = {
                partner.id: count
                for partner, count in self.env["sale.order"]._read_group(
                    [("order_api_partner_id", "in", commercial_ids)],
                    ["order_api_partner_id"],
                    ["__count"],
                )
            }
        for partner in self:
            commercial = partner.commercial_partner_id.id
            users = users_by_commercial.get(commercial, self.env["res.users"])
            partner.order_api_portal_user_ids = users
            partner.order_api_portal_user_count = len(users)
            partner.order_api_key_count = sum(keys_by_user[uid] for uid in users.ids)
            partner.order_api_webhook_event_count = events_by_partner.get(commercial, 0)
            partner.order_api_order_count = orders_by_partner.get(commercial, 0)

    @api.model_create_multi
    def create(self, vals_list):
        if any(
            vals.get(name) for vals in vals_list for name in ORDER_API_CONFIG_FIELDS
        ):
            self._order_api_check_can_configure()
        return super().create(vals_list)

    def write(self, vals):
        if ORDER_API_CONFIG_FIELDS.intersection(vals):
            self._order_api_check_can_configure()
        return super().write(vals)

    def web_read(self, specification):
        """The form's allowed products carry the partner shown as
        ``order_api_partner_id``, so their "Partner Price" is what the API
        answers this partner. The view's ``context="{'order_api_partner_id':
        id}"`` cannot do it: the web client evaluates it before the record is
        loaded, with no ``id``, and the column showed list prices."""
        if len(self) == 1 and "order_api_product_ids" in specification:
            products_spec = dict(specification["order_api_product_ids"] or {})
            products_spec["context"] = dict(
                products_spec.get("context") or {}, order_api_partner_id=self.id
            )
            specification = dict(specification, order_api_product_ids=products_spec)
        return super().web_read(specification)

    @api.model
    def _order_api_check_can_configure(self):
        if self.env.su or self.env.user.has_group("sales_team.group_sale_manager"):
            return
        raise AccessError(
            _("Only sales managers can change a partner's Partner Order API settings.")
        )

    def _order_api_check_backend_access(self):
        """The smart buttons open backend views: salespeople only, and only
        on partners they may read (they are public methods, so any logged-in
        user can call them through RPC)."""
        if not self.env.su and not self.env.user.has_group(
            "sales_team.group_sale_salesman"
        ):
            raise AccessError(
                _("Only salespeople can open the Partner Order API views of a partner.")
            )
        self.check_access("read")

    def action_view_order_api_webhook_events(self):
        self.ensure_one()
        self._order_api_check_backend_access()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "partner_order_api.action_partner_order_api_webhook_event"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"create": False}
        return action

    def action_view_order_api_orders(self):
        self.ensure_one()
        self._order_api_check_backend_access()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [
            ("order_api_partner_id", "=", self.commercial_partner_id.id)
        ]
        action["context"] = {"create": False}
        return action

    def action_view_order_api_products(self):
        self.ensure_one()
        self._order_api_check_backend_access()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "product.product_normal_action_sell"
        )
        partner = self.commercial_partner_id
        action["name"] = _(
            "Allowed Products: %(partner)s", partner=partner.display_name
        )
        action["domain"] = [("order_api_partner_ids", "in", partner.ids)]
        action["context"] = {"order_api_partner_id": partner.id}
        return action
