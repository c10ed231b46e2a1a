# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..models.order_reader import _object_cache
from .common import PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestApiOrders(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.orders_a = cls.env["sale.order"]
        for index in range(5):
            order = cls.env["sale.order"].create(
                {
                    "partner_id": cls.user_a.partner_id.id,
                    "order_api_partner_id": cls.partner_a.id,
                    "order_api_external_id": f"A-{index}",
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": cls.product_b.id,
                                "product_uom_qty": index + 1,
                            },
                        )
                    ],
                }
            )
            order.action_confirm()
            cls.orders_a |= order
        cls.order_b = cls.env["sale.order"].create(
            {
                "partner_id": cls.user_b.partner_id.id,
                "order_api_partner_id": cls.partner_b.id,
                "order_api_external_id": "B-1",
                "order_line": [
                    (0, 0, {"product_id": cls.product_b.id, "product_uom_qty": 1})
                ],
            }
        )
        cls.order_b.action_confirm()
        # a draft quotation the partner was never sent is not one of its orders
        cls.draft_a = cls.env["sale.order"].create({"partner_id": cls.partner_a.id})

    def _names(self, response):
        return [o["biomes_order_id"] for o in response.json()["orders"]]

    def test_list_newest_first_with_pagination(self):
        response = self.api(
            "GET", "orders", key=self.key_a, params={"page": 1, "page_size": 2}
        )
        self.assertEqual(response.status_code, 200)
        newest = self.orders_a.sorted(lambda o: (o.create_date, o.id), reverse=True)
        self.assertEqual(self._names(response), newest[:2].mapped("name"))
        self.assertEqual(
            response.json()["pagination"],
            {
                "page": 1,
                "page_size": 2,
                "total_count": 5,
                "total_pages": 3,
                "has_next": True,
                "has_previous": False,
            },
        )
        last = self.api(
            "GET", "orders", key=self.key_a, params={"page": 3, "page_size": 2}
        )
        self.assertEqual(self._names(last), newest[4:].mapped("name"))
        self.assertEqual(last.json()["pagination"]["has_next"], False)
        self.assertEqual(last.json()["pagination"]["has_previous"], True)

    def test_default_page_size_and_beyond_the_end(self):
        response = self.api("GET", "orders", key=self.key_a)
        self.assertEqual(response.json()["pagination"]["page_size"], 20)
        self.assertEqual(len(response.json()["orders"]), 5)
        beyond = self.api(
            "GET", "orders", key=self.key_a, params={"page": 4, "page_size": 2}
        )
        self.assertEqual(beyond.status_code, 200)
        self.assertEqual(beyond.json()["orders"], [])
        self.assertEqual(beyond.json()["pagination"]["total_count"], 5)
        self.assertFalse(beyond.json()["pagination"]["has_next"])
        far = self.api("GET", "orders", key=self.key_a, params={"page": 999999999})
        self.assertEqual(far.json()["orders"], [])

    def test_bad_pagination_parameters(self):
        for params in (
            {"page_size": 0},
            {"page_size": 101},
            {"page_size": "abc"},
            {"page_size": "1.5"},
            {"page": 0},
            {"page": -1},
            {"page": "x"},
            {"page": str(2**64)},
        ):
            response = self.api("GET", "orders", key=self.key_a, params=params)
            self.assert_error(response, 400, "validation_error")
            self.assertIn(next(iter(params)), response.json()["error"]["message"])

    def test_partners_never_see_each_other(self):
        self.assertNotIn(
            self.order_b.name, self._names(self.api("GET", "orders", key=self.key_a))
        )
        self.assertEqual(
            self._names(self.api("GET", "orders", key=self.key_b)), [self.order_b.name]
        )
        for identified_by, order_id in (
            ("biomes", self.order_b.name),
            ("external", "B-1"),
        ):
            response = self.api(
                "GET",
                "order_status",
                key=self.key_a,
                params={"identifiedBy": identified_by, "order_id": order_id},
            )
            self.assert_error(response, 404, "not_found")
            missing = self.api(
                "GET",
                "order_status",
                key=self.key_a,
                params={
                    "identifiedBy": identified_by,
                    "order_id": order_id + "-missing",
                },
            )
            self.assert_error(missing, 404, "not_found")
            # another partner's order answers exactly like a missing one
            self.assertEqual(
                response.json()["error"]["message"].replace(order_id, "X"),
                missing.json()["error"]["message"].replace(order_id + "-missing", "X"),
            )

    def test_a_follower_of_another_partners_order_does_not_see_it(self):
        self.order_b.message_subscribe(partner_ids=self.user_a.partner_id.ids)
        self.assertNotIn(
            self.order_b.name, self._names(self.api("GET", "orders", key=self.key_a))
        )
        response = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": self.order_b.name},
        )
        self.assert_error(response, 404, "not_found")

    def test_own_orders_are_listed_whether_followed_or_not(self):
        """The partner's own orders are its orders, even those entered in Odoo
        for another (archived) contact of the company and never followed."""
        colleague = self.env["res.partner"].create(
            {"name": "A Colleague", "parent_id": self.partner_a.id}
        )
        order = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_b, 1)]
        )
        order.partner_id = colleague
        order.message_unsubscribe(
            partner_ids=(colleague | self.user_a.partner_id | self.partner_a).ids
        )
        colleague.active = False
        self.assertNotIn(self.user_a.partner_id, order.message_partner_ids)
        self.assertIn(
            order.name, self._names(self.api("GET", "orders", key=self.key_a))
        )
        response = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["biomes_order_id"], order.name)

    def test_a_parent_company_does_not_see_its_subsidiarys_orders(self):
        """A subsidiary that is a company of its own is a commercial entity of
        its own: the parent's key does not open its orders, nor those of its
        contacts; an ordinary contact of the parent stays the parent's."""
        subsidiary = self.env["res.partner"].create(
            {"name": "A Subsidiary", "is_company": True, "parent_id": self.partner_a.id}
        )
        buyer = self.env["res.partner"].create(
            {"name": "Subsidiary Buyer", "parent_id": subsidiary.id}
        )
        self.assertEqual(buyer.commercial_partner_id, subsidiary)
        orders = self.env["sale.order"]
        for customer in (subsidiary, buyer):
            # the order's owner is its customer's commercial partner when
            # it is placed (test_order_owner.py)
            orders |= self.create_order_orm(
                self.partner_a,
                self.user_a,
                [(self.product_b, 1)],
                partner_id=customer.id,
            )
        colleague = self.env["res.partner"].create(
            {"name": "A Buyer", "parent_id": self.partner_a.id}
        )
        own = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_b, 1)], partner_id=colleague.id
        )
        names = self._names(self.api("GET", "orders", key=self.key_a))
        self.assertIn(own.name, names)
        for order in orders:
            self.assertNotIn(order.name, names)
            self.assert_error(
                self.api(
                    "GET",
                    "order_status",
                    key=self.key_a,
                    params={"identifiedBy": "biomes", "order_id": order.name},
                ),
                404,
                "not_found",
            )

    def test_api_and_portal_rule_agree_on_what_a_partner_sees(self):
        """One definition (sale.order._order_api_partner_domain): the API's
        query and the portal rule written from it select the same orders, on
        a partner with contacts, an archived contact, a subsidiary company
        and back-office orders (draft, confirmed, cancelled)."""
        Partner = self.env["res.partner"]
        colleague = Partner.create({"name": "A Buyer", "parent_id": self.partner_a.id})
        archived = Partner.create({"name": "A Former", "parent_id": self.partner_a.id})
        subsidiary = Partner.create(
            {"name": "A Sub", "is_company": True, "parent_id": self.partner_a.id}
        )
        sub_buyer = Partner.create({"name": "Sub Buyer", "parent_id": subsidiary.id})
        orders = self.env["sale.order"]
        for customer in (
            self.partner_a,
            colleague,
            archived,
            subsidiary,
            sub_buyer,
            self.user_b.partner_id,
        ):
            # the order's owner is its customer's commercial partner when
            # it is placed (test_order_owner.py)
            orders |= self.create_order_orm(
                self.partner_a,
                self.user_a,
                [(self.product_b, 1)],
                partner_id=customer.id,
            )
        draft = self.env["sale.order"].create(
            {
                "partner_id": colleague.id,
                "order_line": [(0, 0, {"product_id": self.product_b.id})],
            }
        )
        cancelled = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_b, 1)]
        )
        cancelled._action_cancel()
        archived.active = False
        api_names = set()
        page = 1
        while True:
            body = self.api(
                "GET", "orders", key=self.key_a, params={"page": page, "page_size": 100}
            ).json()
            api_names |= {order["biomes_order_id"] for order in body["orders"]}
            if not body["pagination"]["has_next"]:
                break
            page += 1
        rule = self.env.ref("partner_order_api.sale_order_rule_portal_order_api")
        rule_domain = safe_eval(rule.domain_force, {"user": self.user_a})
        rule_names = set(
            self.env["sale.order"].sudo().search(rule_domain).mapped("name")
        )
        self.assertEqual(api_names, rule_names)
        expected = {o.name for o in orders[:3]} | {cancelled.name}
        self.assertTrue(expected <= api_names, expected - api_names)
        for hidden in (orders[3], orders[4], orders[5], draft):
            self.assertNotIn(hidden.name, api_names)
        # the portal user reads them all (the rule is its, as a user of an
        # enabled partner), and the lines with them
        visible = self.env["sale.order"].sudo().search(rule_domain)
        visible.with_user(self.user_a).check_access("read")
        visible.order_line.with_user(self.user_a).check_access("read")
        self.assertEqual(
            self.env.ref("partner_order_api.sale_order_rule_portal_order_api").groups,
            self.env.ref("partner_order_api.group_order_api_user"),
        )

    def test_orders_in_a_company_of_which_the_user_is_not_are_hidden(self):
        other_company = self.env["res.company"].create({"name": "Other Lab Co"})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.user_a.partner_id.id,
                "company_id": other_company.id,
                "order_line": [
                    (0, 0, {"product_id": self.product_b.id, "product_uom_qty": 1})
                ],
            }
        )
        order.state = "sent"
        names = self._names(self.api("GET", "orders", key=self.key_a))
        self.assertNotIn(order.name, names)
        self.assertEqual(len(names), len(self.orders_a))
        response = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        )
        self.assert_error(response, 404, "not_found")

    def test_order_status_by_both_identifiers(self):
        order = self.orders_a[2]
        by_name = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        )
        by_external = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "external", "order_id": "A-2"},
        )
        self.assertEqual(by_name.status_code, 200)
        self.assertEqual(by_name.json(), by_external.json())
        body = by_name.json()
        self.assertEqual(body["biomes_order_id"], order.name)
        self.assertEqual(body["external_order_id"], "A-2")
        self.assertEqual(body["status"], "confirmed")
        self.assertEqual(body["total_cost"], self.currency.round(order.amount_total))
        self.assertEqual(body["lines"][0]["quantity"], 3)
        self.assertEqual(body["lines"][0]["ean"], self.product_b.barcode)
        self.assertTrue(body["created_at"].endswith("Z"))
        self.assertEqual(body["delivery_order_name"], order.picking_ids[:1].name)

    def test_order_status_parameters(self):
        for params in (
            {},
            {"identifiedBy": "biomes"},
            {"order_id": "S0001"},
            {"identifiedBy": "internal", "order_id": "S0001"},
            {"identifiedBy": "biomes", "order_id": ""},
        ):
            response = self.api("GET", "order_status", key=self.key_a, params=params)
            self.assert_error(response, 400, "validation_error")

    def test_status_mapping(self):
        order = self.orders_a[0]
        order._action_cancel()
        body = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        ).json()
        self.assertEqual(body["status"], "cancelled")
        sent = self.env["sale.order"].create(
            {
                "partner_id": self.user_a.partner_id.id,
                "order_line": [
                    (0, 0, {"product_id": self.product_b.id, "product_uom_qty": 1})
                ],
            }
        )
        sent.action_quotation_sent()
        sent.message_subscribe(partner_ids=self.user_a.partner_id.ids)
        body = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": sent.name},
        ).json()
        self.assertEqual(body["status"], "pending")
        self.assertIsNone(body["delivery_order_name"])

    def test_query_count_does_not_grow_with_page_size(self):
        product = self.product_b
        for index in range(100):
            self.create_order_orm(
                self.partner_a,
                self.user_a,
                [(product, 1), (self.product_a, 2)],
                client_order_ref=str(index),
            )
        # some delivered in two parcels (a done delivery with its lot and a
        # backorder) and invoiced (an invoice and a credit note), the newest
        # among them: a page of 1 reads sent lots, deliveries, their lines
        # and lots, and invoices too
        kit_orders = self.env["sale.order"]
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "Count Express",
                "delivery_type": "fixed",
                "tracking_url": "https://track.example/<shipmenttrackingnumber>",
                "product_id": self.env["product.product"]
                .create({"name": "Count Shipping", "type": "service"})
                .id,
            }
        )
        for lot in (self.lot_kit_1, self.lot_kit_2):
            order = self.create_order_orm(
                self.partner_a, self.user_a, [(self.kit, 2), (self.product_a, 2)]
            )
            self._outgoing(order).write(
                {"carrier_id": carrier.id, "carrier_tracking_ref": f"T-{lot.name}"}
            )
            delivery = self.deliver(
                order, lots={lot: 1}, quantities={self.product_a: 1}
            )
            self.return_lots(delivery, {lot: 1})  # and its return (issue 27)
            invoice = order._create_invoices()
            invoice.action_post()
            invoice._reverse_moves().action_post()
            kit_orders |= order
        self.env.flush_all()
        counts = {}
        for page_size in (1, 100, 1, 100):
            self.env.invalidate_all()
            # every object made anew (the reader's _json cache)
            _object_cache(self.registry).clear()
            before = self.cr.sql_log_count
            response = self.api(
                "GET", "orders", key=self.key_a, params={"page_size": page_size}
            )
            counts[page_size] = self.cr.sql_log_count - before
            orders = response.json()["orders"]
            self.assertEqual(len(orders), page_size)
            newest = orders[0]
            self.assertEqual(newest["biomes_order_id"], kit_orders[-1].name)
            self.assertEqual(len(newest["deliveries"]), 2)
            self.assertEqual(newest["deliveries"][0]["lots"], ["KL-2"])
            self.assertEqual(
                newest["deliveries"][0]["tracking_url"], "https://track.example/T-KL-2"
            )
            self.assertEqual(
                [i["move_type"] for i in newest["invoices"]],
                ["out_invoice", "out_refund"],
            )
            self.assertEqual(newest["returns"][0]["lots"], ["KL-2"])
        with_invoices = [o for o in orders if o["invoices"]]
        self.assertEqual(len(with_invoices), 2)
        # the same queries for 1 order as for 100: nothing is read per order
        self.assertEqual(counts[100], counts[1], counts)
        # the same page again: the objects come from the cache, which only
        # the page's query (its orders' updated_at, the catalog's version)
        # is read for
        before = self.cr.sql_log_count
        again = self.api("GET", "orders", key=self.key_a, params={"page_size": 100})
        warm = self.cr.sql_log_count - before
        self.assertEqual(again.json()["orders"], orders)
        self.assertLess(warm, counts[100] - 3, (warm, counts))
