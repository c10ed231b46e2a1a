# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook event log a partner reads and replays from itself:
``GET webhook/events`` and ``POST webhook/events/redeliver``.

``partner.order.api.webhook.attempt`` keeps one row per attempt of an
event (written by the sender, ``partner.order.api.webhook.event.
_finish_attempt``); ``partner.order.api.webhook.log`` answers the two
routes, confined to the caller's partner in its API company, as every
use case is (``partner.order.api.caller``).
"""

from datetime import timedelta

from odoo import fields, models

from ..lib import errors, pagination, webhook
from ..lib.schema_webhook_log import EXCERPT_MAX, LOG_DAYS
from .order_reader import utc_iso
from .partner_order_api_webhook_event import RETRY_WINDOW

# the log's states, as the table stores them
STATE_OF = {"pending": "pending", "done": "delivered", "failed": "failed"}
STORED_STATE = {shown: stored for stored, shown in STATE_OF.items()}


class PartnerOrderApiWebhookAttempt(models.Model):
    _name = "partner.order.api.webhook.attempt"
    _description = "Partner Order API: one attempt to deliver a webhook event"
    _order = "id"

    event_id = fields.Many2one(
        "partner.order.api.webhook.event",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    at = fields.Datetime(required=True, readonly=True)
    status_code = fields.Integer(readonly=True, help="0: no HTTP status came.")
    duration_ms = fields.Integer(readonly=True)
    error = fields.Char(readonly=True)
    response_excerpt = fields.Char(
        readonly=True,
        help="The receiver's first characters, kept only when the address it "
        "was sent to is public.",
    )

    def _record(self, event, result):
        """The attempt of ``event`` that gave ``result`` (``lib.webhook.
        Result``)."""
        excerpt = result.excerpt if webhook.public_peer(result.peer) else ""
        return self.sudo().create(
            {
                "event_id": event.id,
                "at": fields.Datetime.now(),
                "status_code": result.status or 0,
                "duration_ms": max(result.elapsed_ms or 0, 0),
                "error": (result.error or "")[:500] or False,
                "response_excerpt": (excerpt or "")[:EXCERPT_MAX] or False,
            }
        )


class PartnerOrderApiWebhookLog(models.AbstractModel):
    _name = "partner.order.api.webhook.log"
    _description = "Partner Order API: a partner's webhook event log"

    def _events_domain(self):
        """The caller's events in its API company, of the last LOG_DAYS,
        of the orders of its key's mode (README, "Test keys") and of none."""
        caller = self.env["partner.order.api.caller"]
        return [
            ("partner_id", "=", caller._partner_sudo().id),
            ("company_id", "=", caller._company().id),
            ("create_date", ">=", fields.Datetime.now() - timedelta(days=LOG_DAYS)),
            "|",
            ("order_id", "=", False),
            ("order_id.order_api_test", "=", caller._test_mode()),
        ]

    def _list_events(self, query):
        """A page of the caller's events, newest first, each with its
        attempts: three statements whatever the page's size."""
        Event = self.env["partner.order.api.webhook.event"].sudo()
        domain = self._events_domain()
        if query.status:
            domain.append(("state", "=", STORED_STATE[query.status]))
        if query.since:
            domain.append(("create_date", ">=", query.since))
        if query.type:
            domain.append(("event_type", "=", query.type))
        if query.order_id:
            domain.append(("order_id.name", "=", query.order_id))
        total = Event.search_count(domain)
        events = Event.search(
            domain,
            order="create_date desc, id desc",
            limit=query.page_size,
            offset=(query.page - 1) * query.page_size,
        )
        attempts = {}
        for attempt in (
            self.env["partner.order.api.webhook.attempt"]
            .sudo()
            .search([("event_id", "in", events.ids)])
        ):
            attempts.setdefault(attempt.event_id.id, []).append(
                {
                    "at": utc_iso(attempt.at),
                    "status_code": attempt.status_code or None,
                    "duration_ms": attempt.duration_ms,
                    "error": attempt.error or None,
                    "response_excerpt": attempt.response_excerpt or None,
                }
            )
        return {
            "events": [
                {
                    "id": event.message_id,
                    "type": event.event_type,
                    "biomes_order_id": event.order_id.name or None,
                    "endpoint_id": event.endpoint_id.id or None,
                    "created_at": utc_iso(event.create_date),
                    "state": STATE_OF[event.state],
                    "attempts": attempts.get(event.id, []),
                }
                for event in events
            ],
            "pagination": pagination.page_of(query.page, query.page_size, total),
        }

    def _redeliver(self, event_id=None, since=None):
        """Queue again one event (any state) or every failed one since a
        time; ``{"queued": N}``. An event id the caller does not own is 404."""
        Event = self.env["partner.order.api.webhook.event"].sudo()
        domain = self._events_domain()
        if event_id:
            events = Event.search(domain + [("message_id", "=", event_id)])
            if not events:
                raise errors.NotFound(f"No webhook event {event_id}.")
        else:
            events = Event.search(
                domain + [("state", "=", "failed"), ("create_date", ">=", since)]
            )
        now = fields.Datetime.now()
        events.write(
            {
                "state": "pending",
                "next_attempt_at": now,
                "deadline": now + RETRY_WINDOW,
            }
        )
        if events:
            Event._wake_sender(now)
        return {"queued": len(events)}
