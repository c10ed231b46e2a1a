# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""POST order/change and its dry run (issue 27): quantities, lines, address
and requested date change through Odoo's own flows, the open delivery
follows; what is shipped, picked or invoiced is refused with 409
``not_changeable`` and nothing is written; a dry run writes nothing; the
webhook receives ``order.changed``."""

import datetime

from odoo.tests import tagged

from .common_webhook_events import WebhookEventsCase
from .webhook_receiver import WebhookReceiver

TABLES = (
    "sale_order_line",
    "res_partner",
    "stock_move",
    "stock_picking",
    "mail_message",
    "mail_tracking_value",
    "partner_order_api_webhook_event",
    "procurement_group",
)


@tagged("post_install", "-at_install")
class TestOrderChange(WebhookEventsCase):
    def _create(self, lines, external_order_id=None):
        body = self.order_body(external_order_id=external_order_id)
        body.pop("ean"), body.pop("amount")
        body["lines"] = [{"ean": p.barcode, "amount": a} for p, a in lines]
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        return self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )

    def _change(self, order, key=None, route="order/change", **changes):
        body = dict({"identifiedBy": "biomes", "order_id": order.name}, **changes)
        return self.api("POST", route, key=key or self.key_a, body=body)

    def _row_counts(self):
        self.env.flush_all()
        counts = {}
        for table in TABLES:
            self.env.cr.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            counts[table] = self.env.cr.fetchone()[0]
        return counts

    def _state(self, order):
        self.env.invalidate_all()
        return {
            "lines": sorted(
                (line.product_id.id, line.product_uom_qty) for line in order.order_line
            ),
            "moves": sorted(
                (m.product_id.id, m.product_uom_qty, m.state)
                for m in order.picking_ids.move_ids
            ),
            "shipping": order.partner_shipping_id.id,
            "date": order.commitment_date,
            # a dry run takes no number of a sequence (a new transfer's)
            "out_sequence": self.warehouse.out_type_id.sequence_id.number_next_actual,
            "pick_sequence": self.warehouse.pick_type_id.sequence_id.number_next_actual,
            "counts": self._row_counts(),
        }

    def _assert_refused(self, order, *fragments, **changes):
        before = self._state(order)
        response = self._change(order, **changes)
        self.assert_error(response, 409, "not_changeable")
        message = response.json()["error"]["message"]
        self.assertIn(order.name, message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertEqual(self._state(order), before)
        return message

    def _assert_totals(self, answer, count):
        """The new totals: the lines' quantities at their prices (no tax)."""
        self.assertEqual(len(answer["lines"]), count)
        self.assertAlmostEqual(
            answer["total_cost"],
            sum(line["quantity"] * line["unit_price"] for line in answer["lines"]),
        )
        for line in answer["lines"]:
            self.assertAlmostEqual(
                line["subtotal"], line["quantity"] * line["unit_price"]
            )

    def _lines(self, answer):
        return {line["ean"]: line["quantity"] for line in answer["lines"]}

    # ------------------------------------------------------------------

    def test_change_lower_add_remove_then_ship_delivers_the_changed_quantities(self):
        order = self._create([(self.product_a, 5), (self.product_b, 3)])
        response = self._change(
            order,
            lines=[
                {"ean": self.product_a.barcode, "amount": 2},
                {"ean": self.product_b.barcode, "amount": 0},
                {"ean": self.kit.barcode, "amount": 1},
            ],
        )
        self.assertEqual(response.status_code, 200, response.text)
        answer = response.json()
        self.assertEqual(
            self._lines(answer),
            {self.product_a.barcode: 2, self.product_b.barcode: 0, self.kit.barcode: 1},
            "a removed line stays with quantity 0",
        )
        self._assert_totals(answer, 3)
        status = self._status(order)
        self.assertEqual(status, answer, "order_status answers the same object")
        # the chatter says what changed
        note = order.message_ids.filtered(
            lambda m: "Changed by the partner" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn(self.kit.barcode, note.body)
        # shipped: exactly the changed quantities
        self.deliver(order, lots={self.lot_kit_1: 1})
        self.env.invalidate_all()
        delivered = {
            line.product_id: line.qty_delivered
            for line in order.order_line
            if line.product_id
        }
        self.assertEqual(delivered[self.product_a], 2)
        self.assertEqual(delivered[self.product_b], 0)
        self.assertEqual(delivered[self.kit], 1)
        self.assertEqual(self._status(order)["status"], "shipped")

    def test_dry_run_and_quote_write_nothing(self):
        order = self._create([(self.product_a, 5), (self.product_b, 3)])
        before = self._state(order)
        changes = {
            "lines": [
                {"ean": self.product_a.barcode, "amount": 1},
                {"ean": self.kit.barcode, "amount": 2},
            ],
            "delivery_address": dict(
                self.order_body()["delivery_address"], name="Jane Roe"
            ),
            "requested_delivery_date": (
                datetime.date.today() + datetime.timedelta(days=9)
            ).isoformat(),
        }
        dry = self._change(order, dry_run=True, **changes)
        self.assertEqual(dry.status_code, 200, dry.text)
        self.assertEqual(self._state(order), before, "a dry run writes nothing")
        read_only = self._generate_key(
            self.user_a, scope="partner_order_api.readonly", name="read only"
        )
        with self.assertNoLogs("odoo.http", "WARNING"):
            quote = self._change(
                order, route="order/change/quote", key=read_only, **changes
            )
        self.assertEqual(quote.status_code, 200, quote.text)
        self.assertEqual(self._state(order), before, "a quote writes nothing")
        expected = dict(dry.json())
        self.assertEqual(
            self._lines(expected),
            {self.product_a.barcode: 1, self.product_b.barcode: 3, self.kit.barcode: 2},
        )
        self._assert_totals(expected, 3)
        self.assertLess(expected["total_cost"], self._status(order)["total_cost"])
        self.assertEqual(expected["delivery_address"]["name"], "Jane Roe")
        real = self._change(order, **changes)
        self.assertEqual(real.status_code, 200, real.text)
        for answer in (expected, quote.json()):
            answer = dict(answer)
            self.assertEqual(
                {k: v for k, v in answer.items() if k != "updated_at"},
                {k: v for k, v in real.json().items() if k != "updated_at"},
            )
        after = self._state(order)
        self.assertNotEqual(after["counts"], before["counts"])
        self.assertEqual(
            after["date"].date().isoformat(), changes["requested_delivery_date"]
        )
        self.assertNotEqual(after["shipping"], before["shipping"])
        # the open delivery goes to the new address, with no warning activity
        delivery = self._outgoing(order)
        self.assertEqual(delivery.partner_id, order.partner_shipping_id)
        self.assertEqual(delivery.partner_id.name, "Jane Roe")
        self.assertFalse(delivery.activity_ids)

    def test_idempotency_key_replays_the_change(self):
        order = self._create([(self.product_a, 2)])
        body = {
            "identifiedBy": "biomes",
            "order_id": order.name,
            "lines": [{"ean": self.product_a.barcode, "amount": 4}],
        }
        headers = {"Idempotency-Key": "change-once"}
        first = self.api(
            "POST", "order/change", key=self.key_a, body=body, headers=headers
        )
        self.assertEqual(first.status_code, 200, first.text)
        # the salesperson changes it again in Odoo: the replay is the first answer
        order.order_line.product_uom_qty = 6
        again = self.api(
            "POST", "order/change", key=self.key_a, body=body, headers=headers
        )
        self.assertEqual(again.status_code, 200, again.text)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.json(), first.json())
        self.assertEqual(order.order_line.product_uom_qty, 6)

    def test_two_steps_the_open_pick_follows(self):
        """Nothing done yet in a two-step warehouse: the pick step follows
        the change (Odoo's propagation), as the delivery does in one step."""
        self.warehouse.delivery_steps = "pick_ship"
        order = self._create([(self.product_a, 3), (self.product_b, 2)])
        response = self._change(
            order,
            lines=[
                {"ean": self.product_a.barcode, "amount": 1},
                {"ean": self.product_b.barcode, "amount": 0},
                {"ean": self.kit.barcode, "amount": 2},
            ],
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.env.invalidate_all()
        open_moves = order.picking_ids.move_ids.filtered(
            lambda m: m.state not in ("done", "cancel")
        )
        quantities = {}
        for move in open_moves:
            quantities[move.product_id] = (
                quantities.get(move.product_id, 0) + move.product_uom_qty
            )
        self.assertEqual(
            {p: q for p, q in quantities.items() if q},
            {self.product_a: 1, self.kit: 2},
        )

    def test_shipped_line_and_address_are_refused(self):
        order = self._create([(self.product_a, 3), (self.product_b, 2)])
        picking = self.deliver(order, quantities={self.product_b: 0})
        message = self._assert_refused(
            order,
            f"delivery {picking.name} is done",
            lines=[{"ean": self.product_a.barcode, "amount": 5}],
        )
        self.assertIn(self.product_a.barcode, message)
        self._assert_refused(
            order,
            "delivery address",
            delivery_address=dict(self.order_body()["delivery_address"], city="Bonn"),
        )
        # the line not shipped yet changes
        response = self._change(
            order, lines=[{"ean": self.product_b.barcode, "amount": 4}]
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self._lines(response.json())[self.product_b.barcode], 4)

    def test_picked_in_two_steps_is_refused(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._create([(self.product_a, 2), (self.product_b, 1)])
        pick = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pick_type_id
        )
        pick.action_assign()
        for move in pick.move_ids:
            move.quantity = (
                move.product_uom_qty if move.product_id == self.product_a else 0
            )
            move.picked = move.product_id == self.product_a
        pick.with_context(cancel_backorder=False)._action_done()
        self.assertEqual(pick.state, "done")
        self._assert_refused(
            order,
            f"is picked: transfer {pick.name} is done",
            lines=[{"ean": self.product_a.barcode, "amount": 1}],
        )
        # the product not picked yet changes
        response = self._change(
            order, lines=[{"ean": self.product_b.barcode, "amount": 3}]
        )
        self.assertEqual(response.status_code, 200, response.text)

    def _validate(self, picking):
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_picked_and_packed_in_three_steps_is_refused(self):
        self.warehouse.delivery_steps = "pick_pack_ship"
        order = self._create([(self.product_a, 2)])
        pick = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pick_type_id
        )
        self._validate(pick)
        pack = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pack_type_id
        )
        self._validate(pack)
        self._assert_refused(
            order,
            f"transfers {pick.name}, {pack.name} are done",
            lines=[{"ean": self.product_a.barcode, "amount": 3}],
        )

    def test_invoiced_line_is_refused(self):
        self.product_a.invoice_policy = "order"
        order = self._create([(self.product_a, 2)])
        invoice = self._invoice(order)
        self._assert_refused(
            order,
            f"invoice {invoice.name} is posted",
            lines=[{"ean": self.product_a.barcode, "amount": 3}],
        )
        # a draft invoice: the quantity may grow, not go below it
        other = self._create([(self.product_a, 2)])
        draft = other._create_invoices()
        self.assertEqual(draft.state, "draft")
        self._assert_refused(
            other,
            "2 already invoiced",
            lines=[{"ean": self.product_a.barcode, "amount": 1}],
        )
        response = self._change(
            other, lines=[{"ean": self.product_a.barcode, "amount": 3}]
        )
        self.assertEqual(response.status_code, 200, response.text)

    def test_cancelled_locked_foreign_and_bad_input(self):
        order = self._create([(self.product_a, 2)])
        change = {"lines": [{"ean": self.product_a.barcode, "amount": 1}]}
        order.action_lock()
        self._assert_refused(order, "locked", **change)
        order.action_unlock()
        # another partner's order: 404, as if it did not exist
        before = self._state(order)
        response = self._change(order, key=self.key_b, **change)
        self.assert_error(response, 404, "not_found")
        # not allowed product: 403, nothing written
        response = self._change(
            order, lines=[{"ean": self.product_forbidden.barcode, "amount": 1}]
        )
        self.assert_error(response, 403, "product_not_allowed")
        for body in ({}, {"lines": []}, {"requested_delivery_date": "2001-01-01"}):
            response = self._change(order, **body)
            self.assert_error(response, 400, "validation_error")
        self.assertEqual(self._state(order), before)
        self.assertEqual(self.api("POST", "order/cancel", key=self.key_a,
                                  body={"identifiedBy": "biomes", "order_id": order.name}
                                  ).status_code, 200)  # fmt: skip
        self._assert_refused(order, "cancelled", **change)

    def test_a_rebarcoded_product_is_its_line_under_either_ean(self):
        """A line shows its EAN as ordered; the product re-barcoded since is
        the same line under its new EAN, never a second line of it."""
        order = self._create([(self.product_b, 1)])
        old_ean = self.product_b.barcode
        self.product_b.barcode = "4006381333979"
        response = self._change(order, lines=[{"ean": "4006381333979", "amount": 3}])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self._lines(response.json()), {old_ean: 3})
        response = self._change(order, lines=[{"ean": old_ean, "amount": 2}])
        self.assertEqual(self._lines(response.json()), {old_ean: 2})

    def test_order_not_placed_through_the_api_is_refused(self):
        """An order a salesperson entered: the partner reads it, but changes
        only what it ordered through the API."""
        order = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 1)]
        )
        self.assertFalse(order.order_api_partner_id)
        self._assert_refused(
            order,
            "not placed through the Partner Order API",
            lines=[{"ean": self.product_a.barcode, "amount": 2}],
        )

    def test_the_order_row_is_locked_before_its_lines_are_read(self):
        """Two changes of one order meet on its row before either reads what
        it would change (the live test shows them serialized): the request's
        statements lock the order before they read its lines or transfers."""
        order = self._create([(self.product_a, 2)])
        with self.assertLogs("odoo.sql_db", "DEBUG") as logs:
            response = self._change(
                order, lines=[{"ean": self.product_a.barcode, "amount": 3}]
            )
        self.assertEqual(response.status_code, 200, response.text)
        statements = [line for line in logs.output if "query:" in line]
        lock = next(
            i
            for i, line in enumerate(statements)
            if "FROM sale_order WHERE id" in line and "FOR NO KEY UPDATE" in line
        )
        reads = [
            i
            for i, line in enumerate(statements)
            if '"sale_order_line"' in line or '"stock_picking"' in line
        ]
        self.assertTrue(reads)
        self.assertLess(lock, min(reads), statements[: lock + 1][-3:])

    def test_order_changed_event_reaches_the_receiver(self):
        with WebhookReceiver() as receiver:
            self.receiver = receiver
            self._subscribe()
            order = self._create([(self.product_a, 2)])
            self._send(receiver, 2)  # order.updated, order.created
            response = self._change(
                order, lines=[{"ean": self.product_a.barcode, "amount": 4}]
            )
            self.assertEqual(response.status_code, 200, response.text)
            sent = self._send(receiver, 2)
            self.assertEqual(
                [kind for kind, _body, _request in sent],
                ["order.updated", "order.changed"],
            )
            for _kind, body, _request in sent:
                self.assertEqual(body, dict({"success": True}, **response.json())
                                 if "success" not in response.json() else response.json())  # fmt: skip
            # a dry run sends nothing
            self._change(
                order,
                dry_run=True,
                lines=[{"ean": self.product_a.barcode, "amount": 1}],
            )
            self.Event._cron_send()
            self.assertEqual(len(receiver.requests), 4)
