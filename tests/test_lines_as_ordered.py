# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Order lines as ordered (issue 24): a line shows its product's name (in
the customer's language), EAN and internal reference as they were when the
line was made; later changes of the product show in ``available_products``
and in new orders at once, never in the orders placed before."""

from odoo import Command
from odoo.tests import Form, new_test_user, tagged

from .common import PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestLinesAsOrdered(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        attribute = cls.env["product.attribute"].create(
            {"name": "POA Colour", "sequence": 1}
        )
        cls.red, cls.blue, cls.green = cls.env["product.attribute.value"].create(
            [
                {"name": name, "attribute_id": attribute.id}
                for name in ("Red", "Blue", "Green")
            ]
        )
        cls.legs = cls.env["product.attribute"].create(
            {"name": "POA Legs", "sequence": 2}
        )
        cls.steel, cls.wood = cls.env["product.attribute.value"].create(
            [{"name": name, "attribute_id": cls.legs.id} for name in ("Steel", "Wood")]
        )
        cls.desk = cls.env["product.template"].create(
            {
                "name": "POA Desk",
                "list_price": 200.0,
                "type": "consu",
                "taxes_id": [Command.clear()],
                "attribute_line_ids": [
                    Command.create(
                        {
                            "attribute_id": attribute.id,
                            "value_ids": [Command.set((cls.red | cls.blue).ids)],
                        }
                    ),
                    # one value: not in the variants' names
                    Command.create(
                        {
                            "attribute_id": cls.legs.id,
                            "value_ids": [Command.set(cls.steel.ids)],
                        }
                    ),
                ],
            }
        )
        cls.red_desk = cls.desk.product_variant_ids.filtered(
            lambda p: (
                cls.red
                in p.product_template_attribute_value_ids.product_attribute_value_id
            )
        )
        cls.red_desk.write({"barcode": "4006381334006", "default_code": "DESK-RED"})
        cls.partner_a.order_api_product_ids = [Command.link(cls.red_desk.id)]

    # ------------------------------------------------------------------

    def _place(self, product, key=None):
        response = self.api(
            "POST",
            "order",
            key=key or self.key_a,
            body=self.order_body(product.barcode),
        )
        self.assertEqual(response.status_code, 201, response.text)
        return response.json()

    def _status(self, name):
        self.env.flush_all()
        self.env.invalidate_all()
        response = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": name},
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def _line(self, name):
        line = self._status(name)["lines"][0]
        return (line["product_name"], line["ean"], line["default_code"])

    def _available(self, product, lang=None):
        """(name, ean, default_code) of ``product`` in ``available_products``,
        named in the request's language (``Accept-Language``)."""
        self.env.flush_all()
        self.env.invalidate_all()
        headers = {"Accept-Language": lang} if lang else None
        response = self.api(
            "GET", "available_products", key=self.key_a, headers=headers
        )
        self.assertEqual(response.status_code, 200, response.text)
        found = [p for p in response.json()["products"] if p["ean"] == product.barcode]
        self.assertEqual(len(found), 1, response.text)
        return (found[0]["name"], found[0]["ean"], found[0]["default_code"])

    # ------------------------------------------------------------------

    def test_a_product_renamed_rebarcoded_and_recoded(self):
        created = self._place(self.product_a)
        old = ("API Sensor", "4006381333931", "API-A")
        line = created["lines"][0]
        self.assertEqual((line["product_name"], line["ean"], line["default_code"]), old)
        self.product_a.write(
            {
                "name": "API Sensor Mk II",
                "barcode": "4006381334013",
                "default_code": "A2",
            }
        )
        new = ("API Sensor Mk II", "4006381334013", "A2")
        self.assertEqual(self._line(created["biomes_order_id"]), old)
        self.assertEqual(self._available(self.product_a), new)
        quote = self.api(
            "POST", "order/quote", key=self.key_a, body=self.order_body(new[1])
        ).json()
        line = quote["lines"][0]
        self.assertEqual((line["product_name"], line["ean"], line["default_code"]), new)
        later = self._place(self.product_a)
        self.assertEqual(self._line(later["biomes_order_id"]), new)
        # the old order still, in GET orders (its cached object included)
        self.env.invalidate_all()
        orders = self.api("GET", "orders", key=self.key_a).json()["orders"]
        lines = {o["biomes_order_id"]: o["lines"][0] for o in orders}
        self.assertEqual(lines[created["biomes_order_id"]]["product_name"], old[0])
        self.assertEqual(lines[later["biomes_order_id"]]["product_name"], new[0])

    def test_a_variant_s_attribute_values_added_and_reordered(self):
        created = self._place(self.red_desk)
        ordered = ("POA Desk (Red)", "4006381334006", "DESK-RED")
        self.assertEqual(self._line(created["biomes_order_id"]), ordered)
        names = ["POA Desk (Red)"]
        # a second value on the legs' line: they are in the name now
        legs_line = self.desk.attribute_line_ids.filtered(
            lambda line: line.attribute_id == self.legs
        )
        legs_line.value_ids = [Command.link(self.wood.id)]
        self.assertTrue(self.red_desk.active)
        names.append(self._available(self.red_desk)[0])
        # the attributes reordered: the values in another order
        self.legs.sequence = 0
        names.append(self._available(self.red_desk)[0])
        self.assertEqual(len(set(names)), 3, names)
        self.assertEqual(self._line(created["biomes_order_id"]), ordered)
        later = self._place(self.red_desk)
        self.assertEqual(self._line(later["biomes_order_id"])[0], names[-1])

    def test_translations_written_by_raw_sql(self):
        """As Settings › Translations › Import Translation writes them."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.user_a.lang = "fr_FR"
        ean = self.product_b.barcode
        created = self._place(self.product_b)
        self.assertEqual(self._line(created["biomes_order_id"])[0], "API Refill")
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE product_template SET name = name || '{"fr_FR": "Recharge API"}'
                WHERE id = %s""",
            [self.product_b.product_tmpl_id.id],
        )
        self.assertEqual(self._line(created["biomes_order_id"])[0], "API Refill")
        self.assertEqual(self._available(self.product_b, "fr-FR")[0], "Recharge API")
        # the quote answers what the French customer's order stores
        quote = self.api(
            "POST", "order/quote", key=self.key_a, body=self.order_body(ean)
        ).json()
        self.assertEqual(quote["lines"][0]["product_name"], "Recharge API")
        later = self._place(self.product_b)
        self.assertEqual(self._line(later["biomes_order_id"])[0], "Recharge API")
        # an English-speaking customer's order: the English name
        self.user_a.lang = "en_US"
        english = self._place(self.product_b)
        self.assertEqual(self._line(english["biomes_order_id"])[0], "API Refill")

    def test_a_salesperson_changes_a_line_s_product(self):
        salesman = new_test_user(
            self.env, "poa-lines-sales", groups="sales_team.group_sale_salesman"
        )
        form = Form(self.env["sale.order"].with_user(salesman))
        form.partner_id = self.user_a.partner_id
        with form.order_line.new() as line:
            line.product_id = self.product_a
        order = form.save()
        self.assertEqual(order.order_line.order_api_product_name, "API Sensor")
        with form.order_line.edit(0) as line:
            line.product_id = self.product_b
        form.save()
        line = order.order_line
        self.assertEqual(
            (
                line.order_api_product_name,
                line.order_api_ean,
                line.order_api_default_code,
            ),
            ("API Refill", "4006381333948", "API-B"),
        )
        order.with_user(salesman).action_confirm()
        self.product_b.name = "API Refill 2"
        # the same product written again (as a client saving every field
        # does) is no new ordering
        line.with_user(salesman).write({"product_id": self.product_b.id})
        self.assertEqual(
            self._line(order.name), ("API Refill", "4006381333948", "API-B")
        )

    def test_sections_and_notes_store_nothing(self):
        order = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 1)]
        )
        order.order_line = [
            Command.create({"display_type": "line_section", "name": "Section"}),
            Command.create({"display_type": "line_note", "name": "A note"}),
        ]
        texts = order.order_line.filtered("display_type")
        self.assertEqual(len(texts), 2)
        self.assertFalse(any(texts.mapped("order_api_product_name")))
        self.assertEqual(
            order.order_line.filtered("product_id").order_api_ean, "4006381333931"
        )

    def test_existing_lines_filled_from_today_s_values(self):
        """The migration and the install fill the lines that have no values
        (those of the releases before): today's values, in the customer's
        language, a variant named by the ORM; lines with values keep them."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.user_a.lang = "fr_FR"
        self.product_b.product_tmpl_id.update_field_translations(
            "name", {"fr_FR": "Recharge API"}
        )
        old = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_b, 1), (self.red_desk, 1)]
        )
        kept = self.create_order_orm(self.partner_a, self.user_a, [(self.product_a, 1)])
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE sale_order_line SET order_api_product_name = NULL,
                      order_api_ean = NULL, order_api_default_code = NULL
                WHERE order_id = %s""",
            [old.id],
        )
        self.product_a.name = "Renamed Later"
        # (imported here: each test of this file fails alone on the code
        # before issue 24)
        from ..models.sale_order_line import fill_ordered_values  # noqa: PLC0415

        fill_ordered_values(self.env)
        self.assertEqual(
            [
                (
                    line.order_api_product_name,
                    line.order_api_ean,
                    line.order_api_default_code,
                )
                for line in old.order_line
            ],
            [
                ("Recharge API", "4006381333948", "API-B"),
                ("POA Desk (Red)", "4006381334006", "DESK-RED"),
            ],
        )
        self.assertEqual(kept.order_line.order_api_product_name, "API Sensor")
