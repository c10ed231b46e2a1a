# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models

from .res_partner import check_groupby_access


class ResUsers(models.Model):
    _inherit = "res.users"

    def _read_group_groupby(self, groupby_spec, query):
        # the partner's fields it inherits, with their groups
        check_groupby_access(self, groupby_spec)
        return super()._read_group_groupby(groupby_spec, query)

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._order_api_sync_group()
        return users

    def write(self, vals):
        res = super().write(vals)
        if {"active", "partner_id", "company_id"} & vals.keys():
            # the API keys of a deactivated user stop working, and what
            # workers remember of the user as an API caller (its partner, its
            # company: partner.order.api.caller._facts; its allowed
            # companies clear every cache in Odoo itself) is read
            # again, in every worker once this commits
            self.env["partner.order.api.caller"]._forget()
        if "partner_id" in vals or any(
            key.startswith("in_group_")
            or key.startswith("sel_groups_")
            or key == "groups_id"
            for key in vals
        ):
            self._order_api_sync_group()
        return res

    def unlink(self):
        res = super().unlink()
        self.env["partner.order.api.caller"]._forget()
        return res

    def _order_api_sync_group(self):
        """Portal users of an API-enabled partner are "Order API users": the group
        lets them create API keys that last (``res.groups.api_key_duration``)."""
        group = self.env.ref(
            "partner_order_api.group_order_api_user", raise_if_not_found=False
        )
        if not group:
            return
        group = group.sudo()
        for user in self.sudo():
            wanted = (
                user.share and user.partner_id.commercial_partner_id.order_api_enabled
            )
            has = group in user.groups_id
            if wanted and not has:
                user.write({"groups_id": [(4, group.id)]})
            elif has and not wanted:
                user.write({"groups_id": [(3, group.id)]})
