# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""API keys for the Partner Order API, created by the partner's integrator on
"My Account → Connection & Security" without debug mode.

Odoo's own ``make_key`` creates unscoped keys (they also open XML-RPC and
JSON-RPC); the portal section creates keys scoped to this API instead, behind
the same identity check (``check_identity``: the password is asked again) and
within the lifetime the user's groups allow (``_check_expiration_date``).
Revoking uses Odoo's own identity-checked ``remove()``.

Issue 29 adds, per key: when and from where it was last used (written by
``partner.order.api.caller._record_use``), the networks it may be used from
(``order_api_allowed_networks``, ``lib.networks``), and a reminder mailed
to its user 14 days before it expires (``_cron_order_api_expiry_reminder``).
Odoo creates the table itself (``_auto = False``): ``init`` adds the columns.
"""

import datetime

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.base.models.res_users import check_identity

from ..lib import networks
from .partner_order_api_caller import (
    API_KEY_SCOPE,
    API_KEY_SCOPE_READONLY,
    API_KEY_SCOPE_TEST,
)

KEY_DURATIONS = (30, 90, 180, 365)
KEY_NAME_MAX_LENGTH = 100
REMINDER_DAYS = 14  # the expiry reminder is mailed this many days before
REMINDER_BATCH = 200  # keys reminded per cron run (it runs again for more)
# columns Odoo does not create (_auto = False): name -> SQL type
_COLUMNS = {
    "order_api_last_used_at": "timestamp without time zone",
    "order_api_last_used_ip": "varchar",
    "order_api_allowed_networks": "varchar",
    "order_api_expiry_reminded_at": "timestamp without time zone",
}
# bookkeeping: writing them changes nothing a worker remembers of the key
_UNREMEMBERED = {
    "order_api_last_used_at",
    "order_api_last_used_ip",
    "order_api_expiry_reminded_at",
}


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    order_api_last_used_at = fields.Datetime(
        "Last Used On",
        readonly=True,
        help="The latest Partner Order API request made with this key, to the "
        "minute (recorded at most once a minute per key).",
    )
    order_api_last_used_ip = fields.Char(
        "Last Used From",
        readonly=True,
        help="The client address of that request.",
    )
    order_api_allowed_networks = fields.Char(
        "Allowed Networks",
        help="Comma-separated IPv4/IPv6 addresses or CIDR ranges the Partner "
        "Order API accepts this key from (e.g. 203.0.113.0/24, 2001:db8::/48); "
        "empty: any address.",
    )
    order_api_expiry_reminded_at = fields.Datetime(
        "Expiry Reminder Sent On", readonly=True
    )

    def init(self):
        """Odoo creates the keys' table itself (``_auto = False``): the
        columns of this addon's fields are added here, to ``self._table``:
        the models that inherit the keys (auth_totp's trusted devices) run
        this too, on their own tables, and read these fields as well."""
        res = super().init()
        self.env.cr.execute(
            SQL(
                "ALTER TABLE %s %s",
                SQL.identifier(self._table),
                SQL(", ").join(
                    SQL(
                        "ADD COLUMN IF NOT EXISTS %s %s",
                        SQL.identifier(name),
                        SQL(kind),
                    )
                    for name, kind in _COLUMNS.items()
                ),
            )
        )
        return res

    def write(self, vals):
        if "order_api_allowed_networks" in vals:
            vals = dict(
                vals,
                order_api_allowed_networks=self._order_api_networks(
                    vals["order_api_allowed_networks"]
                ),
            )
        res = super().write(vals)
        if set(vals) - _UNREMEMBERED:
            # every worker checks a changed key again once this commits
            # (its allowed networks included)
            self.env["partner.order.api.caller"]._forget()
        return res

    @api.model
    def _order_api_networks(self, text):
        """``text`` normalized for ``order_api_allowed_networks``, or a
        ValidationError saying what is wrong."""
        try:
            return networks.normalize(text)
        except networks.NetworksError as exc:
            raise ValidationError(
                _("Allowed networks: %(error)s", error=str(exc))
            ) from None

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
    def action_order_api_make_key(
        self, name, duration, read_only=False, allowed_networks=None, test=False
    ):
        """Create an API key of the current user for the Partner Order API
        (``read_only``: scope ``partner_order_api.readonly``; ``test``: a test
        key, scope ``partner_order_api.test``, README "Test keys";
        ``allowed_networks``: the addresses it may be used from).

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
        allowed = self._order_api_networks(
            allowed_networks if isinstance(allowed_networks, str) else ""
        )
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
        if allowed:
            # users may not write their keys (only administrators may, see
            # security/ir.model.access.csv): set by the one who made it, in
            # the same transaction, before anyone used it
            record.sudo()._write({"order_api_allowed_networks": allowed})
        return {
            "id": record.id,
            "key": key,
            "name": name,
            "scope": scope,
            "scope_label": self._order_api_scope_label(scope),
            "expiration_date": fields.Datetime.to_string(expiration),
            "allowed_networks": allowed or "",
        }

    @api.model
    def _cron_order_api_expiry_reminder(self):
        """Mail the user of each key of this API that expires within
        REMINDER_DAYS days, once per key (``order_api_expiry_reminded_at``):
        the mails are queued (mail.mail, sent by Odoo's mail queue after
        this commits). Keys whose whole lifetime is shorter get none; a
        day the cron missed is caught up. Batched: REMINDER_BATCH keys a
        run, and the cron is asked to run again while more remain."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT k.id
                  FROM res_users_apikeys k
                  JOIN res_users usr ON usr.id = k.user_id
                 WHERE (k.scope = %(scope)s OR k.scope LIKE %(scopes)s)
                   AND k.order_api_expiry_reminded_at IS NULL
                   AND usr.active
                   AND k.expiration_date > now() AT TIME ZONE 'utc'
                   AND k.expiration_date
                       <= now() AT TIME ZONE 'utc' + %(days)s * interval '1 day'
                   AND k.create_date
                       < k.expiration_date - %(days)s * interval '1 day'
                 ORDER BY k.expiration_date, k.id
                 LIMIT %(limit)s
                """,
                scope=API_KEY_SCOPE,
                scopes=f"{API_KEY_SCOPE}.%",
                days=REMINDER_DAYS,
                limit=REMINDER_BATCH + 1,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        keys_sudo = self.sudo().browse(ids[:REMINDER_BATCH])
        if keys_sudo:
            template = self.env.ref(
                "partner_order_api.mail_template_api_key_expiry"
            ).sudo()
            template.send_mail_batch(keys_sudo.ids)
            keys_sudo.write({"order_api_expiry_reminded_at": fields.Datetime.now()})
        self.env["ir.cron"]._notify_progress(
            done=len(keys_sudo), remaining=len(ids) - len(keys_sudo)
        )
