# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A partner's webhook settings: ``GET``, ``PUT``, ``DELETE webhook``,
``POST webhook/test`` and ``POST webhook/rotate_secret`` (the partner's
first endpoint), and its endpoints: ``GET``/``POST webhook/endpoints``,
``PUT``/``DELETE webhook/endpoints/<id>``, ``POST
webhook/endpoints/<id>/rotate_secret`` and ``.../test``."""

from odoo import models

from ..lib import errors, webhook
from .order_reader import utc_iso
from .partner_order_api_webhook_endpoint import MAX_ENDPOINTS


class PartnerOrderApiWebhookSettings(models.AbstractModel):
    _name = "partner.order.api.webhook.settings"
    _description = "Partner Order API: a partner's webhook settings"

    # ------------------------------------------------------------------
    # The settings are per company: the API company's endpoints of the
    # caller's partner, both read from the caller's facts, never from the
    # context (the portal's calls carry one of the client's choosing, which
    # sudo does not check).
    # ------------------------------------------------------------------

    def _webhook_partner_sudo(self):
        """The caller's partner (``_partner_sudo``) in its API company."""
        caller = self.env["partner.order.api.caller"]
        return caller._partner_sudo().with_company(caller._company())

    def _webhook_info(self, partner_sudo, new_secret=None):
        """The settings of the first endpoint of ``partner_sudo`` in its
        environment's company."""
        endpoint = partner_sudo._order_api_webhook_endpoint()
        info = {
            "url": endpoint.url or None,
            "signing_secret_set": bool(endpoint.secret),
            "event_types": partner_sudo._order_api_webhook_event_types(),
            "previous_secret_expires_at": utc_iso(
                endpoint._previous_secret_expiry() if endpoint else None
            ),
        }
        if new_secret:
            # shown once, when it is created; admins can issue a new one
            info["signing_secret"] = new_secret
        return info

    def _get_webhook(self):
        return self._webhook_info(self._webhook_partner_sudo())

    def _set_webhook(self, url, event_types=None):
        """Set the first endpoint's URL and the events it receives (None:
        all; codes checked by ``lib.validation``); none yet: create it."""
        partner_sudo = self._webhook_partner_sudo()
        url = self.env["partner.order.api.webhook.event"]._check_url(url)
        endpoint = partner_sudo._order_api_webhook_endpoint(create=True)
        had_secret = bool(endpoint.secret)
        endpoint.url = url
        endpoint._set_event_types(event_types)
        secret = endpoint._ensure_secret()
        return self._webhook_info(
            partner_sudo, new_secret=None if had_secret else secret
        )

    def _rotate_webhook_secret(self):
        """A new signing secret, answered once; the previous one keeps
        signing webhooks beside it for 24 hours."""
        partner_sudo = self._webhook_partner_sudo()
        endpoint = partner_sudo._order_api_webhook_endpoint(create=True)
        endpoint._rotate_secret()
        return self._webhook_info(partner_sudo, new_secret=endpoint.secret)

    def _delete_webhook(self):
        """The first endpoint's URL removed (its secret and event types
        stay, for the next PUT webhook)."""
        partner_sudo = self._webhook_partner_sudo()
        endpoint = partner_sudo._order_api_webhook_endpoint()
        if endpoint.url:
            endpoint.url = False
        return self._webhook_info(partner_sudo)

    def _test_webhook(self):
        partner_sudo = self._webhook_partner_sudo()
        endpoint = partner_sudo._order_api_webhook_endpoint()
        if not endpoint.url:
            raise errors.WebhookNotSet()
        Event = self.env["partner.order.api.webhook.event"]
        return Event._send_ping(endpoint)._ping_answer()

    # ------------------------------------------------------------------
    # The endpoints
    # ------------------------------------------------------------------

    def _endpoints_sudo(self):
        """The caller's endpoints in its API company (elevated)."""
        caller = self.env["partner.order.api.caller"]
        return (
            self.env["partner.order.api.webhook.endpoint"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", caller._partner_sudo().id),
                    ("company_id", "=", caller._company().id),
                ],
                order="id",
            )
        )

    def _endpoint_sudo(self, endpoint_id):
        """The caller's endpoint ``endpoint_id``; another partner's, another
        company's or none: 404."""
        endpoint = self._endpoints_sudo().filtered(lambda e: e.id == endpoint_id)
        if not endpoint:
            raise errors.NotFound(f"No webhook endpoint {endpoint_id}.")
        return endpoint

    def _create_endpoint(self, partner_sudo, url, event_types):
        company = partner_sudo.env.company
        Endpoint = self.env["partner.order.api.webhook.endpoint"].sudo()
        # the partner's row locked: two creations at once count each other
        self.env.cr.execute(
            "SELECT id FROM res_partner WHERE id = %s FOR UPDATE", [partner_sudo.id]
        )
        if Endpoint._count_of(partner_sudo, company) >= MAX_ENDPOINTS:
            raise errors.WebhookEndpointLimit(MAX_ENDPOINTS)
        endpoint = Endpoint.create(
            {
                "partner_id": partner_sudo.id,
                "company_id": company.id,
                "url": url,
                "secret": webhook.new_secret(),
            }
        )
        endpoint._set_event_types(event_types)
        return endpoint

    def _endpoint_info(self, endpoint, new_secret=False):
        info = {
            "id": endpoint.id,
            "url": endpoint.url or None,
            "event_types": endpoint._event_types(),
            "state": endpoint.state,
            "disabled_reason": endpoint.disabled_reason or None,
            "created_at": utc_iso(endpoint.create_date),
            "previous_secret_expires_at": utc_iso(endpoint._previous_secret_expiry()),
        }
        if new_secret:
            info["signing_secret"] = endpoint.secret
        return info

    def _list_endpoints(self):
        return {
            "endpoints": [
                self._endpoint_info(endpoint) for endpoint in self._endpoints_sudo()
            ]
        }

    def _add_endpoint(self, url, event_types=None):
        partner_sudo = self._webhook_partner_sudo()
        url = self.env["partner.order.api.webhook.event"]._check_url(url)
        endpoint = self._create_endpoint(partner_sudo, url, event_types)
        return {"endpoint": self._endpoint_info(endpoint, new_secret=True)}

    def _update_endpoint(self, endpoint_id, changes):
        """``changes``: ``url``, ``event_types`` (None: all), ``state``
        (``enabled`` re-enables a disabled endpoint), each when given."""
        endpoint = self._endpoint_sudo(endpoint_id)
        Event = self.env["partner.order.api.webhook.event"]
        if "url" in changes:
            endpoint.url = Event._check_url(changes["url"])
        if "event_types" in changes:
            endpoint._set_event_types(changes["event_types"])
        if changes.get("state") == "enabled" and endpoint.state != "enabled":
            endpoint.state = "enabled"
        elif changes.get("state") == "disabled" and endpoint.state != "disabled":
            endpoint.write(
                {
                    "state": "disabled",
                    "disabled_reason": "Disabled by the partner.",
                    "failing_since": False,
                }
            )
        return {"endpoint": self._endpoint_info(endpoint)}

    def _delete_endpoint(self, endpoint_id):
        endpoint = self._endpoint_sudo(endpoint_id)
        info = self._endpoint_info(endpoint)
        endpoint.unlink()
        return {"endpoint": info}

    def _rotate_endpoint_secret(self, endpoint_id):
        endpoint = self._endpoint_sudo(endpoint_id)
        endpoint._rotate_secret()
        return {"endpoint": self._endpoint_info(endpoint, new_secret=True)}

    def _test_endpoint(self, endpoint_id):
        endpoint = self._endpoint_sudo(endpoint_id)
        if not endpoint.url:
            raise errors.WebhookNotSet()
        Event = self.env["partner.order.api.webhook.event"]
        return Event._send_ping(endpoint)._ping_answer()
