# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""API keys for the Partner Order API, created by the partner's integrator on
"My Account → Connection & Security" without debug mode.

Odoo's own ``make_key`` creates unscoped keys (they also open XML-RPC and
JSON-RPC); the portal section creates keys scoped to this API instead, behind
the same identity check (``check_identity``: the password is asked again) and
within the lifetime the user's groups allow (``_check_expiration_date``).
Revoking uses Odoo's own identity-checked ``remove()``.
"""

import datetime

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.base.models.res_users import check_identity

from .partner_order_api_caller import (
    API_KEY_SCOPE,
    API_KEY_SCOPE_READONLY,
    API_KEY_SCOPE_TEST,
)

KEY_DURATIONS = (30, 90, 180, 365)
KEY_NAME_MAX_LENGTH = 100


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    def write(self, vals):
        res = super().write(vals)
        # every worker checks a changed key again once this commits
        self.env["partner.order.api.caller"]._forget()
        return res

    def unlink(self):
        res = super().unlink()
        # a revoked key stops working in every worker once this commits (see
        # partner.order.api.caller._forget)
        self.env["partner.order.api.caller"]._forget()
        return res

    @api.model
    def _order_api_max_duration(self):
        """The longest lifetime (days) the current user's groups allow."""
        return max(self.env.user.groups_id.mapped("api_key_duration") or [0.0]) or 1.0

    @api.model
    def _order_api_duration_selection(self):
        """``[(days, label)]`` the current user may choose, shortest first."""
        max_days = int(self._order_api_max_duration())
        days = [d for d in KEY_DURATIONS if d <= max_days]
        if max_days not in days:
            days.append(max_days)
        labels = {
            30: _("1 month"),
            90: _("3 months"),
            180: _("6 months"),
            365: _("1 year"),
        }
        return [(d, labels.get(d) or self.env._("%(days)s days", days=d)) for d in days]

    @api.model
    def _order_api_scope_label(self, scope):
        return {
            API_KEY_SCOPE: _("Order API"),
            API_KEY_SCOPE_READONLY: _("Order API (read-only)"),
            API_KEY_SCOPE_TEST: _("Order API (test)"),
            False: _("All Odoo APIs"),
            None: _("All Odoo APIs"),
        }.get(scope, scope)

    @api.model
    @check_identity
    def action_order_api_make_key(self, name, duration, read_only=False, test=False):
        """Create an API key of the current user for the Partner Order API
        (``read_only``: scope ``partner_order_api.readonly``; ``test``: a test
        key, scope ``partner_order_api.test``, README "Test keys").

        Called from the portal through Odoo's identity check flow (the user
        types the password again). Returns the key in clear, once: only its
        hash is stored, and it is never logged.
        """
        user = self.env.user
        if not user.partner_id.commercial_partner_id.sudo().order_api_enabled:
            raise AccessError(
                _("Your company is not enabled for the Partner Order API.")
            )
        name = (name or "").strip()
        if not name:
            raise UserError(
                _("Give the key a description, e.g. the system that will use it.")
            )
        if len(name) > KEY_NAME_MAX_LENGTH:
            raise UserError(
                _(
                    "The description is too long (at most %(max)s characters).",
                    max=KEY_NAME_MAX_LENGTH,
                )
            )
        try:
            days = int(duration)
        except (TypeError, ValueError):
            days = 0
        if days not in dict(self._order_api_duration_selection()):
            raise UserError(_("Choose one of the proposed durations."))
        if read_only and test:
            raise UserError(_("A key is either read-only or a test key, not both."))
        expiration = fields.Datetime.now().replace(microsecond=0) + datetime.timedelta(
            days=days
        )
        scope = (
            API_KEY_SCOPE_READONLY
            if read_only
            else API_KEY_SCOPE_TEST
            if test
            else API_KEY_SCOPE
        )
        # As the user, not elevated: _check_expiration_date enforces the
        # lifetime its groups allow.
        key = self._generate(scope, name, expiration)
        # its row, for the page's Revoke button (Odoo's _generate answers the
        # secret only): the user's newest key of that name
        record = self.search(
            [("user_id", "=", self.env.uid), ("name", "=", name)],
            order="id desc",
            limit=1,
        )
        return {
            "id": record.id,
            "key": key,
            "name": name,
            "scope": scope,
            "scope_label": self._order_api_scope_label(scope),
            "expiration_date": fields.Datetime.to_string(expiration),
        }
