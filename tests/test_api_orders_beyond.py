# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Beyond the original document: multi-line orders and notes, Idempotency-Key,
cancel, tracking and read-only keys."""

from datetime import timedelta

from odoo import fields
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PartnerOrderApiCase
from .webhook_receiver import WebhookReceiver


@tagged("post_install", "-at_install")
class TestMultiLineOrders(PartnerOrderApiCase):
    def _counts(self):
        self.env.invalidate_all()
        return (
            self.env["sale.order"].search_count([]),
            self.env["res.partner"].with_context(active_test=False).search_count([]),
        )

    def _lines_body(self, lines, **extra):
        body = self.order_body(**extra)
        del body["ean"], body["amount"]
        body["lines"] = lines
        return body

    def test_three_lines_with_a_note(self):
        body = self._lines_body(
            [
                {"ean": self.product_a.barcode, "amount": 2},
                {"ean": self.product_b.barcode, "amount": 5},
                {"ean": self.kit.barcode, "amount": 1},
            ],
            external_order_id="ML-1",
        )
        body["note"] = "Please deliver before noon.\nGate 4."
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        data = response.json()
        self.assertEqual(
            [(line["ean"], line["quantity"]) for line in data["lines"]],
            [
                (self.product_a.barcode, 2),
                (self.product_b.barcode, 5),
                (self.kit.barcode, 1),
            ],
        )
        self.assertEqual(data["note"], "Please deliver before noon.\nGate 4.")
        self.assertAlmostEqual(data["total_cost"], 2 * 90 + 5 * 9 + 45)
        order = self.env["sale.order"].search([("name", "=", data["biomes_order_id"])])
        self.assertEqual(order.order_api_note, "Please deliver before noon.\nGate 4.")
        notes = order.message_ids.filtered(lambda m: "Gate 4." in (m.body or ""))
        self.assertEqual(len(notes), 1, "the note is in the chatter")

    def test_same_ean_twice_is_merged(self):
        body = self._lines_body(
            [
                {"ean": self.product_a.barcode, "amount": 2},
                {"ean": self.product_a.barcode, "amount": 3},
            ]
        )
        data = self.api("POST", "order", key=self.key_a, body=body).json()
        self.assertEqual(
            [(line["ean"], line["quantity"]) for line in data["lines"]],
            [(self.product_a.barcode, 5)],
        )

    def test_rejections_create_nothing(self):
        before = self._counts()
        good = {"ean": self.product_a.barcode, "amount": 1}
        cases = [
            (self._lines_body([]), 400, "validation_error"),
            (self._lines_body([good] * 101), 400, "validation_error"),
            (self._lines_body("nope"), 400, "validation_error"),
            (
                self._lines_body([good, {"ean": self.product_b.barcode, "amount": 0}]),
                400,
                "validation_error",
            ),
            (
                self._lines_body(
                    [good, {"ean": self.product_b.barcode, "amount": 1.5}]
                ),
                400,
                "validation_error",
            ),
            (self._lines_body([good, "x"]), 400, "validation_error"),
            (dict(self.order_body(), lines=[good]), 400, "validation_error"),
            (
                {k: v for k, v in self._lines_body([good]).items() if k != "lines"},
                400,
                "validation_error",
            ),
            (dict(self._lines_body([good]), note="x" * 2001), 400, "validation_error"),
            (dict(self._lines_body([good]), note=5), 400, "validation_error"),
            (
                self._lines_body(
                    [good, {"ean": self.product_forbidden.barcode, "amount": 1}]
                ),
                403,
                "product_not_allowed",
            ),
        ]
        for body, status, code in cases:
            with self.subTest(body=str(body)[:120]):
                self.assert_error(
                    self.api("POST", "order", key=self.key_a, body=body), status, code
                )
        bad_line = self.api(
            "POST",
            "order",
            key=self.key_a,
            body=self._lines_body([good, {"ean": self.product_b.barcode, "amount": 0}]),
        )
        self.assertIn(
            "lines[1].amount", [d["field"] for d in bad_line.json()["error"]["details"]]
        )
        self.assertEqual(self._counts(), before)


@tagged("post_install", "-at_install")
class TestIdempotency(PartnerOrderApiCase):
    def _post(self, body, key="idem-1", api_key=None):
        return self.api(
            "POST",
            "order",
            key=api_key or self.key_a,
            body=body,
            headers={"Idempotency-Key": key},
        )

    def test_replay_returns_the_first_answer(self):
        body = self.order_body(amount=2, external_order_id="IDEM-1")
        first = self._post(body)
        self.assertEqual(first.status_code, 201)
        self.assertNotIn("Idempotent-Replayed", first.headers)
        again = self._post(body)
        self.assertEqual(again.status_code, 201)
        self.assertEqual(again.headers["Idempotent-Replayed"], "true")
        self.assertEqual(again.json(), first.json())
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("order_api_external_id", "=", "IDEM-1")]
            ),
            1,
        )
        # key order and whitespace do not make another body
        reordered = dict(reversed(list(body.items())))
        self.assertEqual(
            self._post(reordered).headers.get("Idempotent-Replayed"), "true"
        )

    def test_same_key_other_body_is_refused(self):
        self.assertEqual(self._post(self.order_body(amount=1)).status_code, 201)
        before = self.env["sale.order"].search_count([])
        response = self._post(self.order_body(amount=2))
        self.assert_error(response, 409, "idempotency_key_reused")
        self.assertEqual(self.env["sale.order"].search_count([]), before)

    def test_keys_are_per_partner(self):
        self.assertEqual(self._post(self.order_body()).status_code, 201)
        other = self._post(self.order_body(), api_key=self.key_b)
        self.assertEqual(other.status_code, 201)
        self.assertNotIn("Idempotent-Replayed", other.headers)

    def test_failed_request_is_not_remembered(self):
        bad = self._post(
            self.order_body(ean=self.product_forbidden.barcode), key="idem-fail"
        )
        self.assert_error(bad, 403, "product_not_allowed")
        good = self._post(self.order_body(), key="idem-fail")
        self.assertEqual(good.status_code, 201)
        self.assertNotIn("Idempotent-Replayed", good.headers)

    def test_bad_keys(self):
        for key in ("", "x" * 256, "caf\u00e9"):
            with self.subTest(key=key[:20]):
                response = self.api(
                    "POST",
                    "order",
                    key=self.key_a,
                    body=self.order_body(),
                    headers={"Idempotency-Key": key.encode("utf-8") if key else key},
                )
                self.assert_error(response, 400, "validation_error")

    def test_key_in_progress(self):
        """While another transaction holds the key, a repeat answers 409 at once."""
        lock_id = self.env["partner.order.api.idempotency"]._lock_id(
            self.partner_a.id, self.company.id, "idem-busy"
        )
        # the first request, still running in another database session
        with db_connect(self.env.cr.dbname).cursor() as other:
            other.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
            response = self._post(self.order_body(), key="idem-busy")
            other.rollback()
        self.assert_error(response, 409, "idempotency_in_progress")
        self.assertEqual(response.headers["Retry-After"], "1")
        # once it is over, the key is free
        self.assertEqual(
            self._post(self.order_body(), key="idem-busy").status_code, 201
        )

    def _key_row(self, key):
        return self.env["partner.order.api.idempotency"].search([("key", "=", key)])

    def _age(self, key, hours):
        """Make the row of ``key`` look ``hours`` old (nothing else changes)."""
        row = self._key_row(key)
        row.created_at = fields.Datetime.now() - timedelta(hours=hours)
        return row

    def test_an_expired_key_runs_again(self):
        """A key older than its TTL is not replayed: the request runs again."""
        first = self._post(self.order_body(), key="idem-again")
        self.assertEqual(first.status_code, 201)
        self._age("idem-again", 25)
        again = self._post(self.order_body(), key="idem-again")
        self.assertEqual(again.status_code, 201)
        self.assertNotIn("Idempotent-Replayed", again.headers)
        self.assertNotEqual(
            again.json()["biomes_order_id"], first.json()["biomes_order_id"]
        )
        self.assertEqual(len(self._key_row("idem-again")), 1)

    def test_expired_keys_are_forgotten(self):
        """The autovacuum job removes the keys older than the TTL, and only
        those: nothing but ``_gc_expired`` touches the rows between the
        counts (no request of either key follows)."""
        Idempotency = self.env["partner.order.api.idempotency"]
        for key in ("idem-old", "idem-recent"):
            self.assertEqual(self._post(self.order_body(), key=key).status_code, 201)
        old = self._age("idem-old", 25)
        recent = self._age("idem-recent", 23)
        Idempotency.invalidate_model()
        self.assertEqual(len(self._key_row("idem-old")), 1, "still there before the GC")
        Idempotency._gc_expired()
        Idempotency.invalidate_model()
        self.assertFalse(old.exists(), "the expired key is removed")
        self.assertTrue(recent.exists(), "a key within its TTL is kept")
        self.assertEqual(self._key_row("idem-recent").key, "idem-recent")
        # the kept key still replays
        replay = self._post(self.order_body(), key="idem-recent")
        self.assertEqual(replay.headers.get("Idempotent-Replayed"), "true")


@tagged("post_install", "-at_install")
class TestCancel(PartnerOrderApiCase):
    def _create(self, external_order_id):
        response = self.api(
            "POST",
            "order",
            key=self.key_a,
            body=self.order_body(external_order_id=external_order_id),
        )
        self.assertEqual(response.status_code, 201)
        return self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )

    def _cancel(self, identified_by, order_id, key=None):
        return self.api(
            "POST",
            "order/cancel",
            key=key or self.key_a,
            body={"identifiedBy": identified_by, "order_id": order_id},
        )

    def test_cancel_before_shipment_and_twice(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.webhook_allow_http", "True")
        params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
        order = self._create("C-1")
        with WebhookReceiver() as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            response = self._cancel("external", "C-1")
            self.assertEqual(response.status_code, 200, response.text)
            self.assertEqual(response.json()["status"], "cancelled")
            self.assertEqual(order.state, "cancel")
            self.assertEqual(set(order.picking_ids.mapped("state")), {"cancel"})
            again = self._cancel("biomes", order.name)
            self.assertEqual(again.status_code, 200)
            self.assertEqual(again.json()["status"], "cancelled")
            self.env["partner.order.api.webhook.event"]._cron_send()
            requests = receiver.wait_for(2)
        # one cancellation: its order.cancelled, and the order.updated sent
        # beside every event; the second cancel changed nothing and sent none
        self.assertEqual(
            sorted(r["headers"]["x-webhook-event"] for r in requests),
            ["order.cancelled", "order.updated"],
            "one cancellation, one event of each",
        )

    def test_cancel_after_shipment_is_refused(self):
        order = self._create("C-2")
        self.deliver(order)
        response = self._cancel("external", "C-2")
        self.assert_error(response, 409, "not_cancellable")
        self.assertEqual(order.state, "sale")

    def test_cancel_other_partners_order_is_404(self):
        order = self._create("C-3")
        self.assert_error(
            self._cancel("biomes", order.name, key=self.key_b), 404, "not_found"
        )
        self.assert_error(self._cancel("external", "missing"), 404, "not_found")
        self.assert_error(
            self.api(
                "POST",
                "order/cancel",
                key=self.key_a,
                body={"identifiedBy": "nope", "order_id": "x"},
            ),
            400,
            "validation_error",
        )
        self.assertEqual(order.state, "sale")

    def test_cancel_is_idempotent_with_a_key(self):
        order = self._create("C-4")
        body = {"identifiedBy": "external", "order_id": "C-4"}
        first = self.api(
            "POST",
            "order/cancel",
            key=self.key_a,
            body=body,
            headers={"Idempotency-Key": "cx"},
        )
        second = self.api(
            "POST",
            "order/cancel",
            key=self.key_a,
            body=body,
            headers={"Idempotency-Key": "cx"},
        )
        self.assertEqual(second.headers["Idempotent-Replayed"], "true")
        self.assertEqual(first.json(), second.json())
        self.assertEqual(order.state, "cancel")


@tagged("post_install", "-at_install")
class TestTrackingAndScopes(PartnerOrderApiCase):
    def test_tracking_entered_in_the_backend(self):
        response = self.api(
            "POST", "order", key=self.key_a, body=self.order_body(amount=3)
        )
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        self.assertEqual(response.json()["tracking"], [])
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "Parcel Express",
                "product_id": self.env["product.product"]
                .create({"name": "Shipping", "type": "service"})
                .id,
            }
        )
        self.deliver(order, quantities={self.product_a: 1})
        first = order.picking_ids.filtered(lambda p: p.state == "done")
        first.write({"carrier_id": carrier.id, "carrier_tracking_ref": "PX123456789DE"})
        data = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        ).json()
        self.assertEqual(len(data["tracking"]), 1)
        self.assertEqual(
            {
                k: data["tracking"][0][k]
                for k in ("delivery_order_name", "carrier", "tracking_ref")
            },
            {
                "delivery_order_name": first.name,
                "carrier": "Parcel Express",
                "tracking_ref": "PX123456789DE",
            },
        )
        self.assertTrue(data["tracking"][0]["date_done"].endswith("Z"))
        self.deliver(order)
        data = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        ).json()
        self.assertEqual(len(data["tracking"]), 2)
        self.assertIsNone(data["tracking"][1]["tracking_ref"])

    def test_read_only_key(self):
        read_only = self._generate_key(
            self.user_a, scope="partner_order_api.readonly", name="ro"
        )
        for route, params in (
            ("available_products", None),
            ("orders", None),
            ("webhook", None),
            ("order_status", {"identifiedBy": "biomes", "order_id": "nope"}),
        ):
            response = self.api("GET", route, key=read_only, params=params)
            self.assertIn(response.status_code, (200, 404), route)
        before = self.env["sale.order"].search_count([])
        for method, route, body in (
            ("POST", "order", self.order_body()),
            ("POST", "order/cancel", {"identifiedBy": "biomes", "order_id": "x"}),
            ("PUT", "webhook", {"url": "https://partner.example/hook"}),
            ("DELETE", "webhook", None),
            ("POST", "webhook/test", None),
        ):
            response = self.api(method, route, key=read_only, body=body)
            self.assert_error(response, 403, "insufficient_scope")
        self.assertEqual(self.env["sale.order"].search_count([]), before)
        # a read-only key is not a key for anything else
        with mute_logger("odoo.addons.base.models.res_users"):
            self.assertFalse(
                self.env["res.users.apikeys"]._check_credentials(
                    scope="rpc", key=read_only
                )
            )
