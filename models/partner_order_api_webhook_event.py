# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook outbox.

What happens to an API order writes its event rows in the same transaction:
no commit, no event; a commit, always its events. The moments and their
event types:

* the order is created (confirmed) through the API: ``order.created``
  (``sale.order.action_confirm``);
* an outgoing delivery of it is validated (``stock.picking._action_done``):
  ``order.shipped`` when everything is delivered (the body's ``status`` is
  ``shipped``), ``order.partially_shipped`` otherwise;
* it is cancelled: ``order.cancelled`` (``sale.order._action_cancel``);
* a customer invoice of it is posted: ``order.invoiced``
  (``account.move._post``), once per posting;
* its partner changes it through ``POST order/change``: ``order.changed``
  (``partner_order_api_orders_change.py``).
* a return of its goods is created (``POST order/return``, or Odoo's
  return wizard: ``stock.return.picking._create_return``):
  ``order.return_requested``; the return is validated (goods received,
  ``stock.picking._action_done``): ``order.returned``.

Beside each of them goes an ``order.updated``, the event type that existed
before this list: a client that knows only it hears of every change. Each
type is one row per endpoint of the partner whose types hold it
(``partner.order.api.webhook.endpoint``, none: all), with its own
``webhook-id`` and ``X-Webhook-Sequence``; a disabled endpoint's events
wait. The HTTP POST happens later, in the sender cron, woken at once by
``ir.cron._trigger()`` and again at each retry time.

One attempt is two short transactions around the network call:

1. the claim: the next due event is locked with ``FOR UPDATE SKIP LOCKED``
   (concurrent cron workers never send the same attempt twice), the attempt
   is counted, ``next_attempt_at`` pushed to its retry time and the
   sender's wake-up at that time (a trigger) created, and that is committed
   before a byte goes out. A server that dies during the call leaves an
   event that is sent again at its retry time, by a restarted server too,
   not one claimed first again;
2. the call, with no transaction open and no row locked: ``lib/webhook.py``
   connects only to the addresses it checked (DNS rebinding), and gives up
   after ``DEADLINE_SECONDS`` in total (DNS lookup, connect, TLS, send,
   answer) and ``MAX_RESPONSE_BYTES`` read;
3. the outcome (delivered, or the error and what comes next), committed;
   when no retry follows, it drops the claim's wake-up (no idle run).

Partners are served in turns: each round gives every partner with a due
event one attempt, oldest first, so one partner's backlog or slow receiver
delays another partner's events by at most one deadline. A run stops after
``CRON_TIME_BUDGET`` seconds and triggers the cron again, which keeps it far
below Odoo's time limit for cron jobs and lets the other jobs run. Errors
are caught per event: the cron job itself does not fail (Odoo deactivates a
cron that keeps failing).

Events carry the company of their order (test pings: the API company's)
and go to an endpoint of the partner there; a record rule keeps them in it.
"""

import functools
import json
import logging
import threading
import time
import uuid
from datetime import timedelta

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lib import errors, webhook

_logger = logging.getLogger(__name__)

# seconds for one webhook request, everything included (lib/webhook.py)
TIMEOUT = webhook.DEADLINE_SECONDS
# seconds a sender run may start new attempts for; then it triggers the
# cron again (a run lasts at most this plus one TIMEOUT)
CRON_TIME_BUDGET = 30
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
BATCH = 100
USER_AGENT = "partner_order_api-webhook/18.0"
EVENT_HEADER = "X-Webhook-Event"
SEQUENCE_HEADER = "X-Webhook-Sequence"
RESPONSE_EXCERPT = 500
IN_FLIGHT = "attempt in progress, or the sender stopped during it (no outcome recorded)"


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
            ("order.created", "Order created"),
            ("order.partially_shipped", "Order partially shipped"),
            ("order.shipped", "Order shipped"),
            ("order.cancelled", "Order cancelled"),
            ("order.invoiced", "Order invoiced"),
            ("order.changed", "Order changed"),
            ("order.return_requested", "Order return requested"),
            ("order.returned", "Order returned"),
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
    sequence = fields.Integer(
        readonly=True,
        help="X-Webhook-Sequence: per order and endpoint, one more than the "
        "previous event of that order to that endpoint (none for test pings).",
    )
    endpoint_id = fields.Many2one(
        "partner.order.api.webhook.endpoint",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The endpoint the event goes to (its URL and secret); events "
        "of a deleted endpoint are not sent any more.",
    )
    # no default on purpose: an upgrade leaves old rows empty for init() to
    # fill from their order (a default would give them all one company)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        help="The company of the order (test pings: the API company), whose "
        "webhook it goes to. Users see the deliveries of their companies only.",
    )
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
    attempt_ids = fields.One2many(
        "partner.order.api.webhook.attempt",
        "event_id",
        string="Attempts Made",
        readonly=True,
        help="Every attempt, as the partner reads it in GET webhook/events.",
    )

    def init(self):
        cr = self.env.cr
        # the sender's query: due pending events, oldest first, skipping the
        # partners served in the current round without visiting the table
        cr.execute("DROP INDEX IF EXISTS partner_order_api_webhook_event_due_idx")
        cr.execute(
            """
            CREATE INDEX IF NOT EXISTS partner_order_api_webhook_event_due_partner_idx
                ON partner_order_api_webhook_event (next_attempt_at, id)
                   INCLUDE (partner_id)
             WHERE state = 'pending'
            """
        )
        # X-Webhook-Sequence is unique per order and endpoint, by construction
        # (partner.order.api.webhook.sequence) and here, as a proof
        cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS
                   partner_order_api_webhook_event_sequence_uniq
                ON partner_order_api_webhook_event (order_id, endpoint_id, sequence)
             WHERE sequence IS NOT NULL
            """
        )
        # events logged before company_id existed: their order's company, the
        # partner's, or the main company; runs on every install and upgrade,
        # touches only rows still without a company
        cr.execute(
            """
            UPDATE partner_order_api_webhook_event event
               SET company_id = COALESCE(
                       (SELECT o.company_id FROM sale_order o WHERE o.id = event.order_id),
                       (SELECT p.company_id FROM res_partner p WHERE p.id = event.partner_id),
                       (SELECT d.res_id FROM ir_model_data d
                         WHERE d.module = 'base' AND d.name = 'main_company'),
                       (SELECT min(c.id) FROM res_company c)
                   )
             WHERE event.company_id IS NULL
            """
        )

    @api.model_create_multi
    def create(self, vals_list):
        # the company when none is given: the order's, the partner's, the
        # current one (a field default would also fill old rows on upgrade)
        for vals in vals_list:
            if not vals.get("company_id"):
                order = self.env["sale.order"].sudo().browse(vals.get("order_id"))
                partner = self.env["res.partner"].sudo().browse(vals.get("partner_id"))
                vals["company_id"] = (
                    order.company_id or partner.company_id or self.env.company
                ).id
        return super().create(vals_list)

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
        """Send the due events, partners in turns, one committed claim and
        one committed outcome per attempt, for at most CRON_TIME_BUDGET
        seconds."""
        # Odoo's test harness runs everything in one transaction it rolls
        # back: there, the claims and outcomes are not committed
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        started = time.monotonic()
        served = []  # the partners that had their turn in this round
        done = 0
        while done < limit and time.monotonic() - started < CRON_TIME_BUDGET:
            event = self._claim_next_due(served, auto_commit)
            if event is None:
                continue  # lost a race for a row: look again
            if not event and served:
                served = []  # every partner with a due event had its turn
                continue
            if not event:
                break
            served.append(event.partner_id.id)
            self._send_claimed(event, auto_commit)
            done += 1
        else:
            # budget or batch used up: run again at once, as a new job run
            # (other cron jobs first), rather than through _notify_progress's
            # immediate re-runs inside this one
            if self._count_due():
                self._wake_sender()
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit  # the trigger (cron)
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return done

    @api.model
    def _count_due(self):
        return self.search_count(
            [
                ("state", "=", "pending"),
                ("next_attempt_at", "<=", fields.Datetime.now()),
                "|",
                ("endpoint_id", "=", False),
                ("endpoint_id.state", "=", "enabled"),
            ]
        )

    @api.model
    def _claim_next_due(self, exclude_partners=(), auto_commit=False):
        """Lock the oldest due pending event that no other worker holds,
        of a partner not in ``exclude_partners``: the event, an empty
        recordset if there is none, None if another worker changed the row
        first (try again)."""
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    SELECT id FROM partner_order_api_webhook_event
                     WHERE state = 'pending' AND next_attempt_at <= %s
                       AND partner_id <> ALL(%s) AND NOT EXISTS (
                           SELECT FROM partner_order_api_webhook_endpoint d
                            WHERE d.id = endpoint_id AND d.state = 'disabled')
                  ORDER BY next_attempt_at, id
                     LIMIT 1
                       FOR UPDATE SKIP LOCKED
                    """,
                    [fields.Datetime.now(), list(exclude_partners)],
                )
                row = self.env.cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            # claimed and committed by another worker after this
            # transaction's snapshot: start a new transaction
            if auto_commit:
                self.env.cr.rollback()
            return None
        return self.browse(row[0]) if row else self.browse()

    def _send_claimed(self, event, auto_commit):
        """One attempt of the locked ``event``: the claim (committed), the
        call (no transaction open), the outcome (committed). Never raises."""
        try:
            with self.env.cr.savepoint():
                request = event._start_attempt()
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit  # the claim, before the call (cron)
        except Exception:  # pylint: disable=broad-except
            _logger.exception("Webhook event %s: the attempt could not start", event.id)
            if auto_commit:
                self.env.cr.rollback()
            self._postpone(event.id, auto_commit)
            return
        if request is None:
            return
        url, body, headers, policy = request
        try:
            result = webhook.send(url, body, headers, **policy)
        except errors.ValidationError as exc:
            result = webhook.Result(error=f"refused: {exc.message}")
        except Exception as exc:  # pylint: disable=broad-except
            # one broken event never stops the others nor the cron
            _logger.exception("Webhook event %s: unexpected error", event.id)
            result = webhook.Result(
                error=f"unexpected error while sending: {type(exc).__name__}"
            )
        try:
            with self.env.cr.savepoint():
                event._finish_attempt(result)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit  # the outcome (cron)
        except Exception:  # pylint: disable=broad-except
            # the claim stays: the event waits for its retry time
            _logger.exception(
                "Webhook event %s: the outcome could not be recorded", event.id
            )
            if auto_commit:
                self.env.cr.rollback()

    def _postpone(self, event_id, auto_commit):
        """Push a broken event to its first retry time (no ORM): not again now."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    UPDATE partner_order_api_webhook_event
                       SET next_attempt_at = %s, last_error = %s
                     WHERE id = %s AND state = 'pending'
                    """,
                    [
                        fields.Datetime.now() + RETRY_DELAYS[0],
                        "unexpected error before sending",
                        event_id,
                    ],
                )
            self.browse(event_id).invalidate_recordset()
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit  # (cron)
        except Exception:  # pylint: disable=broad-except
            _logger.exception("Webhook event %s: could not be postponed", event_id)
            if auto_commit:
                self.env.cr.rollback()

    def _start_attempt(self):
        """Count an attempt of this (locked) event and push its next attempt
        to the retry time; ``(url, body, headers, url policy)`` to send, or
        None if there is nothing to send any more."""
        self.ensure_one()
        partner = self.partner_id.sudo().with_company(self.company_id)
        endpoint = self.endpoint_id.sudo()
        url = endpoint.url if endpoint.state == "enabled" else False
        now = fields.Datetime.now()
        attempts = self.attempt_count + 1
        retry_at = now + RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        self.write(
            {
                "url": url or self.url,
                "attempt_count": attempts,
                "last_attempt_at": now,
                "next_attempt_at": retry_at,
                "last_status_code": 0,
                "last_error": IN_FLIGHT,
                "last_response_time_ms": 0,
            }
        )
        # committed with the claim: if the outcome is never recorded (the
        # server dies during the call), the event still has its wake-up
        self._wake_sender(retry_at)
        if not url or not partner.order_api_enabled:
            self._finish_attempt(
                webhook.Result(error="The endpoint is gone or disabled."),
                final=True,
            )
            return None
        body, headers = self._request(endpoint._signing_secrets())
        return url, body, headers, self._url_policy()

    def _finish_attempt(self, result, final=False):
        """Record the outcome of the attempt that ``_start_attempt`` counted
        (and the attempt itself, for the partner's event log)."""
        self.ensure_one()
        self.env["partner.order.api.webhook.attempt"]._record(self, result)
        if not final:  # disabled after FAILING_DAYS of failures
            self.endpoint_id._note_outcome(result.delivered)
        if result.delivered:
            self._drop_claim_wake_up()
            self.write(
                {
                    "state": "done",
                    "next_attempt_at": False,
                    "last_status_code": result.status,
                    "last_error": False,
                    "last_response_time_ms": result.elapsed_ms,
                    "delivered_at": fields.Datetime.now(),
                }
            )
            return
        failed = (
            final
            or self.event_type == "ping"
            or not self.next_attempt_at
            or self.next_attempt_at > self.deadline
        )
        self.write(
            {
                "state": "failed" if failed else "pending",
                "next_attempt_at": False if failed else self.next_attempt_at,
                "last_status_code": result.status or 0,
                "last_error": (result.error or "")[:RESPONSE_EXCERPT],
                "last_response_time_ms": result.elapsed_ms,
            }
        )
        log = _logger.warning if failed else _logger.info
        log(
            "Webhook %s (%s) for partner #%s: attempt %s failed (%s)%s",
            self.message_id,
            self.event_type,
            self.partner_id.id,
            self.attempt_count,
            result.error,
            "; giving up" if failed else f"; next attempt at {self.next_attempt_at}",
        )
        if failed:
            self._drop_claim_wake_up()
        # else the claim's wake-up at next_attempt_at stands

    def _drop_claim_wake_up(self):
        """Remove the sender trigger this attempt's claim set at its retry
        time (``_start_attempt``): the event needs no retry. Each event
        waiting for a retry keeps its own."""
        self.ensure_one()
        cron = self.env.ref(
            "partner_order_api.ir_cron_webhook_send", raise_if_not_found=False
        )
        if not cron or not self.attempt_count or not self.last_attempt_at:
            return
        retry_at = (
            self.last_attempt_at
            + RETRY_DELAYS[min(self.attempt_count, len(RETRY_DELAYS)) - 1]
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    DELETE FROM ir_cron_trigger
                     WHERE id = (SELECT id FROM ir_cron_trigger
                                  WHERE cron_id = %s AND call_at = %s
                                  LIMIT 1 FOR UPDATE SKIP LOCKED)
                    """,
                    [cron.id, retry_at],
                )
        except psycopg2.errors.SerializationFailure:
            # removed by another transaction meanwhile: one idle run at most
            _logger.debug("Webhook event %s: its wake-up was already gone", self.id)

    @api.model
    def _url_policy(self):
        """What ``lib.webhook.check_url`` needs from the system parameters."""
        params = self.env["ir.config_parameter"].sudo()
        return {
            "allow_http": str(
                params.get_param("partner_order_api.webhook_allow_http", "False")
            ).lower()
            in ("1", "true", "yes"),
            "allowed_hosts": params.get_param(
                "partner_order_api.webhook_allowed_hosts", ""
            ),
        }

    @api.model
    def _check_url(self, url):
        """The URL if the server may POST to it (its DNS lookup bounded by
        TIMEOUT); else a ``lib.errors.ValidationError``."""
        return webhook.check_url(
            url,
            resolver=functools.partial(webhook.resolve, timeout=TIMEOUT),
            **self._url_policy(),
        )

    def _request(self, secrets):
        """The body (bytes) and the signed headers of this event: one
        signature per secret of ``secrets`` (the current one first; during
        a rotation's overlap also the previous one), space-separated in
        ``webhook-signature``, as the Standard Webhooks specification
        allows."""
        self.ensure_one()
        if isinstance(secrets, str):
            secrets = [secrets]
        timestamp = int(time.time())
        body = self.payload or "{}"
        signatures = " ".join(
            webhook.sign(secret, self.message_id, timestamp, body) for secret in secrets
        )
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "webhook-id": self.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signatures,
            EVENT_HEADER: self.event_type,
        }
        if self.sequence:
            headers[SEQUENCE_HEADER] = str(self.sequence)
        return body.encode(), headers

    # ------------------------------------------------------------------
    # Redelivery (test pings: partner_order_api_webhook_ping.py)
    # ------------------------------------------------------------------

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


def _dumps(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
