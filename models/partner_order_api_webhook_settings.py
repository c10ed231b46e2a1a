# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A partner's webhook settings: ``GET``, ``PUT``, ``DELETE webhook``,
``POST webhook/test`` and ``POST webhook/rotate_secret``."""

from odoo import fields, models

from ..lib import errors
from .order_reader import utc_iso


class PartnerOrderApiWebhookSettings(models.AbstractModel):
    _name = "partner.order.api.webhook.settings"
    _description = "Partner Order API: a partner's webhook settings"

    # ------------------------------------------------------------------
    # Webhook management: GET, PUT, DELETE webhook, POST webhook/test,
    # POST webhook/rotate_secret. The settings are per company
    # (company_dependent): these are the API company's, read from the
    # caller's facts, never from the context (the portal's calls carry one of
    # the client's choosing, which sudo does not check).
    # ------------------------------------------------------------------

    def _webhook_partner_sudo(self):
        """The caller's partner (``_partner_sudo``) in its API company."""
        caller = self.env["partner.order.api.caller"]
        return caller._partner_sudo().with_company(caller._company())

    def _webhook_info(self, partner_sudo, new_secret=None):
        expiry = partner_sudo.order_api_webhook_previous_secret_expiry
        if not (
            partner_sudo.order_api_webhook_previous_secret
            and expiry
            and expiry > fields.Datetime.now()
        ):
            expiry = None
        info = {
            "url": partner_sudo.order_api_webhook_url or None,
            "signing_secret_set": bool(partner_sudo.order_api_webhook_secret),
            "event_types": partner_sudo._order_api_webhook_event_types(),
            "previous_secret_expires_at": utc_iso(expiry),
        }
        if new_secret:
            # shown once, when it is created; admins can issue a new one
            info["signing_secret"] = new_secret
        return info

    def _get_webhook(self):
        return self._webhook_info(self._webhook_partner_sudo())

    def _set_webhook(self, url, event_types=None):
        """Set the URL and the events it receives (None: all; codes checked
        by ``lib.validation``)."""
        partner_sudo = self._webhook_partner_sudo()
        url = self.env["partner.order.api.webhook.event"]._check_url(url)
        had_secret = bool(partner_sudo.order_api_webhook_secret)
        partner_sudo.order_api_webhook_url = url
        partner_sudo._order_api_set_webhook_event_types(event_types)
        secret = partner_sudo._order_api_webhook_secret()
        return self._webhook_info(
            partner_sudo, new_secret=None if had_secret else secret
        )

    def _rotate_webhook_secret(self):
        """A new signing secret, answered once; the previous one keeps
        signing webhooks beside it for 24 hours."""
        partner_sudo = self._webhook_partner_sudo()
        partner_sudo._order_api_rotate_webhook_secret()
        return self._webhook_info(
            partner_sudo, new_secret=partner_sudo.order_api_webhook_secret
        )

    def _delete_webhook(self):
        partner_sudo = self._webhook_partner_sudo()
        partner_sudo.order_api_webhook_url = False
        return self._webhook_info(partner_sudo)

    def _test_webhook(self):
        partner_sudo = self._webhook_partner_sudo()
        if not partner_sudo.order_api_webhook_url:
            raise errors.WebhookNotSet()
        Event = self.env["partner.order.api.webhook.event"]
        return Event._send_ping(partner_sudo)._ping_answer()
