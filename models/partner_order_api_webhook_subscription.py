# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Which events a partner's webhook receives, per company.

The webhook settings are per company (``res_partner.py``); the URL and the
secrets are company_dependent fields, but a choice of event types is a
relation, which company_dependent fields cannot hold: it is stored here, one
row per (partner, company) at most. No row, or a row without types: every
event. Admins read and set it through ``res.partner``'s
``order_api_webhook_event_type_ids`` (the current company's row), the API
and the portal through ``res.partner._order_api_set_webhook_event_types``;
what a partner receives is read by ``_received_event_types``, for many
(partner, company) pairs in one query (the outbox records the events of a
whole batch of orders with it), and remembered by each worker in Odoo's ORM
cache (``_received_known``): a POST order records its events several times,
and the partner's choice, which the old comma-separated field brought with
the partner's row, must cost no statement of its own. Any change to a
choice makes every worker forget them (``_forget_received``: Odoo's cache
invalidation, signalled after the commit, undone by a rollback).
"""

from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..lib.events import EVENT_TYPES
from .partner_order_api_event_type import ALWAYS_SENT


class _Unknown(Exception):
    """Raised through ``_received_known``'s ormcache, which stores no
    exception: this worker does not know the pair yet."""


class PartnerOrderApiWebhookSubscription(models.Model):
    _name = "partner.order.api.webhook.subscription"
    _description = "Partner Order API: webhook events of a partner in a company"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        required=True,
        ondelete="cascade",
        readonly=True,
        help="The partner whose webhook this is (the commercial partner: the "
        "one whose settings the API reads).",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        ondelete="cascade",
        readonly=True,
        help="The company whose orders the webhook receives.",
    )
    event_type_ids = fields.Many2many(
        comodel_name="partner.order.api.event.type",
        relation="partner_order_api_webhook_subscription_event_type_rel",
        column1="subscription_id",
        column2="event_type_id",
        string="Events",
        help="The events the webhook receives. None: all of them.",
    )

    _sql_constraints = [
        (
            "partner_company_unique",
            "unique(partner_id, company_id)",
            "A partner has one choice of webhook events per company.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        if vals_list:
            self._forget_received()
        return super().create(vals_list)

    def write(self, vals):
        if self:
            self._forget_received()
        return super().write(vals)

    def unlink(self):
        if self:
            self._forget_received()
        return super().unlink()

    @api.model
    def _forget_received(self):
        """Every worker forgets the choices it remembers
        (``_received_known``): at once here, in the others once this
        commits; a rollback forgets what was read meanwhile."""
        self.env.registry.clear_cache()

    @api.model
    def _set_event_types(self, partners, company, event_types):
        """Store ``event_types`` (records; none: all) as the choice of the
        webhook of each of ``partners`` in ``company``, with this
        environment's rights."""
        rows = self.search(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)]
        )
        if not event_types:
            rows.unlink()
        else:
            # only what changes: a change makes every worker forget
            rows.filtered(lambda row: row.event_type_ids != event_types).write(
                {"event_type_ids": [fields.Command.set(event_types.ids)]}
            )
            self.create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "event_type_ids": [fields.Command.set(event_types.ids)],
                    }
                    for partner in partners - rows.partner_id
                ]
            )
        # the partners' field reads these rows: forget what it computed
        partners.invalidate_recordset(["order_api_webhook_event_type_ids"])

    @api.model
    def _received_event_types(self, pairs):
        """``{(partner id, company id): codes}`` for ``pairs``: the event
        types each webhook receives, in their canonical order; all when none
        were chosen, ``ping`` always. What this worker remembers costs no
        statement; the rest is read in one query for any number of pairs."""
        received, missing = {}, set()
        for pair in set(pairs):
            try:
                received[pair] = self._received_known(pair)
            except _Unknown:
                missing.add(pair)
        for pair, codes in self._received_read(missing).items():
            received[pair] = self._received_known(pair, codes)
        return received

    @api.model
    @tools.ormcache("pair")
    def _received_known(self, pair, codes=None):
        """The codes the webhook ``pair`` receives as this worker remembers
        them, or ``_Unknown``; called with ``codes`` (just read), it
        remembers them."""
        if codes is None:
            raise _Unknown()
        return codes

    @api.model
    def _received_read(self, pairs):
        """``_received_event_types`` of ``pairs`` read from the database, in
        one query (none for no pair)."""
        received = dict.fromkeys(pairs, EVENT_TYPES)
        if not pairs:
            return received
        self.flush_model(["partner_id", "company_id", "event_type_ids"])
        self.env["partner.order.api.event.type"].flush_model(["code"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT s.partner_id, s.company_id, array_agg(t.code)
                  FROM partner_order_api_webhook_subscription s
                  JOIN partner_order_api_webhook_subscription_event_type_rel r
                    ON r.subscription_id = s.id
                  JOIN partner_order_api_event_type t ON t.id = r.event_type_id
                 WHERE (s.partner_id, s.company_id) IN %s
                 GROUP BY s.partner_id, s.company_id
                """,
                tuple(pairs),
            )
        )
        for partner_id, company_id, codes in rows:
            chosen = set(codes)
            received[partner_id, company_id] = tuple(
                code for code in EVENT_TYPES if code in chosen or code == ALWAYS_SENT
            )
        return received
