# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Test pings: ``POST webhook/test`` and the portal's "Send test event".

A ping is sent at once, by the HTTP worker that was asked (the partner waits
for its answer), so that worker is bounded:

* one ping in flight per partner, on every worker and server: a PostgreSQL
  slot (``lib/pg_slots.py``: ``slot``, kind ``webhook_test``) is held during
  the call; another test meanwhile is answered 429 ``concurrency_limited``
  with Retry-After the webhook deadline;
* nothing is written or locked before the call (the event row, and the
  partner's signing secret when this ping is its first use, are written
  after it): the worker holds no row lock while it waits for the receiver,
  and a retried request sends one more ping, nothing else;
* the log keeps the latest ping of each endpoint only: its older ping
  rows are deleted when a new one is logged (two pings committed at the same moment may leave two until the
  next one);
* the answer says delivered or not and the receiver's HTTP status, no more
  (no error detail, no timing: nothing for a port scanner); the event row
  keeps the details for the administrators.
"""

from odoo import api, fields, models

from ..lib import errors, webhook
from ..lib.pg_slots import slot
from .partner_order_api_webhook_event import RESPONSE_EXCERPT, _dumps

# the ``error`` of every test answer that was not delivered
NOT_DELIVERED = (
    "The webhook receiver did not answer with a 2xx status within "
    f"{webhook.DEADLINE_SECONDS} seconds."
)
PING_IN_FLIGHT = (
    "A test event of this partner is being sent: retry after the time in Retry-After."
)


class PartnerOrderApiWebhookEvent(models.Model):
    _inherit = "partner.order.api.webhook.event"

    @api.model
    def _send_ping(self, endpoint):
        """Send a signed test event to ``endpoint`` (a webhook endpoint of
        the caller's partner in its API company; a partner: its first one)
        now and return the logged
        event; ValidationError if the URL may not be called,
        ConcurrencyLimited while another ping of the partner is in flight.
        The call, DNS lookup included, takes at most TIMEOUT seconds: that
        is how long it holds the HTTP worker."""
        if endpoint._name == "res.partner":
            # a partner: its webhook (first endpoint) of its environment's company
            endpoint = endpoint._order_api_webhook_endpoint()
        endpoint_sudo = endpoint.sudo()
        partner_sudo = endpoint_sudo.partner_id.with_company(endpoint_sudo.company_id)
        with slot(self.env.cr.dbname, "webhook_test", partner_sudo.id, 1) as taken:
            if not taken:
                raise errors.ConcurrencyLimited(
                    webhook.DEADLINE_SECONDS, PING_IN_FLIGHT
                )
            event = self.sudo().new(
                {
                    "event_type": "ping",
                    "partner_id": partner_sudo.id,
                    "payload": _dumps(
                        {
                            "success": True,
                            "event": "ping",
                            "message": "Test event from the Partner Order API.",
                            "sent_at": fields.Datetime.now()
                            .replace(microsecond=0)
                            .isoformat()
                            + "Z",
                        }
                    ),
                }
            )
            url = (endpoint_sudo.url or "").strip()
            secrets, new_secret = self._ping_secrets(endpoint_sudo)
            policy = self._url_policy()
            body, headers = event._request(secrets)
            result = webhook.send(url, body, headers, **policy)
        # after the call: the first use's secret, the event, older pings
        if new_secret and not endpoint_sudo.secret:
            endpoint_sudo.secret = new_secret
        return self._log_ping(endpoint_sudo, event, url, result)

    @api.model
    def _ping_secrets(self, endpoint_sudo):
        """The secrets that sign a ping, and the new secret to store after
        the call when the endpoint has none yet (None otherwise): creating
        it before the call would hold the endpoint's row locked during it."""
        if endpoint_sudo.secret:
            return endpoint_sudo._signing_secrets(), None
        secret = webhook.new_secret()
        return [secret], secret

    @api.model
    def _log_ping(self, endpoint_sudo, event, url, result):
        """The ping's event row; the endpoint's older pings are deleted."""
        now = fields.Datetime.now()
        logged = self.sudo().create(
            {
                "message_id": event.message_id,
                "event_type": "ping",
                "partner_id": endpoint_sudo.partner_id.id,
                "company_id": endpoint_sudo.company_id.id,
                "endpoint_id": endpoint_sudo.id,
                "payload": event.payload,
                "state": "done" if result.delivered else "failed",
                "url": url,
                "attempt_count": 1,
                "last_attempt_at": now,
                "last_status_code": result.status or 0,
                "last_error": (result.error or "")[:RESPONSE_EXCERPT] or False,
                "last_response_time_ms": result.elapsed_ms,
                "delivered_at": now if result.delivered else False,
                "next_attempt_at": False,
            }
        )
        self.env["partner.order.api.webhook.attempt"]._record(logged, result)
        self.sudo().search(
            [
                ("endpoint_id", "=", endpoint_sudo.id),
                ("event_type", "=", "ping"),
                ("id", "<", logged.id),
            ]
        ).unlink()
        return logged

    def _ping_answer(self):
        """What the partner is told of this ping: delivered or not, and the
        receiver's HTTP status (None without one)."""
        self.ensure_one()
        delivered = self.state == "done"
        return {
            "delivered": delivered,
            "webhook_id": self.message_id,
            "url": self.url,
            "status_code": self.last_status_code or None,
            "error": None if delivered else NOT_DELIVERED,
        }
