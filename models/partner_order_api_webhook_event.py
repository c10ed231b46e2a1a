# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook outbox.

Validating a delivery of an API order writes an event row in the same
transaction (``stock.picking._action_done``): no commit, no event; a commit,
always its event. The HTTP POST happens later, in the sender cron's own
transaction, woken at once by ``ir.cron._trigger()`` and again at each retry
time. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` so concurrent cron
workers never send the same attempt twice; each attempt is committed on its
own, so a receiver that is down, slow or broken never touches the
warehouse's transaction.
"""

import json
import logging
import threading
import time
import uuid
from datetime import timedelta

import requests

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lib import errors, webhook

_logger = logging.getLogger(__name__)

# seconds, for connecting and for each read (one number: Odoo's test
# harness raises scalar timeouts to 10 s and cannot compare tuples)
TIMEOUT = 5
# after attempt n fails, wait RETRY_DELAYS[n - 1] (the last one repeats)
RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
]
RETRY_WINDOW = timedelta(days=3)
BATCH = 50
USER_AGENT = "partner_order_api-webhook/18.0"
EVENT_HEADER = "X-Webhook-Event"
RESPONSE_EXCERPT = 500


class PartnerOrderApiWebhookEvent(models.Model):
    _name = "partner.order.api.webhook.event"
    _description = "Partner Order API: webhook delivery"
    _order = "id desc"
    _rec_name = "message_id"

    message_id = fields.Char(
        string="Webhook ID",
        required=True,
        readonly=True,
        index=True,
        copy=False,
        default=lambda self: f"msg_{uuid.uuid4().hex}",
        help="The webhook-id header: the same on every attempt of this event.",
    )
    event_type = fields.Selection(
        [
            ("order.updated", "Order updated"),
            ("order.cancelled", "Order cancelled"),
            ("ping", "Test ping"),
        ],
        required=True,
        readonly=True,
        default="order.updated",
    )
    partner_id = fields.Many2one(
        "res.partner", required=True, readonly=True, index=True, ondelete="cascade"
    )
    order_id = fields.Many2one(
        "sale.order", readonly=True, index="btree_not_null", ondelete="cascade"
    )
    picking_id = fields.Many2one("stock.picking", readonly=True, ondelete="set null")
    payload = fields.Text(
        readonly=True,
        help="The exact JSON body sent: the order_status body of the order when the event happened.",
    )
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Delivered"), ("failed", "Failed")],
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    url = fields.Char(string="Last URL", readonly=True)
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    next_attempt_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    deadline = fields.Datetime(
        readonly=True,
        default=lambda self: fields.Datetime.now() + RETRY_WINDOW,
        help="Retries stop after this time; the event is then marked failed.",
    )
    last_attempt_at = fields.Datetime(readonly=True)
    last_status_code = fields.Integer(readonly=True)
    last_error = fields.Char(readonly=True)
    last_response_time_ms = fields.Integer(
        string="Last Response Time (ms)", readonly=True
    )
    delivered_at = fields.Datetime(readonly=True)

    def init(self):
        # the sender's query: due pending events, oldest first
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS partner_order_api_webhook_event_due_idx
                ON partner_order_api_webhook_event (next_attempt_at, id)
             WHERE state = 'pending'
            """
        )

    # ------------------------------------------------------------------
    # Recording (inside the business transaction)
    # ------------------------------------------------------------------

    @api.model
    def _record_order_events(self, order_pickings, event_type="order.updated"):
        """Queue one event per ``(order, picking or None)`` of an API order
        whose partner has a webhook URL, with the order object as it is now,
        and wake the sender."""
        pairs = [
            (order.sudo(), picking)
            for order, picking in order_pickings
            if order.order_api_partner_id.sudo().order_api_enabled
            and order.order_api_partner_id.sudo().order_api_webhook_url
        ]
        if not pairs:
            return self.browse()
        orders = (
            self.env["sale.order"].sudo().union(*(order for order, _picking in pairs))
        )
        payloads = dict(zip(orders.ids, orders._order_api_serialize(), strict=True))
        events = self.sudo().create(
            [
                {
                    "event_type": event_type,
                    "partner_id": order.order_api_partner_id.id,
                    "order_id": order.id,
                    "picking_id": picking.id if picking else False,
                    "payload": _dumps(dict({"success": True}, **payloads[order.id])),
                }
                for order, picking in pairs
            ]
        )
        self._wake_sender()
        return events

    @api.model
    def _wake_sender(self, at=None):
        cron = self.env.ref(
            "partner_order_api.ir_cron_webhook_send", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger(at)

    # ------------------------------------------------------------------
    # Sending (the cron, outside any business transaction)
    # ------------------------------------------------------------------

    @api.model
    def _cron_send(self, limit=BATCH):
        """Send the due events, one committed attempt each."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        done = 0
        while done < limit:
            event = self._claim_next_due()
            if not event:
                break
            try:
                event._attempt()
            except Exception:  # pylint: disable=broad-except
                # one broken event never stops the others nor the cron
                _logger.exception("Webhook event %s: unexpected error", event.id)
                if auto_commit:
                    self.env.cr.rollback()
                event = self._claim_by_id(event.id)
                if event:
                    event._register_failure(None, "unexpected error while sending", 0)
            done += 1
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit  # one attempt, one transaction (cron)
        remaining = self.search_count(
            [
                ("state", "=", "pending"),
                ("next_attempt_at", "<=", fields.Datetime.now()),
            ]
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _claim_next_due(self):
        """Lock one due pending event that no other worker holds."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT id FROM partner_order_api_webhook_event
             WHERE state = 'pending' AND next_attempt_at <= %s
          ORDER BY next_attempt_at, id
             LIMIT 1
               FOR UPDATE SKIP LOCKED
            """,
            [fields.Datetime.now()],
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    def _claim_by_id(self, event_id):
        self.env.cr.execute(
            "SELECT id FROM partner_order_api_webhook_event WHERE id = %s FOR UPDATE SKIP LOCKED",
            [event_id],
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    def _attempt(self):
        """One delivery attempt of this (locked) event."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        url = partner.order_api_webhook_url
        if not url or not partner.order_api_enabled:
            self._register_failure(
                None, "The partner has no webhook URL any more.", 0, final=True
            )
            return False
        try:
            url = self._check_url(url)
        except errors.ValidationError as exc:
            self._register_failure(None, exc.message, 0, url=url)
            return False
        status, error, elapsed_ms, _body = self._post(
            url, partner._order_api_webhook_secret()
        )
        if status is not None and 200 <= status < 300:
            self.write(
                {
                    "state": "done",
                    "url": url,
                    "attempt_count": self.attempt_count + 1,
                    "last_attempt_at": fields.Datetime.now(),
                    "last_status_code": status,
                    "last_error": False,
                    "last_response_time_ms": elapsed_ms,
                    "delivered_at": fields.Datetime.now(),
                }
            )
            return True
        self._register_failure(status, error, elapsed_ms, url=url)
        return False

    def _register_failure(self, status, error, elapsed_ms, url=None, final=False):
        now = fields.Datetime.now()
        attempts = self.attempt_count + 1
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        next_attempt = now + delay
        failed = final or self.event_type == "ping" or next_attempt > self.deadline
        self.write(
            {
                "state": "failed" if failed else "pending",
                "url": url or self.url,
                "attempt_count": attempts,
                "last_attempt_at": now,
                "last_status_code": status or 0,
                "last_error": (error or "")[:RESPONSE_EXCERPT],
                "last_response_time_ms": elapsed_ms,
                "next_attempt_at": False if failed else next_attempt,
            }
        )
        log = _logger.warning if failed else _logger.info
        log(
            "Webhook %s (%s) for partner #%s: attempt %s failed (%s)%s",
            self.message_id,
            self.event_type,
            self.partner_id.id,
            attempts,
            error or status,
            "; giving up" if failed else f"; next attempt at {next_attempt}",
        )
        if not failed:
            self._wake_sender(next_attempt)

    @api.model
    def _check_url(self, url):
        params = self.env["ir.config_parameter"].sudo()
        return webhook.check_url(
            url,
            allow_http=str(
                params.get_param("partner_order_api.webhook_allow_http", "False")
            ).lower()
            in ("1", "true", "yes"),
            allowed_hosts=params.get_param(
                "partner_order_api.webhook_allowed_hosts", ""
            ),
        )

    def _post(self, url, secret):
        """POST the payload, signed; (status or None, error, ms, response excerpt)."""
        self.ensure_one()
        timestamp = int(time.time())
        body = self.payload or "{}"
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "webhook-id": self.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": webhook.sign(secret, self.message_id, timestamp, body),
            EVENT_HEADER: self.event_type,
        }
        start = time.monotonic()
        try:
            response = requests.post(
                url,
                data=body.encode(),
                headers=headers,
                timeout=TIMEOUT,
                allow_redirects=False,
            )
        except requests.Timeout:
            return None, "timeout", _ms(start), ""
        except requests.RequestException as exc:
            return None, f"connection error: {type(exc).__name__}", _ms(start), ""
        elapsed = _ms(start)
        excerpt = response.text[:RESPONSE_EXCERPT] if response.content else ""
        if 200 <= response.status_code < 300:
            return response.status_code, None, elapsed, excerpt
        return response.status_code, f"HTTP {response.status_code}", elapsed, excerpt

    # ------------------------------------------------------------------
    # Test pings and redelivery
    # ------------------------------------------------------------------

    @api.model
    def _send_ping(self, partner):
        """Send a signed test event to ``partner``'s webhook now and return
        the logged event. No business data changes before the call, so a
        retried request only sends one more ping."""
        partner = partner.sudo()
        url = self._check_url(partner.order_api_webhook_url or "")
        event = self.sudo().new(
            {
                "event_type": "ping",
                "partner_id": partner.id,
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
        status, error, elapsed_ms, _body = event._post(
            url, partner._order_api_webhook_secret()
        )
        ok = status is not None and 200 <= status < 300
        now = fields.Datetime.now()
        return self.sudo().create(
            {
                "message_id": event.message_id,
                "event_type": "ping",
                "partner_id": partner.id,
                "payload": event.payload,
                "state": "done" if ok else "failed",
                "url": url,
                "attempt_count": 1,
                "last_attempt_at": now,
                "last_status_code": status or 0,
                "last_error": error,
                "last_response_time_ms": elapsed_ms,
                "delivered_at": now if ok else False,
                "next_attempt_at": False,
            }
        )

    def action_redeliver(self):
        """Send these events again (same webhook-id), with a new retry window."""
        # the writes below are elevated: only users who may write the log
        # (sales managers) may ask for them
        self.check_access("write")
        events = self.filtered(lambda e: e.event_type != "ping")
        if not events:
            raise UserError(
                _("Test pings are not redelivered; send a new one instead.")
            )
        now = fields.Datetime.now()
        events.sudo().write(
            {
                "state": "pending",
                "next_attempt_at": now,
                "deadline": now + RETRY_WINDOW,
            }
        )
        self._wake_sender()
        return True

    @api.autovacuum
    def _gc_delivered_events(self):
        """Forget delivered and failed events after 90 days."""
        limit_date = fields.Datetime.now() - timedelta(days=90)
        self.sudo().search(
            [("state", "in", ("done", "failed")), ("create_date", "<", limit_date)],
            limit=10000,
        ).unlink()


def _ms(start):
    return int((time.monotonic() - start) * 1000)


def _dumps(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
