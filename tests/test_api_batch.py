# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import time

from odoo import Command
from odoo.tests import tagged

from .common import PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestApiBatch(PartnerOrderApiCase):
    def _count(self, table):
        self.env.flush_all()
        self.env.cr.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        return self.env.cr.fetchone()[0]

    def _orders_of(self, partner):
        self.env.invalidate_all()
        return self.env["sale.order"].search(
            [("order_api_partner_id", "=", partner.id)]
        )

    def _batch(self, orders, key=None, headers=None):
        # no ERROR logged: neither a unique violation nor an aborted transaction
        with self.assertNoLogs(level="ERROR"):
            return self.api(
                "POST",
                "orders/batch",
                key=key or self.key_a,
                body={"orders": orders},
                headers=headers,
            )

    def _two_lines(self, external_order_id=None, **address):
        body = self.order_body(external_order_id=external_order_id, **address)
        del body["ean"], body["amount"]
        body["lines"] = [
            {"ean": self.product_a.barcode, "amount": 2},
            {"ean": self.product_b.barcode, "amount": 1},
        ]
        return body

    def test_each_order_on_its_own_with_the_status_it_would_have_alone(self):
        orders = [
            self._two_lines("B-1"),
            self.order_body(amount=0, external_order_id="B-2"),
            self.order_body(
                ean=self.product_forbidden.barcode,
                external_order_id="B-3",
                street="Never Created Street 9",
            ),
            self.order_body(country_code="XX"),
            # a new delivery address, after the failed ones
            self.order_body(amount=4, street="Batch Street 2"),
        ]
        partners_before = self._count("res_partner")
        response = self._batch(orders)
        self.assertEqual(response.status_code, 200, response.text)
        results = response.json()["results"]
        self.assertEqual([r["index"] for r in results], [0, 1, 2, 3, 4])
        self.assertEqual([r["status"] for r in results], [201, 400, 403, 400, 201])
        # each error is the one POST order answers for that order alone
        for result, body in zip(results, orders, strict=True):
            if result["status"] == 201:
                self.assertNotIn("error", result)
                continue
            self.assertNotIn("order", result)
            alone = self.api("POST", "order", key=self.key_a, body=body)
            self.assertEqual(
                (result["status"], {"success": False, "error": result["error"]}),
                (alone.status_code, alone.json()),
            )
        self.assertEqual(results[1]["error"]["details"][0]["field"], "amount")
        # the two orders exist, confirmed, and answer as order_status does
        created = self._orders_of(self.partner_a)
        self.assertEqual(len(created), 2)
        self.assertEqual(set(created.mapped("state")), {"sale"})
        for result in (results[0], results[4]):
            order = result["order"]
            status = self.api(
                "GET",
                "order_status",
                key=self.key_a,
                params={"identifiedBy": "biomes", "order_id": order["biomes_order_id"]},
            ).json()
            self.assertEqual(dict(order, success=True), status)
        self.assertEqual(results[0]["order"]["external_order_id"], "B-1")
        self.assertEqual(len(results[0]["order"]["lines"]), 2)
        self.assertEqual(results[4]["order"]["lines"][0]["quantity"], 4.0)
        # two delivery contacts, those of the created orders; the refused
        # order's address was never created
        self.assertEqual(self._count("res_partner"), partners_before + 2)
        self.assertEqual(
            sorted(created.partner_shipping_id.mapped("street")),
            ["Batch Street 2", "Main Street 1"],
        )
        self.assertFalse(
            self.env["res.partner"].search_count(
                [("street", "=", "Never Created Street 9")]
            )
        )
        # B-2 and B-3 were not used: they can be ordered now
        self.assertEqual(
            self.api(
                "POST",
                "order",
                key=self.key_a,
                body=self.order_body(external_order_id="B-2"),
            ).status_code,
            201,
        )

    def test_external_ids_protect_each_order_also_within_the_batch(self):
        self.api(
            "POST",
            "order",
            key=self.key_a,
            body=self.order_body(external_order_id="E-0"),
        )
        first = self._batch(
            [
                self._two_lines("E-1"),
                self.order_body(external_order_id="E-0"),  # used by POST order
                self.order_body(external_order_id="E-2"),
                self.order_body(external_order_id="E-2"),  # twice in the batch
            ]
        ).json()["results"]
        self.assertEqual([r["status"] for r in first], [201, 409, 201, 409])
        alone = self.api(
            "POST",
            "order",
            key=self.key_a,
            body=self.order_body(external_order_id="E-0"),
        )
        for result in (first[1], first[3]):
            self.assertEqual(result["error"]["code"], "duplicate_external_order_id")
        self.assertEqual(first[1]["error"], alone.json()["error"])
        count = len(self._orders_of(self.partner_a))
        self.assertEqual(count, 3)
        moves = self._count("stock_move")
        # the whole batch again: nothing is created twice
        again = self._batch(
            [self._two_lines("E-1"), self.order_body(external_order_id="E-2")]
        ).json()["results"]
        self.assertEqual([r["status"] for r in again], [409, 409])
        self.assertEqual(
            {r["error"]["code"] for r in again}, {"duplicate_external_order_id"}
        )
        self.assertEqual(len(self._orders_of(self.partner_a)), count)
        self.assertEqual(self._count("stock_move"), moves)
        # another partner has external ids of its own
        other = self._batch([self.order_body(external_order_id="E-1")], key=self.key_b)
        self.assertEqual(other.json()["results"][0]["status"], 201)

    def test_idempotency_key_covers_the_whole_batch(self):
        headers = {"Idempotency-Key": f"batch-{time.time_ns()}"}
        orders = [self.order_body(), self._two_lines()]
        first = self._batch(orders, headers=headers)
        self.assertEqual(first.status_code, 200, first.text)
        self.assertNotIn("Idempotent-Replayed", first.headers)
        count = len(self._orders_of(self.partner_a))
        self.assertEqual(count, 2)
        replay = self._batch(orders, headers=headers)
        self.assertEqual(replay.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(replay.json(), first.json())
        self.assertEqual(len(self._orders_of(self.partner_a)), count)
        reused = self._batch([self.order_body()], headers=headers)
        self.assert_error(reused, 409, "idempotency_key_reused")
        self.assertEqual(len(self._orders_of(self.partner_a)), count)

    def test_invalid_batch_is_refused_whole(self):
        one = self.order_body()
        bodies = [
            {},
            {"orders": None},
            {"orders": one},
            {"orders": []},
            {"orders": [one] * 101},
            {"orders": [one, "not an object"]},
            {"orders": [one, [one]]},
            {"orders": [one], "surprise": True},
        ]
        before = self._count("sale_order")
        for body in bodies:
            response = self.api("POST", "orders/batch", key=self.key_a, body=body)
            self.assert_error(response, 400, "validation_error")
        self.assertIn(
            "orders must be a list of 1 to 100 objects.",
            self.api("POST", "orders/batch", key=self.key_a, body={"orders": []}).text,
        )
        self.assertEqual(
            self.api(
                "POST",
                "orders/batch",
                key=self.key_a,
                body={"orders": [one, 3]},
            ).json()["error"]["details"][0]["field"],
            "orders[1]",
        )
        # 100 is allowed (they are refused one by one here: amount 0)
        full = self._batch([self.order_body(amount=0)] * 100)
        self.assertEqual(full.status_code, 200)
        self.assertEqual({r["status"] for r in full.json()["results"]}, {400})
        self.assertEqual(self._count("sale_order"), before)

    def test_access_and_rate_limit(self):
        """A read-only key may not, a partner not enabled may not; a batch
        takes one token of the partner's budget per order."""
        read_only = self._generate_key(
            self.user_a, scope="partner_order_api.readonly", name="read only"
        )
        self.assert_error(
            self._batch([self.order_body()], key=read_only), 403, "insufficient_scope"
        )
        self.assert_error(
            self._batch([self.order_body()], key=self.key_off), 403, "forbidden"
        )
        self.assertFalse(self._orders_of(self.partner_a))
        # rate limiting: buckets live outside the test transaction, so a
        # partner of its own
        stamp = time.time_ns()
        partner, _user, key = self._create_partner(
            f"Batch {stamp}", f"batch-{stamp}", self.product_a, enabled=True
        )
        partner.order_api_rate_limit_per_minute = 4  # holds 4, 1 every 15 s
        response = self._batch([self.order_body()] * 3, key=key)
        self.assertEqual([r["status"] for r in response.json()["results"]], [201] * 3)
        self.assertEqual(response.headers["X-RateLimit-Cost"], "3")
        self.assertEqual(response.headers["X-RateLimit-Remaining"], "1")
        response = self.api("GET", "orders", key=key)
        self.assertEqual(response.headers["X-RateLimit-Remaining"], "0")
        self.assertEqual(len(response.json()["orders"]), 3)
        # the next batch waits for its tokens, and creates nothing
        self.assert_error(
            self._batch([self.order_body()] * 2, key=key), 429, "rate_limited"
        )
        self.assertEqual(len(self._orders_of(partner)), 3)

    def test_an_order_failing_after_its_writes_leaves_nothing_behind(self):
        """An order Odoo refuses at confirmation, after its delivery contact,
        the order and its first moves were written (a route that makes the
        product to order from a location nothing replenishes: Odoo's
        procurement raises): its savepoint is rolled back, the next orders go
        on in a usable transaction, and the error is POST order's."""
        customers = self.env.ref("stock.stock_location_customers")
        nowhere = self.env["stock.location"].create(
            {
                "name": "API Nowhere",
                "usage": "internal",
                "location_id": self.env.ref("stock.stock_location_locations").id,
            }
        )
        route = self.env["stock.route"].create(
            {
                "name": "API broken make-to-order",
                "product_selectable": True,
                "rule_ids": [
                    Command.create(
                        {
                            "name": "API nowhere -> customers",
                            "action": "pull",
                            "location_src_id": nowhere.id,
                            "location_dest_id": customers.id,
                            "procure_method": "make_to_order",
                            "picking_type_id": self.warehouse.out_type_id.id,
                        }
                    )
                ],
            }
        )
        self.product_b.route_ids = [Command.set(route.ids)]
        broken = self.order_body(
            ean=self.product_b.barcode,
            external_order_id="BROKEN-1",
            street="Broken Street 1",
        )
        partners = self._count("res_partner")
        lines = self._count("sale_order_line")
        response = self._batch(
            [
                self.order_body(external_order_id="OK-1"),
                broken,
                self.order_body(amount=2, external_order_id="OK-2"),
            ]
        )
        results = response.json()["results"]
        self.assertEqual([r["status"] for r in results], [201, 400, 201])
        self.assertEqual(results[1]["error"]["code"], "validation_error")
        self.assertIn("API Refill", results[1]["error"]["message"])
        alone = self.api("POST", "order", key=self.key_a, body=broken)
        self.assertEqual({"success": False, "error": results[1]["error"]}, alone.json())
        orders = self._orders_of(self.partner_a)
        self.assertEqual(
            sorted(orders.mapped("order_api_external_id")), ["OK-1", "OK-2"]
        )
        self.assertEqual(self._count("sale_order_line"), lines + 2)
        # the contact of "Main Street 1", not the broken order's
        self.assertEqual(self._count("res_partner"), partners + 1)
        self.assertFalse(
            self.env["stock.move"].search_count(
                [
                    "|",
                    ("location_id", "=", nowhere.id),
                    ("product_id", "=", self.product_b.id),
                ]
            )
        )
        # its external id was not taken
        self.product_b.route_ids = [Command.clear()]
        self.assertEqual(
            self.api("POST", "order", key=self.key_a, body=broken).status_code, 201
        )
