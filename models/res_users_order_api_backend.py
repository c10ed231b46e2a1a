# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


# Kept apart from res_users.py (the API group's sync): what the partner
# form's "Order API" tab shows about portal users.
class ResUsers(models.Model):
    _inherit = "res.users"  # pylint: disable=consider-merging-classes-inherited

    order_api_key_count = fields.Integer(
        string="Valid API Keys",
        compute="_compute_order_api_key_count",
        help="API keys of this user that have not expired (any scope).",
    )

    def _compute_order_api_key_count(self):
        counts = {}
        if self.ids:
            counts = {
                user.id: count
                for user, count in self.env["res.users.apikeys"]
                .sudo()
                ._read_group(
                    [
                        ("user_id", "in", self.ids),
                        "|",
                        ("expiration_date", "=", False),
                        ("expiration_date", ">=", fields.Datetime.now()),
                    ],
                    ["user_id"],
                    ["__count"],
                )
            }
        for user in self:
            user.order_api_key_count = counts.get(user.id, 0)
