# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..lib import errors, webhook
from ..lib.events import ORDER_EVENT_TYPES

# who reads the API configuration (the secrets: base.group_system only)
SALES = "sales_team.group_sale_salesman"


def check_groupby_access(records, groupby_spec):
    """Refuse grouping by a field the user may not read: Odoo 18 checks the
    field's ``groups`` when it reads or aggregates it, not when it groups by
    a many2many (``_read_group_groupby``), which would list its values."""
    fname = groupby_spec.split(":")[0].split(".")[0]
    if fname in records._fields:
        records.check_field_access_rights("read", [fname])


# after a rotation, the previous signing secret still signs webhooks this long
SECRET_OVERLAP = timedelta(hours=24)
# The webhook settings, one set per company (company_dependent: a jsonb
# {company id: value}): an order's events go to the webhook of the order's
# company, so an endpoint carries the orders of one company only, the ones
# its users may read (README, "Webhooks: who sets the URL"). Who changes
# them changes those of a company of theirs: Odoo refuses an environment
# (the RPC context) naming a company that is not the user's, unless elevated,
# so elevated paths read ``env.company`` before they elevate.


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _read_group_groupby(self, groupby_spec, query):
        # the partners' allowed products are for salespeople (SALES)
        check_groupby_access(self, groupby_spec)
        return super()._read_group_groupby(groupby_spec, query)

    order_api_enabled = fields.Boolean(
        string="Order API Enabled",
        help="The partner (a company and all its contacts) may order and follow "
        "its orders through the Partner Order API.",
        groups=SALES,
        copy=False,
        tracking=True,
    )
    order_api_product_ids = fields.Many2many(
        comodel_name="product.product",
        relation="res_partner_order_api_product_rel",
        column1="partner_id",
        column2="product_id",
        string="Products Allowed in the Order API",
        help="Products this partner may order through the API. Only active, "
        "saleable products with a barcode (EAN) are offered.",
        groups=SALES,
        copy=False,
    )
    order_api_carrier_ids = fields.Many2many(
        comodel_name="delivery.carrier",
        relation="res_partner_order_api_carrier_rel",
        column1="partner_id",
        column2="carrier_id",
        string="Carriers Allowed in the Order API",
        help="Carriers this partner may choose (carrier_code) for its orders "
        "through the API, and lists in GET carriers. Only carriers with an Order "
        "API code, of the API company or of none, are offered. None: the orders "
        "have no carrier (the warehouse chooses).",
        groups=SALES,
        copy=False,
    )
    order_api_webhook_url = fields.Char(
        string="Order API Webhook URL",
        help="The current company's webhook: the updates of this partner's API "
        "orders of the current company (the one selected in the company switcher) "
        "are POSTed to this URL; each company has its own. Empty: no webhook.",
        groups=SALES,
        copy=False,
        company_dependent=True,
    )
    order_api_webhook_secret = fields.Char(
        string="Order API Webhook Secret",
        help="Standard Webhooks signing secret (whsec_ + base64) of the current "
        "company's webhook.",
        groups="base.group_system",
        copy=False,
        company_dependent=True,
    )
    # per company too, but a relation: stored in
    # partner.order.api.webhook.subscription, one row per partner and company
    order_api_webhook_event_type_ids = fields.Many2many(
        comodel_name="partner.order.api.event.type",
        string="Order API Webhook Events",
        compute="_compute_order_api_webhook_event_type_ids",
        inverse="_inverse_order_api_webhook_event_type_ids",
        help="The events of this partner's orders that the current company's "
        "webhook receives. None: all of them. ping (test events) is always sent.",
        groups=SALES,
    )
    order_api_webhook_previous_secret = fields.Char(
        string="Order API Previous Webhook Secret",
        help="The signing secret before the last rotation: webhooks are also "
        "signed with it until its expiry.",
        groups="base.group_system",
        copy=False,
        company_dependent=True,
    )
    order_api_webhook_previous_secret_expiry = fields.Datetime(
        string="Previous Secret Valid Until",
        help="Until then, webhooks carry a second signature, made with the "
        "previous signing secret.",
        groups="base.group_system",
        copy=False,
        company_dependent=True,
    )

    order_api_rate_limit_per_minute = fields.Integer(
        string="Order API Requests per Minute",
        help="Request budget of this partner per minute, shared by all its API "
        "keys and users (a batch counts one per order; README, cost table). 0: "
        "the system default (partner_order_api.rate_limit_per_minute).",
        groups=SALES,
        copy=False,
    )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if any(vals.get("order_api_enabled") for vals in vals_list):
            partners._order_api_sync_user_groups()
        return partners

    def write(self, vals):
        res = super().write(vals)
        if "order_api_enabled" in vals or "parent_id" in vals:
            self._order_api_sync_user_groups()
        # what workers remember of API callers (partner.order.api.caller
        # ._facts): the switches, whether products are allowed, and
        # the commercial partner (and its company) of the users below a
        # partner moved in the tree or given another company
        if {
            "order_api_enabled",
            "order_api_rate_limit_per_minute",
            "order_api_product_ids",
        }.intersection(vals):
            self.env["partner.order.api.caller"]._forget()
        elif {"parent_id", "is_company", "company_id"}.intersection(vals) and self.env[
            "res.users"
        ].sudo().with_context(active_test=False).search_count(
            [("partner_id", "child_of", self.ids)], limit=1
        ):
            self.env["partner.order.api.caller"]._forget()
        return res

    def _order_api_sync_user_groups(self):
        """Give the "Order API user" group to the portal users of enabled partners,
        and take it back from the others."""
        commercial = self.commercial_partner_id
        if not commercial:
            return
        users = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "child_of", commercial.ids)])
        )
        users._order_api_sync_group()

    @api.constrains("order_api_webhook_url")
    def _check_order_api_webhook_url(self):
        Event = self.env["partner.order.api.webhook.event"]
        for partner in self.filtered("order_api_webhook_url"):
            try:
                Event._check_url(partner.order_api_webhook_url)
            except errors.ValidationError as exc:
                raise ValidationError(exc.message) from None

    @api.depends_context("company")
    def _compute_order_api_webhook_event_type_ids(self):
        subscriptions = self.env["partner.order.api.webhook.subscription"].search(
            [("partner_id", "in", self.ids), ("company_id", "=", self.env.company.id)]
        )
        chosen = {row.partner_id.id: row.event_type_ids for row in subscriptions}
        for partner in self:
            partner.order_api_webhook_event_type_ids = chosen.get(
                partner.id, self.env["partner.order.api.event.type"]
            )

    def _inverse_order_api_webhook_event_type_ids(self):
        # the admin's choice as chosen (the API's goes through
        # _order_api_set_webhook_event_types)
        Subscription = self.env["partner.order.api.webhook.subscription"]
        for partner in self:
            Subscription._set_event_types(
                partner, self.env.company, partner.order_api_webhook_event_type_ids
            )

    def _order_api_set_webhook_event_types(self, event_types):
        """Choose the events the current company's webhook receives:
        ``event_types``, codes (None, empty or every order event: all).
        The codes of a client are checked before, by
        ``lib.validation.parse_event_types`` (the one check; unknown codes
        raise here)."""
        if not event_types or set(ORDER_EVENT_TYPES) <= set(event_types):
            event_types = ()
        self.env["partner.order.api.webhook.subscription"]._set_event_types(
            self,
            self.env.company,
            self.env["partner.order.api.event.type"].sudo()._of_codes(event_types),
        )

    def _order_api_webhook_event_types(self):
        """The event types the partner receives from the current company's
        webhook, in their canonical order: all when none were chosen;
        ``ping`` always (``partner.order.api.webhook.subscription``)."""
        self.ensure_one()
        Subscription = self.env["partner.order.api.webhook.subscription"].sudo()
        pair = (self.id, self.env.company.id)
        return list(Subscription._received_event_types([pair])[pair])

    def _order_api_webhook_signing_secrets(self):
        """The secrets that sign a webhook request now: the current one
        (created on first use), then the previous one during the 24 hours
        after a rotation."""
        self.ensure_one()
        partner_sudo = self.sudo()
        secrets = [self._order_api_webhook_secret()]
        expiry = partner_sudo.order_api_webhook_previous_secret_expiry
        previous = partner_sudo.order_api_webhook_previous_secret
        if previous and expiry and expiry > fields.Datetime.now():
            secrets.append(previous)
        return secrets

    def _order_api_webhook_secret(self):
        """The partner's signing secret (of the current company's webhook),
        created on first use."""
        self.ensure_one()
        partner_sudo = self.sudo()
        if not partner_sudo.order_api_webhook_secret:
            partner_sudo.order_api_webhook_secret = webhook.new_secret()
        return partner_sudo.order_api_webhook_secret

    def action_order_api_rotate_webhook_secret(self):
        """The backend button: replace the signing secret; the partner must
        take the new one. Callable by any logged-in user through RPC, so it
        checks the caller's rights (administrators, as the secret field and
        the button are theirs) before the elevated write."""
        if not self.env.su and not self.env.user.has_group("base.group_system"):
            raise AccessError(
                _("Only administrators can issue a new webhook signing secret.")
            )
        # the current company's secret. env.company, read here before the
        # elevated write, is Odoo's check that the company (the RPC context's
        # choice) is one of the user's: in sudo it would not be checked
        company = self.env.company
        self.with_company(company)._order_api_rotate_webhook_secret()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "message": _(
                    "New webhook signing secret created: give it to the partner. "
                    "The previous one also signs webhooks for 24 more hours."
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _order_api_rotate_webhook_secret(self):
        """Replace the signing secret of these partners' webhooks of the
        current company (elevated; callers check who may ask). The replaced
        secret keeps signing webhooks, beside the new one, for
        SECRET_OVERLAP, so that the receiver can switch without losing an
        event; a second rotation within that time drops the oldest secret."""
        expiry = fields.Datetime.now() + SECRET_OVERLAP
        for partner in self:
            partner_sudo = partner.sudo()
            current = partner_sudo.order_api_webhook_secret
            partner_sudo.write(
                {
                    "order_api_webhook_secret": webhook.new_secret(),
                    "order_api_webhook_previous_secret": current or False,
                    "order_api_webhook_previous_secret_expiry": current and expiry,
                }
            )

    @api.constrains("order_api_rate_limit_per_minute")
    def _check_order_api_rate_limit_per_minute(self):
        if any(partner.order_api_rate_limit_per_minute < 0 for partner in self):
            raise ValidationError(
                _(
                    "The Order API request budget cannot be negative "
                    "(0 uses the system default)."
                )
            )
