# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Several webhook endpoints per partner (issue 29), through the real API
and real loopback receivers: at most 5, another partner's id is 404, each
endpoint receives the events it chose, as its own event signed with its
own secret, and the ``webhook`` routes act on the first one."""

from datetime import timedelta

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_webhook_events import WebhookEventsCase
from .webhook_receiver import WebhookReceiver


@tagged("post_install", "-at_install")
class TestWebhookEndpoints(WebhookEventsCase):
    def setUp(self):
        super().setUp()
        self.r1 = self.enterContext(WebhookReceiver())
        self.r2 = self.enterContext(WebhookReceiver())

    def add(self, url, key=None, **body):
        response = self.api(
            "POST", "webhook/endpoints", key=key or self.key_a, body=dict(body, url=url)
        )
        self.assertEqual(response.status_code, 201, response.text)
        return response.json()["endpoint"]

    def listed(self, key=None):
        response = self.api("GET", "webhook/endpoints", key=key or self.key_a)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["endpoints"]

    def test_add_list_and_at_most_five(self):
        first = self.add(self.r1.url)
        self.assertTrue(first["signing_secret"].startswith("whsec_"))
        self.assertEqual(
            (first["url"], first["state"], first["disabled_reason"]),
            (self.r1.url, "enabled", None),
        )
        self.assertEqual(first["event_types"][-1], "ping")
        more = [self.add(f"{self.r2.url}/{index}") for index in range(4)]
        listed = self.listed()
        self.assertEqual(
            [e["id"] for e in listed], [first["id"]] + [e["id"] for e in more]
        )
        self.assertFalse(any("signing_secret" in e for e in listed), "shown once")
        # the sixth: 409, nothing made
        response = self.api(
            "POST", "webhook/endpoints", key=self.key_a, body={"url": self.r2.url}
        )
        self.assert_error(response, 409, "webhook_endpoint_limit")
        self.assertEqual(len(self.listed()), 5)
        # partner B has its own five
        self.assertEqual(self.listed(self.key_b), [])
        self.add(self.r2.url, key=self.key_b)
        # one deleted: room for one more
        response = self.api(
            "DELETE", f"webhook/endpoints/{more[0]['id']}", key=self.key_a
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.add(self.r2.url)
        self.assertEqual(len(self.listed()), 5)

    def test_a_rejected_url_makes_no_endpoint(self):
        response = self.api(
            "POST",
            "webhook/endpoints",
            key=self.key_a,
            body={"url": "http://10.0.0.1/hook"},
        )
        self.assert_error(response, 422, "webhook_url_rejected")
        self.assertEqual(self.listed(), [])

    def test_another_partners_endpoint_is_not_found(self):
        theirs = self.add(self.r2.url, key=self.key_b, event_types=["order.shipped"])
        path = f"webhook/endpoints/{theirs['id']}"
        for method, route, body in (
            ("PUT", path, {"url": self.r1.url}),
            ("PUT", path, {"state": "disabled"}),
            ("POST", f"{path}/rotate_secret", None),
            ("POST", f"{path}/test", None),
            ("DELETE", path, None),
        ):
            with self.subTest(method=method, route=route, body=body):
                response = self.api(method, route, key=self.key_a, body=body)
                self.assert_error(response, 404, "not_found")
        self.assertEqual(self.r2.requests, [], "no ping reached partner B's receiver")
        [still] = self.listed(self.key_b)
        self.assertEqual(
            (still["id"], still["url"], still["state"], still["event_types"]),
            (theirs["id"], self.r2.url, "enabled", ["order.shipped", "ping"]),
        )
        self.assertIsNone(still["previous_secret_expires_at"], "not rotated")
        # an id that is nobody's
        response = self.api("DELETE", "webhook/endpoints/999999", key=self.key_a)
        self.assert_error(response, 404, "not_found")

    def test_each_endpoint_its_events_and_its_secret(self):
        """The first endpoint (PUT webhook) receives everything, the second
        only order.shipped: each event is its own row and webhook-id, signed
        with its endpoint's secret, and the log names the endpoint."""
        info = self._subscribe_to(self.r1.url)
        second = self.add(self.r2.url, event_types=["order.shipped"])
        order, _created = self._order(amount=1)
        self.deliver(order)
        self.Event._cron_send()
        to_first = self.r1.wait_for(4, timeout=10)
        to_second = self.r2.wait_for(1, timeout=10)
        self.assertEqual(
            sorted(r["headers"]["x-webhook-event"] for r in to_first),
            sorted(
                ["order.updated", "order.created", "order.updated", "order.shipped"]
            ),
        )
        [shipped] = to_second
        self.assertEqual(shipped["headers"]["x-webhook-event"], "order.shipped")
        body = Webhook(second["signing_secret"]).verify(
            shipped["body"], shipped["headers"]
        )
        self.assertEqual(body, self._status(order))
        with self.assertRaises(WebhookVerificationError):
            Webhook(info["signing_secret"]).verify(shipped["body"], shipped["headers"])
        for request in to_first:
            Webhook(info["signing_secret"]).verify(request["body"], request["headers"])
        ids = {r["headers"]["webhook-id"] for r in to_first + to_second}
        self.assertEqual(len(ids), 5, "one webhook-id per event and endpoint")
        events = self.Event.search([("order_id", "=", order.id)])
        first_id = self.listed()[0]["id"]
        self.assertEqual(
            sorted((e.event_type, e.endpoint_id.id) for e in events),
            sorted(
                [
                    ("order.created", first_id),
                    ("order.shipped", first_id),
                    ("order.shipped", second["id"]),
                    ("order.updated", first_id),
                    ("order.updated", first_id),
                ]
            ),
        )
        log = self.api(
            "GET",
            "webhook/events",
            key=self.key_a,
            params={"type": "order.shipped", "order_id": order.name},
        ).json()["events"]
        self.assertEqual(
            sorted(e["endpoint_id"] for e in log), sorted([first_id, second["id"]])
        )

    def _subscribe_to(self, url):
        response = self.api("PUT", "webhook", key=self.key_a, body={"url": url})
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def test_the_webhook_routes_act_on_the_first_endpoint(self):
        first = self.add(self.r1.url, event_types=["order.invoiced"])
        second = self.add(self.r2.url)
        got = self.api("GET", "webhook", key=self.key_a).json()
        self.assertEqual(
            (got["url"], got["event_types"]), (self.r1.url, ["order.invoiced", "ping"])
        )
        self.assertEqual(self.partner_a.order_api_webhook_url, self.r1.url)
        self.assertEqual(
            self.partner_a.sudo().order_api_webhook_secret, first["signing_secret"]
        )
        response = self.api(
            "PUT", "webhook", key=self.key_a, body={"url": f"{self.r1.url}/moved"}
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertNotIn("signing_secret", response.json(), "the first had one")
        ping = self.api("POST", "webhook/test", key=self.key_a).json()
        self.assertTrue(ping["delivered"])
        self.assertEqual(ping["url"], f"{self.r1.url}/moved")
        self.assertEqual(len(self.r1.requests), 1)
        self.assertEqual(self.r2.requests, [])
        listed = {e["id"]: e["url"] for e in self.listed()}
        self.assertEqual(
            listed, {first["id"]: f"{self.r1.url}/moved", second["id"]: self.r2.url}
        )
        # DELETE webhook takes the first one's URL; the second keeps its own
        self.api("DELETE", "webhook", key=self.key_a)
        self.assertEqual(
            {e["id"]: e["url"] for e in self.listed()},
            {first["id"]: None, second["id"]: self.r2.url},
        )

    def test_change_rotate_ping_and_delete_one(self):
        # a budget of its own: each route's cost is in X-RateLimit-Cost
        self.partner_a.order_api_rate_limit_per_minute = 100
        self.add(self.r1.url)
        second = self.add(self.r2.url)
        path = f"webhook/endpoints/{second['id']}"
        response = self.api(
            "PUT", path, key=self.key_a, body={"event_types": ["order.cancelled"]}
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.headers.get("X-RateLimit-Cost"), "1")
        self.assertEqual(
            response.json()["endpoint"]["event_types"], ["order.cancelled", "ping"]
        )
        response = self.api("PUT", path, key=self.key_a, body={"url": "ftp://x"})
        self.assert_error(response, 400, "validation_error")
        response = self.api(
            "PUT", path, key=self.key_a, body={"url": "http://10.0.0.1/hook"}
        )
        self.assert_error(response, 422, "webhook_url_rejected")
        self.assertEqual(self.listed()[1]["url"], self.r2.url, "unchanged")
        rotated = self.api("POST", f"{path}/rotate_secret", key=self.key_a).json()
        new_secret = rotated["endpoint"]["signing_secret"]
        self.assertNotEqual(new_secret, second["signing_secret"])
        self.assertTrue(rotated["endpoint"]["previous_secret_expires_at"])
        response = self.api("POST", f"{path}/test", key=self.key_a)
        # a network call of up to the webhook deadline: as POST webhook/test
        self.assertEqual(response.headers.get("X-RateLimit-Cost"), "5")
        ping = response.json()
        self.assertTrue(ping["delivered"])
        [request] = self.r2.requests
        self.assertEqual(request["headers"]["webhook-id"], ping["webhook_id"])
        # signed with both during the overlap
        Webhook(new_secret).verify(request["body"], request["headers"])
        Webhook(second["signing_secret"]).verify(request["body"], request["headers"])
        self.assertEqual(self.r1.requests, [])
        response = self.api("DELETE", path, key=self.key_a)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(len(self.listed()), 1)

    def test_a_disabled_endpoint_gets_nothing_until_enabled(self):
        first = self.add(self.r1.url, event_types=["order.created"])
        path = f"webhook/endpoints/{first['id']}"
        response = self.api("PUT", path, key=self.key_a, body={"state": "disabled"})
        self.assertEqual(response.json()["endpoint"]["state"], "disabled")
        self.assertTrue(response.json()["endpoint"]["disabled_reason"])
        order, _created = self._order()
        self.assertFalse(self.Event.search([("order_id", "=", order.id)]))
        response = self.api("PUT", path, key=self.key_a, body={"state": "enabled"})
        self.assertEqual(
            (
                response.json()["endpoint"]["state"],
                response.json()["endpoint"]["disabled_reason"],
            ),
            ("enabled", None),
        )
        order, _created = self._order()
        self.Event._cron_send()
        [request] = self.r1.wait_for(1, timeout=10)
        self.assertEqual(request["headers"]["x-webhook-event"], "order.created")
        Webhook(first["signing_secret"]).verify(request["body"], request["headers"])

    def test_sequence_per_order_and_endpoint(self):
        """X-Webhook-Sequence counts each order's events to each endpoint:
        1, 2, 3... in the order they were recorded, whatever the other
        endpoint and the other orders received."""
        self._subscribe_to(self.r1.url)
        self.add(self.r2.url, event_types=["order.shipped"])

        def sequences(requests):
            return [
                (
                    r["headers"]["x-webhook-event"],
                    r["headers"].get("x-webhook-sequence"),
                    self.env["partner.order.api.webhook.event"]
                    .search([("message_id", "=", r["headers"]["webhook-id"])])
                    .order_id,
                )
                for r in requests
            ]

        first, _created = self._order(amount=1)
        second, _created = self._order(amount=1)
        self.deliver(first)
        self.deliver(second)
        events = self.Event.search([("order_id", "in", (first | second).ids)])
        self.assertEqual(
            sorted((e.order_id.id, e.endpoint_id.id, e.sequence) for e in events),
            sorted(
                (order.id, endpoint, number)
                for order in (first, second)
                for endpoint, numbers in (
                    (events.endpoint_id.sorted("id")[0].id, (1, 2, 3, 4)),
                    (events.endpoint_id.sorted("id")[1].id, (1,)),
                )
                for number in numbers
            ),
        )
        # recorded order: created (updated, created), then shipped
        for order in (first, second):
            to_first = events.filtered(
                lambda e, o=order: (
                    e.order_id == o
                    and e.endpoint_id == events.endpoint_id.sorted("id")[0]
                )
            ).sorted("id")
            self.assertEqual(to_first.mapped("sequence"), [1, 2, 3, 4])
            self.assertEqual(to_first[-1].event_type, "order.shipped")
        self.Event._cron_send()
        got_1 = sequences(self.r1.wait_for(8, timeout=10))
        got_2 = sequences(self.r2.wait_for(2, timeout=10))
        for order in (first, second):
            self.assertEqual(
                sorted(seq for _kind, seq, o in got_1 if o == order),
                ["1", "2", "3", "4"],
            )
            self.assertEqual(
                [(kind, seq) for kind, seq, o in got_2 if o == order],
                [("order.shipped", "1")],
            )
        # a ping carries none
        ping = self.api("POST", "webhook/test", key=self.key_a).json()
        [request] = [
            r
            for r in self.r1.requests
            if r["headers"]["webhook-id"] == ping["webhook_id"]
        ]
        self.assertNotIn("x-webhook-sequence", request["headers"])


EVENT_LOGGER = "odoo.addons.partner_order_api.models.partner_order_api_webhook_event"


@tagged("post_install", "-at_install")
class TestWebhookEndpointFailing(WebhookEventsCase):
    """An endpoint whose deliveries failed for 5 days is disabled, its
    waiting events stay unsent, its partner's API users are emailed (a
    queued mail.mail, sent by Odoo's mail cron); PUT state enabled resumes
    it."""

    def setUp(self):
        super().setUp()
        self.receiver = self.enterContext(WebhookReceiver(statuses=(500,)))
        response = self.api(
            "POST",
            "webhook/endpoints",
            key=self.key_a,
            body={"url": self.receiver.url, "event_types": ["order.created"]},
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.endpoint = self.env["partner.order.api.webhook.endpoint"].browse(
            response.json()["endpoint"]["id"]
        )

    def _due(self, events):
        events.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})

    def _mails(self):
        return self.env["mail.mail"].search(
            [("subject", "like", "Your webhook endpoint was disabled")]
        )

    def test_failing_since_set_kept_and_cleared(self):
        order, _created = self._order()
        [event] = self.Event.search([("order_id", "=", order.id)])
        with mute_logger(EVENT_LOGGER):
            self.Event._cron_send()
        self.assertTrue(self.endpoint.failing_since)
        started = self.endpoint.failing_since
        # four days later, failing again: still enabled
        self.endpoint.failing_since = started - timedelta(days=4)
        self._due(event)
        with mute_logger(EVENT_LOGGER):
            self.Event._cron_send()
        self.assertEqual(self.endpoint.state, "enabled")
        self.assertEqual(self.endpoint.failing_since, started - timedelta(days=4))
        # delivered: the failures are over
        self.receiver.statuses[:] = [200]
        self._due(event)
        self.Event._cron_send()
        self.assertEqual(event.state, "done")
        self.assertFalse(self.endpoint.failing_since)
        self.assertFalse(self._mails())

    def test_five_days_of_failures_disable_until_enabled(self):
        first, _created = self._order()
        second, _created = self._order()
        events = self.Event.search([("order_id", "in", (first | second).ids)])
        self.assertEqual(len(events), 2)
        self.endpoint.failing_since = fields.Datetime.now() - timedelta(days=5, hours=1)
        self._due(events)
        with mute_logger(EVENT_LOGGER):
            self.Event._cron_send()
        # the first failed attempt disabled it: the second event waits
        self.assertEqual(len(self.receiver.requests), 1)
        self.assertEqual(self.endpoint.state, "disabled")
        self.assertIn("5 days", self.endpoint.disabled_reason)
        self.assertEqual(sorted(events.mapped("state")), ["pending", "pending"])
        self.assertEqual(sorted(events.mapped("attempt_count")), [0, 1])
        self._due(events)
        with mute_logger(EVENT_LOGGER):
            self.Event._cron_send()
        self.assertEqual(len(self.receiver.requests), 1, "nothing sent while disabled")
        [listed] = self.api("GET", "webhook/endpoints", key=self.key_a).json()[
            "endpoints"
        ]
        self.assertEqual(
            (listed["state"], listed["disabled_reason"]),
            ("disabled", self.endpoint.disabled_reason),
        )
        # the email, queued for the mail cron (no network here)
        [mail] = self._mails()
        self.assertEqual(mail.state, "outgoing")
        self.assertIn(self.user_a.email, mail.email_to)
        self.assertIn(self.receiver.url, mail.body_html)
        # its partner re-enables it: the waiting events go out
        self.receiver.statuses[:] = [200]
        response = self.api(
            "PUT",
            f"webhook/endpoints/{self.endpoint.id}",
            key=self.key_a,
            body={"state": "enabled"},
        )
        self.assertEqual(response.json()["endpoint"]["state"], "enabled")
        self.assertFalse(self.endpoint.failing_since)
        self._due(events)
        self.Event._cron_send()
        self.assertEqual(events.mapped("state"), ["done", "done"])
        self.assertEqual(len(self.receiver.requests), 3)
