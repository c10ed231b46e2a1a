# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook delivery that one receiver cannot stop: DNS rebinding, slow,
silent and huge receivers beside a healthy one of another partner, test
pings under the same deadline, and the events' company.

Real receivers on the loopback (webhook_receiver.py), the real sender (the
cron's server action); DNS answers come from a patched
``socket.getaddrinfo``. Odoo's test harness keeps everything in one
transaction: the commits around each attempt are exercised by
tests_live/test_webhook_live.py.
"""

import socket
import time
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models import partner_order_api_webhook_event as outbox
from ..models.partner_order_api_webhook_event import IN_FLIGHT, TIMEOUT
from ..models.partner_order_api_webhook_ping import NOT_DELIVERED
from .common import PartnerOrderApiCase
from .webhook_receiver import (
    RawReceiver,
    WebhookReceiver,
    closed_port_url,
    same_port_receivers,
)

EVENT_LOGGER = "odoo.addons.partner_order_api.models.partner_order_api_webhook_event"
# what "within normal latency" may add to one deadline on a busy test machine
MARGIN = 5
MB = 1024 * 1024


class FakeDns:
    """``socket.getaddrinfo`` for ``name``: ``answers`` in turn (the last
    one repeats); with ``everything_after``, every lookup after the first
    one of ``name`` (numeric ones included) gets the last answer."""

    def __init__(self, name, *answers, everything_after=False):
        self.name = name
        self.answers = answers
        self.everything_after = everything_after
        self.calls = []
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        self.calls.append(host)
        if host == self.name:
            count = self.calls.count(self.name)
            address = self.answers[min(count, len(self.answers)) - 1]
            return self.real(address, port, *args, **kwargs)
        if self.everything_after and self.name in self.calls:
            return self.real(self.answers[-1], port, *args, **kwargs)
        return self.real(host, port, *args, **kwargs)

    def patch(self):
        return patch.object(socket, "getaddrinfo", self)


@tagged("post_install", "-at_install")
class TestWebhookLimits(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param("partner_order_api.webhook_allow_http", "True")
        cls.params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
        cls.Event = cls.env["partner.order.api.webhook.event"]
        cls.cron = cls.env.ref("partner_order_api.ir_cron_webhook_send")
        # one event per validated delivery: a subscription to the delivery
        # events alone (the other events: test_webhook_events.py)
        (cls.partner_a | cls.partner_b)._order_api_set_webhook_event_types(
            ["order.partially_shipped", "order.shipped"]
        )

    def _queue(self, key, count):
        """``count`` API orders of ``key``'s partner, delivered: their events."""
        events = self.Event
        for _index in range(count):
            response = self.api(
                "POST", "order", key=key, body=self.order_body(amount=1)
            )
            self.assertEqual(response.status_code, 201, response.text)
            order = self.env["sale.order"].search(
                [("name", "=", response.json()["biomes_order_id"])]
            )
            self.deliver(order)
            events |= self.Event.search([("order_id", "=", order.id)])
        self.assertEqual(len(events), count)
        return events

    def _due_in_order(self, events):
        """Make ``events`` due, the first one the oldest."""
        base = fields.Datetime.now() - timedelta(minutes=1)
        for index, event in enumerate(events):
            event.next_attempt_at = base + timedelta(seconds=index)

    def _run_cron(self):
        """The cron's own server action (``model._cron_send()``), timed."""
        start = time.monotonic()
        with mute_logger(EVENT_LOGGER):
            self.cron.method_direct_trigger()
        return start, time.monotonic() - start

    # ------------------------------------------------------------------
    # One slow, silent or huge receiver beside a healthy one
    # ------------------------------------------------------------------

    def _beside_a_healthy_partner(self, slow):
        """Partner A (2 events, the oldest) has ``slow`` as receiver, partner
        B (1 event) a healthy one; one cron run. Returns (A's events, B's
        event, B's request, A's connections, start, duration)."""
        with slow, WebhookReceiver() as healthy:
            self.partner_a.order_api_webhook_url = slow.url
            self.partner_b.order_api_webhook_url = healthy.url
            slow_events = self._queue(self.key_a, 2)
            healthy_event = self._queue(self.key_b, 1)
            self._due_in_order(slow_events | healthy_event)
            start, took = self._run_cron()
            received = healthy.wait_for(1, timeout=0)
            connections = slow.wait_closed(2, timeout=10)
        self.assertEqual(len(received), 1, "the healthy partner got its event")
        self.assertEqual(healthy_event.state, "done")
        self.assertEqual(len(connections), 2, "both of A's events were attempted")
        # B's turn came after one attempt of A, not after all of them
        self.assertLess(received[0]["received_at"], connections[1]["accepted_at"])
        self.assertLess(received[0]["received_at"] - start, TIMEOUT + MARGIN)
        # the sender survived, the cron with it
        self.assertTrue(self.cron.active)
        return slow_events, healthy_event, received[0], connections, start, took

    def _assert_timed_out(self, events, phase, status):
        now = fields.Datetime.now()
        for event in events:
            self.assertEqual(
                (event.state, event.attempt_count, event.last_status_code),
                ("pending", 1, status),
            )
            self.assertEqual(
                event.last_error,
                f"timeout: no complete answer within {TIMEOUT} s "
                f"(still {phase} at the deadline)",
            )
            self.assertGreater(event.next_attempt_at, now + timedelta(seconds=30))
            self.assertGreaterEqual(event.last_response_time_ms, TIMEOUT * 1000)
            self.assertLess(event.last_response_time_ms, (TIMEOUT + MARGIN) * 1000)

    def test_trickling_receiver_beside_a_healthy_partner(self):
        # headers, then one byte every 2 s: 60 s for the whole answer
        slow = RawReceiver("trickle", interval=2, length=30)
        slow_events, *_rest, took = self._beside_a_healthy_partner(slow)
        self._assert_timed_out(slow_events, "reading the body", 200)
        self.assertLess(took, 2 * TIMEOUT + MARGIN)

    def test_silent_receiver_beside_a_healthy_partner(self):
        slow = RawReceiver("silent")
        slow_events, *_rest, took = self._beside_a_healthy_partner(slow)
        self._assert_timed_out(
            slow_events, "waiting for the status line and headers", 0
        )
        self.assertLess(took, 2 * TIMEOUT + MARGIN)

    def test_50_mb_receiver_beside_a_healthy_partner(self):
        huge = RawReceiver("huge", size=50 * MB)
        huge_events, _healthy, _request, connections, *_rest = (
            self._beside_a_healthy_partner(huge)
        )
        # a 2xx is a delivery; its body is read up to the cap, not further
        for event in huge_events:
            self.assertEqual(
                (event.state, event.last_status_code, event.last_error),
                ("done", 200, False),
            )
        for connection in connections:
            self.assertTrue(connection["reset"])
            self.assertLess(connection["sent"], 2 * MB)

    def test_a_broken_event_does_not_stop_the_others(self):
        with WebhookReceiver() as healthy:
            self.partner_a.order_api_webhook_url = healthy.url
            self.partner_b.order_api_webhook_url = healthy.url
            broken = self._queue(self.key_a, 1)
            fine = self._queue(self.key_b, 1)
            self._due_in_order(broken | fine)
            # a secret that cannot be decoded: signing raises
            self.partner_a.sudo().order_api_webhook_secret = "whsec_A"
            with self.assertLogs(EVENT_LOGGER, "ERROR") as logs:
                self.cron.method_direct_trigger()
            received = healthy.wait_for(1, timeout=0)
        self.assertIn("the attempt could not start", logs.output[0])
        self.assertEqual(len(received), 1)
        self.assertEqual(fine.state, "done")
        self.assertEqual(
            (broken.state, broken.last_error),
            ("pending", "unexpected error before sending"),
        )
        self.assertGreater(broken.next_attempt_at, fields.Datetime.now())
        self.assertTrue(self.cron.active)

    def test_the_claim_takes_the_event_out_of_the_queue_before_the_call(self):
        """What a worker that dies during the call leaves behind (in
        production the claim is committed before the call): the attempt is
        counted and the event waits for its retry time."""
        self.partner_a.order_api_webhook_url = closed_port_url()
        event = self._queue(self.key_a, 1)
        self._due_in_order(event)
        self.assertEqual(self.Event._claim_next_due(), event)
        url, body, headers, policy = event._start_attempt()
        self.assertEqual(url, self.partner_a.order_api_webhook_url)
        self.assertEqual(headers["webhook-id"], event.message_id)
        self.assertEqual(body, event.payload.encode())
        self.assertEqual(policy["allowed_hosts"], "127.0.0.1")
        self.assertEqual(
            (event.state, event.attempt_count, event.last_error),
            ("pending", 1, IN_FLIGHT),
        )
        self.assertEqual(
            event.next_attempt_at - event.last_attempt_at, timedelta(minutes=1)
        )
        self.assertFalse(self.Event._claim_next_due())
        # another partner's due event is next; a partner served this round
        # is skipped
        self.partner_b.order_api_webhook_url = closed_port_url()
        other = self._queue(self.key_b, 1)
        self._due_in_order(other)
        self.assertEqual(self.Event._claim_next_due(), other)
        self.assertFalse(self.Event._claim_next_due([self.partner_b.id]))

    def test_partners_take_turns_over_a_backlog(self):
        with WebhookReceiver() as receiver_a, WebhookReceiver() as receiver_b:
            self.partner_a.order_api_webhook_url = receiver_a.url
            self.partner_b.order_api_webhook_url = receiver_b.url
            backlog = self._queue(self.key_a, 4)
            late = self._queue(self.key_b, 2)
            self._due_in_order(backlog | late)
            self.Event._cron_send()
            got_a = receiver_a.wait_for(4)
            got_b = receiver_b.wait_for(2)
        order = sorted(
            [("A", r["received_at"]) for r in got_a]
            + [("B", r["received_at"]) for r in got_b],
            key=lambda item: item[1],
        )
        self.assertEqual([who for who, _at in order], list("ABABAA"))
        self.assertEqual(set((backlog | late).mapped("state")), {"done"})

    def _cron_triggers_due_now(self):
        return self.env["ir.cron.trigger"].search_count(
            [
                ("cron_id", "=", self.cron.id),
                ("call_at", "<=", fields.Datetime.now()),
            ]
        )

    def test_a_run_that_stops_early_wakes_the_cron_again(self):
        with WebhookReceiver() as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            events = self._queue(self.key_a, 2)
            self._due_in_order(events)
            self.env["ir.cron.trigger"].search([]).unlink()
            # the batch is used up with an event left: a new run at once
            self.assertEqual(self.Event._cron_send(limit=1), 1)
            self.assertEqual(self._cron_triggers_due_now(), 1)
            self.assertEqual(events.mapped("state"), ["done", "pending"])
            # so is the time budget
            self.env["ir.cron.trigger"].search([]).unlink()
            with patch.object(outbox, "CRON_TIME_BUDGET", 0):
                self.assertEqual(self.Event._cron_send(), 0)
            self.assertEqual(self._cron_triggers_due_now(), 1)
            # nothing left: no new run
            self.env["ir.cron.trigger"].search([]).unlink()
            self.assertEqual(self.Event._cron_send(), 1)
            self.assertEqual(self._cron_triggers_due_now(), 0)
            self.assertEqual(len(receiver.wait_for(2)), 2)

    # ------------------------------------------------------------------
    # DNS rebinding
    # ------------------------------------------------------------------

    def test_a_second_dns_answer_is_not_followed(self):
        """The name answers an allowed address when checked, then the
        loopback: the request goes to the checked address, with the URL's
        Host header."""
        self.params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.2")
        good, evil = same_port_receivers(
            lambda port: WebhookReceiver(host="127.0.0.2", port=port),
            lambda port: WebhookReceiver(host="127.0.0.1", port=port),
        )
        url = f"http://rebind.test:{good.port}/hook"
        with good, evil:
            with FakeDns("rebind.test", "127.0.0.2").patch():
                self.partner_a.order_api_webhook_url = url
            event = self._queue(self.key_a, 1)
            dns = FakeDns("rebind.test", "127.0.0.2", "127.0.0.1")
            with dns.patch():
                self.Event._cron_send()
            received = good.wait_for(1)
            time.sleep(0.3)
            self.assertEqual(evil.requests, [])
        self.assertEqual(dns.calls.count("rebind.test"), 1)
        self.assertEqual(len(received), 1)
        self.assertEqual(received[0]["headers"]["host"], f"rebind.test:{good.port}")
        self.assertEqual(received[0]["headers"]["webhook-id"], event.message_id)
        self.assertEqual(event.state, "done")

    def test_a_socket_that_lands_on_the_loopback_is_refused(self):
        """A public address first, 127.0.0.1 for every lookup after it: the
        socket reaches the loopback, the peer check closes it before the
        request goes out, and the attempt is recorded as refused."""
        self.params.set_param("partner_order_api.webhook_allowed_hosts", "")
        with WebhookReceiver() as local:
            url = f"http://rebind.test:{local.port}/hook"
            with FakeDns("rebind.test", "93.184.216.34").patch():
                self.partner_a.order_api_webhook_url = url
            event = self._queue(self.key_a, 1)
            dns = FakeDns(
                "rebind.test", "93.184.216.34", "127.0.0.1", everything_after=True
            )
            with dns.patch(), mute_logger(EVENT_LOGGER):
                self.Event._cron_send()
            time.sleep(0.3)
            self.assertEqual(local.requests, [])
        self.assertEqual(
            (event.state, event.attempt_count, event.last_status_code),
            ("pending", 1, 0),
        )
        self.assertEqual(
            event.last_error,
            "refused: the connection to rebind.test reached 127.0.0.1, "
            "which is not an address checked for it",
        )
        self.assertGreater(event.next_attempt_at, fields.Datetime.now())

    # ------------------------------------------------------------------
    # POST webhook/test: the same deadline and cap, in the HTTP worker
    # ------------------------------------------------------------------

    def _ping(self, receiver):
        with receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            start = time.monotonic()
            response = self.api("POST", "webhook/test", key=self.key_a)
            took = time.monotonic() - start
            connections = receiver.wait_closed(1, timeout=10)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertLess(took, TIMEOUT + MARGIN)
        self.assertEqual(len(connections), 1)
        return response.json(), took, connections[0]

    def test_ping_to_a_trickling_receiver(self):
        result, took, _connection = self._ping(
            RawReceiver("trickle", interval=2, length=30)
        )
        self.assertGreaterEqual(took, TIMEOUT)
        self.assertFalse(result["delivered"])
        self.assertEqual(result["status_code"], 200)
        self.assertEqual(result["error"], NOT_DELIVERED)
        logged = self.Event.search([("message_id", "=", result["webhook_id"])])
        self.assertEqual(
            logged.last_error,
            f"timeout: no complete answer within {TIMEOUT} s "
            "(still reading the body at the deadline)",
        )

    def test_ping_to_a_silent_receiver(self):
        result, took, _connection = self._ping(RawReceiver("silent"))
        self.assertGreaterEqual(took, TIMEOUT)
        self.assertFalse(result["delivered"])
        self.assertIsNone(result["status_code"])
        self.assertEqual(result["error"], NOT_DELIVERED)
        logged = self.Event.search([("message_id", "=", result["webhook_id"])])
        self.assertEqual(
            logged.last_error,
            f"timeout: no complete answer within {TIMEOUT} s "
            "(still waiting for the status line and headers at the deadline)",
        )
        self.assertEqual((logged.state, logged.event_type), ("failed", "ping"))

    def test_ping_to_a_50_mb_receiver(self):
        result, _took, connection = self._ping(RawReceiver("huge", size=50 * MB))
        self.assertTrue(result["delivered"])
        self.assertEqual(result["status_code"], 200)
        self.assertTrue(connection["reset"])
        self.assertLess(connection["sent"], 2 * MB)

    # ------------------------------------------------------------------
    # Company
    # ------------------------------------------------------------------

    def test_events_carry_their_company_and_stay_in_it(self):
        company_2 = self.env["res.company"].create({"name": "POA Second Company"})
        order_2, event_1, event_2 = self._events_in_two_companies(company_2)
        self.assertEqual(event_1.company_id, self.company)
        self.assertEqual(event_2.company_id, company_2)
        self._assert_each_company_sees_its_events(company_2, event_1, event_2)
        self._assert_pings_and_new_events_take_their_company(company_2, order_2)

    def _events_in_two_companies(self, company_2):
        """An event of an API order in the main company, and one of an order
        of partner A in ``company_2`` (none while the partner has no webhook
        there): (that order, the first event, the second)."""
        self.partner_a.order_api_webhook_url = closed_port_url()
        event_1 = self._queue(self.key_a, 1)
        order_2 = self.env["sale.order"].create(
            {
                "partner_id": self.user_a.partner_id.id,
                "company_id": company_2.id,
                "order_api_partner_id": self.partner_a.id,
                "order_line": [
                    Command.create({"product_id": self.product_a.id, "price_unit": 1})
                ],
            }
        )
        # the webhook is per company: none in company 2, no event of its order
        self.assertFalse(
            self.Event._record_order_events([(order_2, False)], "order.shipped")
        )
        self.partner_a.with_company(company_2).order_api_webhook_url = closed_port_url()
        event_2 = self.Event._record_order_events([(order_2, False)], "order.shipped")
        return order_2, event_1, event_2

    def _assert_each_company_sees_its_events(self, company_2, event_1, event_2):
        """A salesperson of one company finds and reads its company's event
        alone; a manager of both, with both active, finds both."""
        events = event_1 | event_2
        sales_1 = new_test_user(
            self.env,
            login="poa-wh-sales-1",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        sales_2 = new_test_user(
            self.env,
            login="poa-wh-sales-2",
            groups="sales_team.group_sale_salesman",
            company_id=company_2.id,
            company_ids=[Command.set(company_2.ids)],
        )
        both = new_test_user(
            self.env,
            login="poa-wh-sales-both",
            groups="sales_team.group_sale_manager",
            company_id=self.company.id,
            company_ids=[Command.set((self.company | company_2).ids)],
        )
        domain = [("id", "in", events.ids)]
        self.assertEqual(self.Event.with_user(sales_1).search(domain), event_1)
        self.assertEqual(self.Event.with_user(sales_2).search(domain), event_2)
        with self.assertRaises(AccessError):
            event_2.with_user(sales_1).read(["payload"])
        with self.assertRaises(AccessError):
            event_1.with_user(sales_2).read(["payload"])
        # a user of both companies sees both, with both companies active
        self.assertEqual(
            self.Event.with_user(both)
            .with_context(allowed_company_ids=(self.company | company_2).ids)
            .search(domain),
            events,
        )

    def _assert_pings_and_new_events_take_their_company(self, company_2, order_2):
        """Test pings: the company of the partner's environment (the API
        company), whose webhook they go to; events created without a
        company: the order's, else the partner's, else the current one."""
        partner_2 = (
            self.env["res.partner"]
            .with_company(company_2)
            .create(
                {
                    "name": "POA partner of company 2",
                    "is_company": True,
                    "company_id": company_2.id,
                    "order_api_webhook_url": closed_port_url(),
                }
            )
        )
        self.assertEqual(self.Event._send_ping(partner_2).company_id, company_2)
        created = self.Event.create(
            [
                {"partner_id": self.partner_a.id, "order_id": order_2.id},
                {"partner_id": partner_2.id, "event_type": "ping"},
                {"partner_id": self.partner_a.id, "event_type": "ping"},
            ]
        )
        self.assertEqual(
            [event.company_id for event in created],
            [company_2, company_2, self.company],
        )
        self.assertEqual(
            self.Event._send_ping(self.partner_a.with_company(company_2)).company_id,
            company_2,
        )
        self.assertEqual(self.Event._send_ping(self.partner_a).company_id, self.company)

    def test_upgrade_fills_the_company_of_older_events(self):
        """init() gives events stored before the field existed the company
        of their order, else of their partner, else the main company."""
        company_2 = self.env["res.company"].create({"name": "POA Second Company"})
        self.partner_a.order_api_webhook_url = closed_port_url()
        order_event = self._queue(self.key_a, 1)
        partner_2 = self.env["res.partner"].create(
            {"name": "POA partner of company 2", "company_id": company_2.id}
        )
        pings = self.Event.create(
            [
                {
                    "event_type": "ping",
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "payload": "{}",
                    "state": "done",
                }
                for partner in (self.partner_a, partner_2)
            ]
        )
        events = order_event | pings
        self.env.flush_all()
        cr = self.env.cr
        # the order's company is the one that counts (moved here without
        # the ORM's checks, to tell it from the main company)
        cr.execute(
            "UPDATE sale_order SET company_id = %s WHERE id = %s",
            [company_2.id, order_event.order_id.id],
        )
        # the table as an upgrade finds it: the column is new and empty
        cr.execute(
            "ALTER TABLE partner_order_api_webhook_event ALTER company_id DROP NOT NULL"
        )
        cr.execute(
            "UPDATE partner_order_api_webhook_event SET company_id = NULL "
            "WHERE id IN %s",
            [tuple(events.ids)],
        )
        self.Event.init()
        self.Event.init()  # idempotent
        cr.execute(
            "ALTER TABLE partner_order_api_webhook_event ALTER company_id SET NOT NULL"
        )
        events.invalidate_recordset()
        self.assertEqual(
            [event.company_id for event in events],
            [company_2, self.env.ref("base.main_company"), company_2],
        )
