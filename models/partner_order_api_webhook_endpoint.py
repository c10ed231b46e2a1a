# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A partner's webhook endpoints, per company: the one home of a webhook's
URL, signing secrets, event types and state.

A partner has at most ``MAX_ENDPOINTS`` endpoints per company; each
receives the events of the partner's orders of that company that its types
hold (none chosen: every type; ``ping`` always), signed with its own
secret. The first one (lowest id) is "the webhook" of the older routes
(``GET``/``PUT``/``DELETE webhook``...) and of the admin-side fields of
``res.partner`` (``order_api_webhook_url``, ``order_api_webhook_secret``...,
computed from it and written to it: ``res_partner.py``).

Access: administrators only (ACL). Partners reach their endpoints through
the API and the portal, elevated, with the partner and company of
``partner.order.api.caller``, never of the context.

What the outbox needs when it records a batch of events (``_targets``: the
enabled endpoints and their types of many (partner, company) pairs) is read
in one query and remembered by each worker in Odoo's ORM cache; any change
to an endpoint's URL, types, state or owner makes every worker forget it
(``_forget_targets``: the registry's cache invalidation, signalled after
the commit).
"""

from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..lib import errors, webhook
from ..lib.events import EVENT_TYPES, ORDER_EVENT_TYPES
from .partner_order_api_event_type import ALWAYS_SENT
from .res_partner import SECRET_OVERLAP

MAX_ENDPOINTS = 5
# an endpoint whose deliveries failed this long (failing_since, at a failed
# attempt) is disabled and its partner's API users are told
FAILING_DAYS = 5
DISABLED_FAILING = (
    "Disabled by the server: its deliveries failed for "
    f"{FAILING_DAYS} days. PUT state enabled to resume."
)
# res.partner's fields computed from the first endpoint
PARTNER_FIELDS = [
    "order_api_webhook_url",
    "order_api_webhook_secret",
    "order_api_webhook_event_type_ids",
    "order_api_webhook_previous_secret",
    "order_api_webhook_previous_secret_expiry",
]
# the fields whose change changes what the outbox records
TARGET_FIELDS = {"partner_id", "company_id", "url", "event_type_ids", "state"}


class _Unknown(Exception):
    """Raised through ``_targets_known``'s ormcache: not known yet."""


class PartnerOrderApiWebhookEndpoint(models.Model):
    _name = "partner.order.api.webhook.endpoint"
    _description = "Partner Order API: a webhook endpoint of a partner"
    _order = "partner_id, company_id, id"
    _rec_name = "url"

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        required=True,
        ondelete="cascade",
        index=True,
        help="The commercial partner whose orders' events this endpoint receives.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        ondelete="cascade",
        help="The company whose orders the endpoint receives.",
    )
    url = fields.Char(
        string="URL",
        help="Where the events are POSTed. Empty: none are (the first "
        "endpoint after DELETE webhook keeps its secret and event types).",
    )
    secret = fields.Char(
        string="Signing Secret",
        groups="base.group_system",
        copy=False,
        help="Standard Webhooks signing secret (whsec_ + base64).",
    )
    previous_secret = fields.Char(
        groups="base.group_system",
        copy=False,
        help="The secret before the last rotation: requests are also signed "
        "with it until its expiry.",
    )
    previous_secret_expiry = fields.Datetime(groups="base.group_system", copy=False)
    event_type_ids = fields.Many2many(
        comodel_name="partner.order.api.event.type",
        relation="partner_order_api_webhook_endpoint_event_type_rel",
        column1="endpoint_id",
        column2="event_type_id",
        string="Events",
        help="The events the endpoint receives. None: all of them.",
    )
    state = fields.Selection(
        [("enabled", "Enabled"), ("disabled", "Disabled")],
        required=True,
        default="enabled",
    )
    disabled_reason = fields.Char()
    failing_since = fields.Datetime(
        help="The first failed delivery since the last successful one."
    )

    @api.constrains("url")
    def _check_url(self):
        Event = self.env["partner.order.api.webhook.event"]
        for endpoint in self.filtered("url"):
            try:
                Event._check_url(endpoint.url)
            except errors.ValidationError as exc:
                raise ValidationError(exc.message) from None

    @api.constrains("partner_id", "company_id")
    def _check_max_endpoints(self):
        for endpoint in self:
            if self._count_of(endpoint.partner_id, endpoint.company_id) > MAX_ENDPOINTS:
                raise ValidationError(
                    _("A partner has at most %s webhook endpoints per company.")
                    % MAX_ENDPOINTS
                )

    @api.model
    def _count_of(self, partner, company):
        return self.sudo().search_count(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._forget_targets()
        endpoints = super().create(vals_list)
        self._forget_partner_fields()
        return endpoints

    def write(self, vals):
        if vals.get("state") == "enabled":
            # enabled again (the API, the portal, an admin): failures start anew
            vals = dict(vals, disabled_reason=False, failing_since=False)
        if TARGET_FIELDS.intersection(vals):
            self._forget_targets()
        res = super().write(vals)
        self._forget_partner_fields()
        return res

    def unlink(self):
        self._forget_targets()
        res = super().unlink()
        self._forget_partner_fields()
        return res

    @api.model
    def _forget_partner_fields(self):
        """The partners' fields computed from their first endpoints."""
        self.env["res.partner"].invalidate_model(PARTNER_FIELDS)

    @api.model
    def _forget_targets(self):
        """Every worker forgets the targets it remembers (``_targets``)."""
        self.env.registry.clear_cache()

    # ------------------------------------------------------------------
    # One endpoint
    # ------------------------------------------------------------------

    def _event_types(self):
        """The codes this endpoint receives, in their canonical order."""
        self.ensure_one()
        chosen = set(self.sudo().event_type_ids.mapped("code"))
        return [
            code
            for code in EVENT_TYPES
            if not chosen or code in chosen or code == ALWAYS_SENT
        ]

    def _set_event_types(self, codes):
        """Choose the events (codes; None, empty or every order event: all)."""
        if not codes or set(ORDER_EVENT_TYPES) <= set(codes):
            codes = ()
        types = self.env["partner.order.api.event.type"].sudo()._of_codes(codes)
        for endpoint in self.sudo():
            if endpoint.event_type_ids != types:
                endpoint.event_type_ids = [fields.Command.set(types.ids)]

    def _signing_secrets(self):
        """The secrets that sign a request now: the current one (created on
        first use), then the previous one during its overlap."""
        self.ensure_one()
        endpoint_sudo = self.sudo()
        secrets = [endpoint_sudo._ensure_secret()]
        expiry = endpoint_sudo.previous_secret_expiry
        if endpoint_sudo.previous_secret and expiry and expiry > fields.Datetime.now():
            secrets.append(endpoint_sudo.previous_secret)
        return secrets

    def _ensure_secret(self):
        self.ensure_one()
        endpoint_sudo = self.sudo()
        if not endpoint_sudo.secret:
            endpoint_sudo.secret = webhook.new_secret()
        return endpoint_sudo.secret

    def _previous_secret_expiry(self):
        """The previous secret's expiry while it still signs, else None."""
        self.ensure_one()
        endpoint_sudo = self.sudo()
        expiry = endpoint_sudo.previous_secret_expiry
        if endpoint_sudo.previous_secret and expiry and expiry > fields.Datetime.now():
            return expiry
        return None

    def _rotate_secret(self):
        """A new secret; the replaced one signs beside it for SECRET_OVERLAP
        (a second rotation within that time drops the oldest)."""
        expiry = fields.Datetime.now() + SECRET_OVERLAP
        for endpoint_sudo in self.sudo():
            current = endpoint_sudo.secret
            endpoint_sudo.write(
                {
                    "secret": webhook.new_secret(),
                    "previous_secret": current or False,
                    "previous_secret_expiry": current and expiry,
                }
            )

    def _note_outcome(self, delivered):
        """After an attempt of an event to this endpoint (the sender's
        outcome transaction): a delivery clears ``failing_since``; a failure
        sets it, and disables the endpoint when it is older than
        FAILING_DAYS, queueing the email to the partner's API users (sent
        by Odoo's mail cron, not here)."""
        endpoint = self.sudo()
        if not endpoint or endpoint.state != "enabled":
            return
        now = fields.Datetime.now()
        if delivered:
            if endpoint.failing_since:
                endpoint.failing_since = False
        elif not endpoint.failing_since:
            endpoint.failing_since = now
        elif endpoint.failing_since < now - timedelta(days=FAILING_DAYS):
            endpoint.write({"state": "disabled", "disabled_reason": DISABLED_FAILING})
            endpoint._notify_disabled()

    def _notify_disabled(self):
        """Queue the "endpoint disabled" email to the active API users of
        the endpoint's partner (their own email addresses)."""
        self.ensure_one()
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", self.partner_id.id),
                    (
                        "groups_id",
                        "in",
                        self.env.ref("partner_order_api.group_order_api_user").ids,
                    ),
                    ("email", "!=", False),
                ]
            )
        )
        template = self.env.ref(
            "partner_order_api.mail_template_webhook_endpoint_disabled",
            raise_if_not_found=False,
        )
        if not users or not template:
            return
        template.sudo().send_mail(
            self.id,
            force_send=False,
            email_values={
                "email_to": ",".join(users.mapped("email_formatted")),
                "recipient_ids": [],
            },
        )

    # ------------------------------------------------------------------
    # Many (partner, company) pairs
    # ------------------------------------------------------------------

    @api.model
    def _firsts(self, partners, company):
        """``{partner id: its first endpoint in company}`` (one query)."""
        firsts = {}
        for endpoint in self.sudo().search(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)],
            order="id desc",
        ):
            firsts[endpoint.partner_id.id] = endpoint
        return firsts

    @api.model
    def _targets(self, pairs):
        """``{(partner id, company id): ((endpoint id, codes), ...)}``: the
        enabled endpoints of each pair, lowest id first, with the codes
        each receives. What this worker remembers costs no statement; the
        rest is read in one query for any number of pairs."""
        targets, missing = {}, set()
        for pair in set(pairs):
            try:
                targets[pair] = self._targets_known(pair)
            except _Unknown:
                missing.add(pair)
        for pair, found in self._targets_read(missing).items():
            targets[pair] = self._targets_known(pair, found)
        return targets

    @api.model
    @tools.ormcache("pair")
    def _targets_known(self, pair, found=None):
        if found is None:
            raise _Unknown()
        return found

    @api.model
    def _targets_read(self, pairs):
        targets = {pair: [] for pair in pairs}
        if not pairs:
            return {}
        self.flush_model(list(TARGET_FIELDS))
        self.env["partner.order.api.event.type"].flush_model(["code"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT e.partner_id, e.company_id, e.id,
                       array_remove(array_agg(t.code), NULL)
                  FROM partner_order_api_webhook_endpoint e
             LEFT JOIN partner_order_api_webhook_endpoint_event_type_rel r
                    ON r.endpoint_id = e.id
             LEFT JOIN partner_order_api_event_type t ON t.id = r.event_type_id
                 WHERE (e.partner_id, e.company_id) IN %s AND e.state = 'enabled'
                   AND coalesce(e.url, '') <> ''
                 GROUP BY e.id
                 ORDER BY e.id
                """,
                tuple(pairs),
            )
        )
        for partner_id, company_id, endpoint_id, codes in rows:
            chosen = set(codes)
            targets[partner_id, company_id].append(
                (
                    endpoint_id,
                    tuple(
                        code
                        for code in EVENT_TYPES
                        if not chosen or code in chosen or code == ALWAYS_SENT
                    ),
                )
            )
        return {pair: tuple(found) for pair, found in targets.items()}


class PartnerOrderApiWebhookSequence(models.Model):
    """The last ``X-Webhook-Sequence`` given per (order, endpoint): one row
    each, moved by one statement per recorded batch (``_next``), so that
    two transactions recording events of one order at once cannot give the
    same number: the second's update of the row (or its insert of the same
    pair) waits for the first and then fails to serialize, and Odoo runs
    the request again, which reads the first one's number."""

    _name = "partner.order.api.webhook.sequence"
    _description = "Partner Order API: last webhook sequence of an order and endpoint"
    _log_access = False

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    endpoint_id = fields.Many2one(
        "partner.order.api.webhook.endpoint", required=True, ondelete="cascade"
    )
    last = fields.Integer(required=True)

    _sql_constraints = [
        (
            "order_endpoint_unique",
            "unique(order_id, endpoint_id)",
            "One sequence per order and endpoint.",
        ),
    ]

    @api.model
    def _next(self, counts):
        """``{(order id, endpoint id): last}`` after taking ``n`` more
        numbers for each pair of ``counts`` (``{pair: n}``): the numbers
        ``last - n + 1 .. last`` are the caller's. One statement."""
        if not counts:
            return {}
        pairs = sorted(counts)
        self.env.cr.execute(
            """
            INSERT INTO partner_order_api_webhook_sequence AS s
                   (order_id, endpoint_id, last)
            SELECT * FROM unnest(%s::int[], %s::int[], %s::int[])
            ON CONFLICT (order_id, endpoint_id)
            DO UPDATE SET last = s.last + EXCLUDED.last
            RETURNING order_id, endpoint_id, last
            """,
            [
                [order_id for order_id, _endpoint_id in pairs],
                [endpoint_id for _order_id, endpoint_id in pairs],
                [counts[pair] for pair in pairs],
            ],
        )
        return {
            (order_id, endpoint_id): last
            for order_id, endpoint_id, last in self.env.cr.fetchall()
        }
