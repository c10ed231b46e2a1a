# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The fixture of the webhook event tests (``test_webhook_events*.py``):
webhooks over plain HTTP to the loopback allowed, and the helpers that
order, subscribe, invoice and run the real sender, checking each request's
signature with the ``standardwebhooks`` library as a partner's receiver
would."""

from standardwebhooks.webhooks import Webhook

from .common import PartnerOrderApiCase

ALL_TYPES = [
    "order.updated",
    "order.created",
    "order.partially_shipped",
    "order.shipped",
    "order.cancelled",
    "order.invoiced",
    "order.changed",
    "order.return_requested",
    "order.returned",
    "ping",
]


class WebhookEventsCase(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.webhook_allow_http", "True")
        params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
        cls.Event = cls.env["partner.order.api.webhook.event"]

    def _order(self, product=None, amount=1, external_order_id=None):
        body = self.order_body(
            ean=(product or self.product_a).barcode,
            amount=amount,
            external_order_id=external_order_id,
        )
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        return order, response.json()

    def _status(self, order):
        return self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        ).json()

    def _send(self, receiver, count):
        """Run the sender; the requests that arrived, as
        ``(X-Webhook-Event, body, request)``, in the order they arrived.
        ``count``: how many are expected (more is a failure too)."""
        before = len(receiver.requests)
        self.Event._cron_send()
        requests = receiver.wait_for(before + count, timeout=10)[before:]
        self.assertEqual(
            len(requests),
            count,
            [r["headers"]["x-webhook-event"] for r in requests],
        )
        secret = self.partner_a.sudo().order_api_webhook_secret
        return [
            (
                request["headers"]["x-webhook-event"],
                Webhook(secret).verify(request["body"], request["headers"]),
                request,
            )
            for request in requests
        ]

    def _invoice(self, order):
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        return invoice

    def _subscribe(self, event_types=None, key=None):
        body = {"url": self.receiver.url}
        if event_types is not None:
            body["event_types"] = event_types
        response = self.api("PUT", "webhook", key=key or self.key_a, body=body)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()
