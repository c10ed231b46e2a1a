# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models import stock_picking as stock_picking_module
from .common import PartnerOrderApiCase, committed_row, other_transactions


@tagged("post_install", "-at_install")
class TestApiCreateOrder(PartnerOrderApiCase):
    def _counts(self):
        self.env.invalidate_all()
        return (
            self.env["sale.order"].search_count([]),
            self.env["res.partner"].with_context(active_test=False).search_count([]),
        )

    def test_create_confirmed_order(self):
        body = self.order_body(
            amount=3, external_order_id="EXT-1001", street2="Building B"
        )
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        data = response.json()
        order = self.env["sale.order"].search([("name", "=", data["biomes_order_id"])])
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.order_api_partner_id, self.partner_a)
        self.assertEqual(order.order_api_external_id, "EXT-1001")
        self.assertEqual(order.partner_id, self.user_a.partner_id)
        self.assertEqual(order.pricelist_id, self.pricelist)
        self.assertEqual(order.order_line.product_id, self.product_a)
        self.assertEqual(order.order_line.product_uom_qty, 3)
        self.assertAlmostEqual(order.order_line.price_unit, 90.0)
        # the portal's token comes with the order: the partner's first look
        # on the portal writes nothing to it (a write that would race the
        # reservation cron's touch of the same order)
        self.assertTrue(order.access_token)
        token = order.access_token
        order.with_user(self.user_a)._portal_ensure_token()
        self.assertEqual(order.access_token, token)
        shipping = order.partner_shipping_id
        self.assertEqual(shipping.parent_id, self.partner_a)
        self.assertEqual(shipping.type, "delivery")
        self.assertEqual(
            (
                shipping.name,
                shipping.street,
                shipping.street2,
                shipping.zip,
                shipping.city,
                shipping.country_id.code,
            ),
            ("John Doe", "Main Street 1", "Building B", "10115", "Berlin", "DE"),
        )
        delivery = order.picking_ids
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.partner_id, shipping)
        self.assertEqual(data["delivery_order_name"], delivery.name)
        self.assertEqual(data["external_order_id"], "EXT-1001")
        self.assertEqual(data["status"], "confirmed")
        self.assertEqual(data["total_cost"], 270.0)
        self.assertEqual(data["currency"], self.currency.name)
        self.assertEqual(data["sent_lots"], [])
        self.assertEqual(data["delivery_address"]["street2"], "Building B")
        # the partner sees it in its list and by status, the other partner does not
        status = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "external", "order_id": "EXT-1001"},
        )
        self.assertEqual(status.json(), data)
        listed = self.api("GET", "orders", key=self.key_a).json()["orders"]
        self.assertEqual(dict(listed[0], success=True), data)
        other = self.api(
            "GET",
            "order_status",
            key=self.key_b,
            params={"identifiedBy": "biomes", "order_id": order.name},
        )
        self.assert_error(other, 404, "not_found")

    def test_original_document_example(self):
        body = {
            "ean": self.product_a.barcode,
            "amount": 1,
            "external_order_id": "EXT-1001",
            "delivery_address": {
                "name": "John Doe",
                "street": "Main Street 1",
                "street2": "",
                "zip": "10115",
                "city": "Berlin",
                "country_code": "DE",
            },
        }
        data = self.api("POST", "order", key=self.key_a, body=body).json()
        for field in (
            "biomes_order_id",
            "external_order_id",
            "delivery_order_name",
            "total_cost",
            "currency",
            "sent_lots",
        ):
            self.assertIn(field, data)
        self.assertIs(data["success"], True)

    def test_identical_address_reused_other_address_created(self):
        first = self.api("POST", "order", key=self.key_a, body=self.order_body()).json()
        second = self.api(
            "POST", "order", key=self.key_a, body=self.order_body()
        ).json()
        third = self.api(
            "POST", "order", key=self.key_a, body=self.order_body(city="Hamburg")
        ).json()
        orders = self.env["sale.order"].search(
            [
                (
                    "name",
                    "in",
                    [
                        first["biomes_order_id"],
                        second["biomes_order_id"],
                        third["biomes_order_id"],
                    ],
                )
            ]
        )
        shipping = orders.mapped("partner_shipping_id")
        self.assertEqual(len(shipping), 2)
        self.assertEqual(
            self.env["res.partner"].search_count(
                [("parent_id", "=", self.partner_a.id), ("type", "=", "delivery")]
            ),
            2,
        )

    def test_no_external_id_twice_is_fine(self):
        for _ in range(2):
            response = self.api("POST", "order", key=self.key_a, body=self.order_body())
            self.assertEqual(response.status_code, 201)
            self.assertIsNone(response.json()["external_order_id"])

    def test_duplicate_external_id(self):
        self.assertEqual(
            self.api(
                "POST",
                "order",
                key=self.key_a,
                body=self.order_body(external_order_id="DUP"),
            ).status_code,
            201,
        )
        before = self._counts()
        response = self.api(
            "POST",
            "order",
            key=self.key_a,
            body=self.order_body(external_order_id="DUP", city="Elsewhere"),
        )
        self.assert_error(response, 409, "duplicate_external_order_id")
        self.assertEqual(self._counts(), before)
        # another partner may use the same id
        other = self.api(
            "POST",
            "order",
            key=self.key_b,
            body=self.order_body(external_order_id="DUP"),
        )
        self.assertEqual(other.status_code, 201)

    def test_duplicate_caught_by_the_database_constraint(self):
        """The race: the id is taken after the check; the unique constraint
        answers 409 and nothing of the request stays."""
        service_cls = type(self.env["partner.order.api.orders"])
        original = service_cls._create_order_sudo
        test = self

        def create_with_competitor(
            service,
            partner_sudo,
            lines,
            address,
            country,
            external_id,
            note=None,
            **kwargs,
        ):
            # a competing request commits the same external id first
            test.env["sale.order"].create(
                {
                    "partner_id": test.user_a.partner_id.id,
                    "order_api_partner_id": test.partner_a.id,
                    "order_api_external_id": external_id,
                }
            )
            return original(
                service,
                partner_sudo,
                lines,
                address,
                country,
                external_id,
                note,
                **kwargs,
            )

        before = self._counts()
        service_cls._create_order_sudo = create_with_competitor
        try:
            with mute_logger("odoo.sql_db"):  # PostgreSQL's unique violation
                response = self.api(
                    "POST",
                    "order",
                    key=self.key_a,
                    body=self.order_body(external_order_id="RACE", city="Racetown"),
                )
        finally:
            service_cls._create_order_sudo = original
        self.assert_error(response, 409, "duplicate_external_order_id")
        # the whole request was rolled back: no order, no delivery contact
        self.assertEqual(self._counts(), before)

    def test_not_allowed_and_unknown_ean_answer_alike(self):
        before = self._counts()
        answers = []
        for ean in (
            self.product_forbidden.barcode,
            "0000000000000",
            self.product_archived.barcode,
            self.product_unsaleable.barcode,
        ):
            response = self.api(
                "POST", "order", key=self.key_a, body=self.order_body(ean=ean)
            )
            self.assert_error(response, 403, "product_not_allowed")
            answers.append(response.json()["error"]["message"].replace(ean, "EAN"))
        self.assertEqual(len(set(answers)), 1)
        self.assertEqual(self._counts(), before)

    def test_validation_errors_change_nothing(self):
        before = self._counts()
        cases = {
            "amount 0": (self.order_body(amount=0), "amount"),
            "amount negative": (self.order_body(amount=-2), "amount"),
            "amount fractional": (self.order_body(amount=1.5), "amount"),
            "amount string": (self.order_body(amount="2"), "amount"),
            "amount missing": (
                {k: v for k, v in self.order_body().items() if k != "amount"},
                "amount",
            ),
            "ean missing": (
                {k: v for k, v in self.order_body().items() if k != "ean"},
                "ean",
            ),
            "ean number": (dict(self.order_body(), ean=4006381333931), "ean"),
            "address missing": (
                {k: v for k, v in self.order_body().items() if k != "delivery_address"},
                "delivery_address",
            ),
            "address not object": (
                dict(self.order_body(), delivery_address="Berlin"),
                "delivery_address",
            ),
            "name missing": (self.order_body(name=None), "delivery_address.name"),
            "city empty": (self.order_body(city="  "), "delivery_address.city"),
            "unknown country": (
                self.order_body(country_code="XX"),
                "delivery_address.country_code",
            ),
            "bad country": (
                self.order_body(country_code="DEU"),
                "delivery_address.country_code",
            ),
            "NUL in street": (
                self.order_body(street="Main\x00Street"),
                "delivery_address.street",
            ),
            "external id not string": (
                dict(self.order_body(), external_order_id=12),
                "external_order_id",
            ),
        }
        for label, (body, field) in cases.items():
            with self.subTest(label):
                response = self.api("POST", "order", key=self.key_a, body=body)
                self.assert_error(response, 400, "validation_error")
                fields = [
                    d["field"] for d in response.json()["error"].get("details", [])
                ]
                self.assertIn(field, fields)
        zero = self.api("POST", "order", key=self.key_a, body=self.order_body(amount=0))
        self.assertIn(
            "Amount must be greater than zero", zero.json()["error"]["message"]
        )
        self.assertEqual(self._counts(), before)

    def test_malformed_bodies(self):
        before = self._counts()
        for data, content_type in (
            (b"{bad json", "application/json"),
            (b"[1, 2]", "application/json"),
            (b'"text"', "application/json"),
            (b"", "application/json"),
            (b"\xff\xfe{}", "application/json"),
            (b'{"ean": "1"}', "text/html"),
            (b"ean=1&amount=2", "application/x-www-form-urlencoded"),
        ):
            response = self.api(
                "POST",
                "order",
                key=self.key_a,
                data=data,
                headers={"Content-Type": content_type},
            )
            self.assert_error(response, 400, "validation_error")
        self.assertEqual(self._counts(), before)

    def test_whole_number_float_amount_accepted(self):
        response = self.api(
            "POST", "order", key=self.key_a, body=self.order_body(amount=2.0)
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["lines"][0]["quantity"], 2)

    def test_non_ascii_address_round_trips(self):
        response = self.api(
            "POST",
            "order",
            key=self.key_a,
            body=self.order_body(name="Jürgen Weiß", city="München"),
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["delivery_address"]["name"], "Jürgen Weiß")
        self.assertEqual(int(response.headers["Content-Length"]), len(response.content))


@tagged("post_install", "-at_install")
class TestDeferredReservation(PartnerOrderApiCase):
    def test_api_order_is_reserved_by_the_cron(self):
        response = self.api(
            "POST", "order", key=self.key_a, body=self.order_body(amount=2)
        )
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        picking = order.picking_ids
        # confirmed without touching stock.quant: simultaneous orders never
        # fight over the same quant row
        self.assertEqual(picking.state, "confirmed")
        self.assertTrue(picking.order_api_reservation_pending)
        cron = self.env.ref("partner_order_api.ir_cron_reserve")
        self.assertTrue(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        )
        self.env["stock.picking"]._cron_order_api_reserve()
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.order_api_reservation_pending)
        self.assertEqual(picking.move_ids.quantity, 2)

    def test_a_reservation_run_stops_at_its_time_budget_and_runs_again(self):
        """Odoo's watchdog kills a cron worker whose job runs too long: a run
        reserves at least one picking, stops once its time budget is spent,
        and triggers the next run at once."""
        orders = self.env["sale.order"]
        for _index in range(3):
            response = self.api("POST", "order", key=self.key_a, body=self.order_body())
            orders |= self.env["sale.order"].search(
                [("name", "=", response.json()["biomes_order_id"])]
            )
        pickings = orders.picking_ids
        self.assertEqual(len(pickings), 3)
        self.assertTrue(all(pickings.mapped("order_api_reservation_pending")))
        cron = self.env.ref("partner_order_api.ir_cron_reserve")
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        with patch.object(stock_picking_module, "CRON_TIME_BUDGET", 0):
            self.env["stock.picking"]._cron_order_api_reserve()
        pending = pickings.filtered("order_api_reservation_pending")
        self.assertEqual(len(pending), 2, "one picking per run, then it stops")
        self.assertTrue(Trigger.search_count([("cron_id", "=", cron.id)]))
        # with its budget, a run reserves the rest and asks for no other
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        self.env["stock.picking"]._cron_order_api_reserve()
        self.assertFalse(pickings.filtered("order_api_reservation_pending"))
        self.assertEqual(set(pickings.mapped("state")), {"assigned"})
        self.assertFalse(Trigger.search_count([("cron_id", "=", cron.id)]))

    def test_the_cron_leaves_an_order_someone_holds_for_later(self):
        """The cron takes the order's row before its stock rows, as a
        change, a return or a cancellation of the order does: while
        another transaction holds the order, the cron does not wait nor
        meet it on stock rows (where a refused UPDATE is logged as an
        error); the picking stays pending for a run 10 seconds later."""
        dbname = self.env.cr.dbname
        row = committed_row(
            dbname,
            "SELECT p.id, p.sale_id FROM stock_picking p"
            " JOIN stock_picking_type t ON t.id = p.picking_type_id"
            " WHERE p.sale_id IS NOT NULL AND t.code = 'outgoing'"
            " AND p.state IN ('confirmed', 'waiting', 'assigned')"
            " ORDER BY p.id LIMIT 1",
        )
        self.assertTrue(row, "no committed open delivery of an order")
        picking_id, order_id = row
        with other_transactions(dbname) as (holder, env):
            holder.cr.execute(
                "SELECT id FROM sale_order WHERE id = %s FOR NO KEY UPDATE", [order_id]
            )
            env.cr.execute("SET lock_timeout = '2s'")
            picking = env["stock.picking"].browse(picking_id)
            picking.order_api_reservation_pending = True
            cron = env.ref("partner_order_api.ir_cron_reserve")
            triggers = env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
            env["stock.picking"]._cron_order_api_reserve()
            self.assertTrue(picking.order_api_reservation_pending)
            later = (
                env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - triggers
            )
            self.assertTrue(later, "a run later")
            self.assertGreater(
                min(later.mapped("call_at")), env.cr.now() + timedelta(seconds=5)
            )

    def test_orders_entered_in_odoo_are_reserved_at_once(self):
        order = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 1)]
        )
        self.assertEqual(order.picking_ids.state, "assigned")
        self.assertFalse(order.picking_ids.order_api_reservation_pending)

    def test_mixed_delivery_with_a_consumable_is_reserved_too(self):
        body = self.order_body()
        del body["ean"], body["amount"]
        body["lines"] = [
            {"ean": self.product_a.barcode, "amount": 2},
            {"ean": self.product_b.barcode, "amount": 1},
        ]
        response = self.api("POST", "order", key=self.key_a, body=body)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        picking = order.picking_ids
        storable = picking.move_ids.filtered(lambda m: m.product_id == self.product_a)
        self.assertEqual(storable.quantity, 0, "not reserved at confirmation")
        self.assertTrue(picking.order_api_reservation_pending)
        self.env["stock.picking"]._cron_order_api_reserve()
        self.assertEqual(storable.quantity, 2)
        self.assertFalse(picking.order_api_reservation_pending)
