# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..lib.events import EVENT_TYPES

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
# The webhook settings, one set per company (the partner's endpoints there,
# partner.order.api.webhook.endpoint): an order's events go to the webhook of the order's
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
    # The webhook of the current company, as admins read and set it: the
    # partner's FIRST endpoint there (partner.order.api.webhook.endpoint,
    # the one home of URL, secrets and event types), computed from it and
    # written to it (an empty URL deletes it).
    order_api_webhook_url = fields.Char(
        string="Order API Webhook URL",
        help="The current company's webhook (the partner's first endpoint): the "
        "updates of this partner's API orders of the current company (the one "
        "selected in the company switcher) are POSTed to this URL; each company "
        "has its own. Empty: no webhook.",
        groups=SALES,
        compute="_compute_order_api_webhook_url",
        inverse="_inverse_order_api_webhook",
        search="_search_order_api_webhook_url",
    )
    order_api_webhook_secret = fields.Char(
        string="Order API Webhook Secret",
        help="Standard Webhooks signing secret (whsec_ + base64) of the current "
        "company's webhook.",
        groups="base.group_system",
        compute="_compute_order_api_webhook_secret",
        inverse="_inverse_order_api_webhook",
    )
    order_api_webhook_event_type_ids = fields.Many2many(
        comodel_name="partner.order.api.event.type",
        string="Order API Webhook Events",
        compute="_compute_order_api_webhook_event_type_ids",
        inverse="_inverse_order_api_webhook",
        help="The events of this partner's orders that the current company's "
        "webhook receives. None: all of them. ping (test events) is always sent.",
        groups=SALES,
    )
    order_api_webhook_previous_secret = fields.Char(
        string="Order API Previous Webhook Secret",
        help="The signing secret before the last rotation: webhooks are also "
        "signed with it until its expiry.",
        groups="base.group_system",
        compute="_compute_order_api_webhook_previous_secret",
        inverse="_inverse_order_api_webhook",
    )
    order_api_webhook_previous_secret_expiry = fields.Datetime(
        string="Previous Secret Valid Until",
        help="Until then, webhooks carry a second signature, made with the "
        "previous signing secret.",
        groups="base.group_system",
        compute="_compute_order_api_webhook_previous_secret_expiry",
        inverse="_inverse_order_api_webhook",
    )
    order_api_webhook_endpoint_ids = fields.One2many(
        comodel_name="partner.order.api.webhook.endpoint",
        inverse_name="partner_id",
        string="Order API Webhook Endpoints",
        groups="base.group_system",
        help="Every webhook endpoint of the partner (at most 5 per company).",
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

    def _order_api_check_webhook_read(self, group):
        """Computed fields check no ``groups`` when read as attributes:
        those of the webhook do, as the stored fields they replace did."""
        if not self.env.su and not self.env.user.has_group(group):
            raise AccessError(
                _("You are not allowed to read the Order API webhook settings.")
            )

    def _order_api_webhook_compute(self, name, endpoint_field, group):
        """Each field of the current company's first endpoint is computed
        alone: a write of one (its inverse) reads the others unchanged."""
        self._order_api_check_webhook_read(group)
        Endpoint = self.env["partner.order.api.webhook.endpoint"].sudo()
        firsts = Endpoint._firsts(self, self.env.company)
        for partner in self:
            partner[name] = firsts.get(partner.id, Endpoint)[endpoint_field]

    @api.depends_context("company")
    def _compute_order_api_webhook_url(self):
        self._order_api_webhook_compute("order_api_webhook_url", "url", SALES)

    @api.depends_context("company")
    def _compute_order_api_webhook_event_type_ids(self):
        self._order_api_webhook_compute(
            "order_api_webhook_event_type_ids", "event_type_ids", SALES
        )

    @api.depends_context("company")
    def _compute_order_api_webhook_secret(self):
        self._order_api_webhook_compute(
            "order_api_webhook_secret", "secret", "base.group_system"
        )

    @api.depends_context("company")
    def _compute_order_api_webhook_previous_secret(self):
        self._order_api_webhook_compute(
            "order_api_webhook_previous_secret", "previous_secret", "base.group_system"
        )

    @api.depends_context("company")
    def _compute_order_api_webhook_previous_secret_expiry(self):
        self._order_api_webhook_compute(
            "order_api_webhook_previous_secret_expiry",
            "previous_secret_expiry",
            "base.group_system",
        )

    def _search_order_api_webhook_url(self, operator, value):
        """Partners by the URL of their current company's first endpoint
        (``!= False``: those with a webhook; no endpoint: no URL)."""
        self._order_api_check_webhook_read(SALES)
        Endpoint = self.env["partner.order.api.webhook.endpoint"].sudo()
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (partner_id) id
              FROM partner_order_api_webhook_endpoint
             WHERE company_id = %s
             ORDER BY partner_id, id
            """,
            [self.env.company.id],
        )
        firsts = [("id", "in", [row[0] for row in self.env.cr.fetchall()])]
        matching = Endpoint.search(firsts + [("url", operator, value)]).partner_id
        # does an empty URL match? then so do the partners without one
        blank = (
            (operator == "=" and not value)
            or (operator == "!=" and bool(value))
            or (operator in ("not ilike", "not like", "not in") and bool(value))
        )
        if not blank:
            return [("id", "in", matching.ids)]
        with_url = Endpoint.search(firsts + [("url", "!=", False)]).partner_id
        return ["|", ("id", "in", matching.ids), ("id", "not in", with_url.ids)]

    def _inverse_order_api_webhook(self):
        """Write the fields to the current company's first endpoint (created
        when there is none). Elevated: the groups of the fields were checked
        by the write."""
        for partner in self:
            partner_sudo = partner.sudo()
            endpoint = partner_sudo._order_api_webhook_endpoint()
            vals = {
                "url": partner_sudo.order_api_webhook_url or False,
                "secret": partner_sudo.order_api_webhook_secret or False,
                "previous_secret": partner_sudo.order_api_webhook_previous_secret
                or False,
                "previous_secret_expiry": (
                    partner_sudo.order_api_webhook_previous_secret_expiry or False
                ),
            }
            types = partner_sudo.order_api_webhook_event_type_ids
            changed = {
                name: value
                for name, value in vals.items()
                if (endpoint[name] or False) != value
            }
            if endpoint.event_type_ids != types:
                changed["event_type_ids"] = [fields.Command.set(types.ids)]
            if not changed:
                continue
            if endpoint:
                endpoint.write(changed)
            else:
                partner_sudo._order_api_webhook_endpoint(create=True).write(changed)

    def _order_api_webhook_endpoint(self, create=False):
        """The partner's first endpoint in the current company (elevated),
        or an empty recordset; ``create``: created (without URL) if none."""
        self.ensure_one()
        Endpoint = self.env["partner.order.api.webhook.endpoint"].sudo()
        endpoint = Endpoint._firsts(self, self.env.company).get(self.id, Endpoint)
        if not endpoint and create:
            endpoint = Endpoint.create(
                {"partner_id": self.id, "company_id": self.env.company.id}
            )
        return endpoint

    def _order_api_set_webhook_event_types(self, event_types):
        """Choose the events the current company's webhook receives:
        ``event_types``, codes (None, empty or every order event: all).
        The codes of a client are checked before, by
        ``lib.validation.parse_event_types`` (the one check; unknown codes
        raise here)."""
        for partner in self:
            partner._order_api_webhook_endpoint(
                create=bool(event_types)
            )._set_event_types(event_types)

    def _order_api_webhook_event_types(self):
        """The event types the partner receives from the current company's
        webhook, in their canonical order: all when none were chosen;
        ``ping`` always."""
        self.ensure_one()
        endpoint = self._order_api_webhook_endpoint()
        return endpoint._event_types() if endpoint else list(EVENT_TYPES)

    def _order_api_webhook_signing_secrets(self):
        """The secrets that sign a request of the current company's webhook
        now (``partner.order.api.webhook.endpoint._signing_secrets``)."""
        self.ensure_one()
        return self._order_api_webhook_endpoint(create=True)._signing_secrets()

    def _order_api_webhook_secret(self):
        """The signing secret of the current company's webhook, created on
        first use."""
        self.ensure_one()
        return self._order_api_webhook_endpoint(create=True)._ensure_secret()

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
        """Replace the signing secret of these partners' webhooks (first
        endpoints) of the current company (elevated; callers check who may
        ask): ``partner.order.api.webhook.endpoint._rotate_secret``."""
        for partner in self:
            partner._order_api_webhook_endpoint(create=True)._rotate_secret()

    @api.constrains("order_api_rate_limit_per_minute")
    def _check_order_api_rate_limit_per_minute(self):
        if any(partner.order_api_rate_limit_per_minute < 0 for partner in self):
            raise ValidationError(
                _(
                    "The Order API request budget cannot be negative "
                    "(0 uses the system default)."
                )
            )
