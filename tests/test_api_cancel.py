# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""POST order/cancel goes through Odoo's own rules: locked orders, posted
invoices, done transfers of any step (2- and 3-step deliveries) and orders not
placed through the API are refused with 409 ``not_cancellable`` and left as
they were; otherwise the order, all its transfers and its draft invoices are
cancelled."""

from odoo.tests import tagged

from .common import PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestCancelRules(PartnerOrderApiCase):
    def _create(self, external_order_id, amount=2):
        response = self.api(
            "POST",
            "order",
            key=self.key_a,
            body=self.order_body(amount=amount, external_order_id=external_order_id),
        )
        self.assertEqual(response.status_code, 201, response.text)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        self.assertEqual(order.order_api_partner_id, self.partner_a)
        return order

    def _cancel(self, order, key=None):
        return self.api(
            "POST",
            "order/cancel",
            key=key or self.key_a,
            body={"identifiedBy": "biomes", "order_id": order.name},
        )

    def _state(self, order):
        """What a cancel could change, read from the database."""
        self.env.invalidate_all()
        return {
            "order": (order.state, order.locked, order.order_api_status),
            "pickings": sorted(
                (p.name, p.state) for p in order.picking_ids.sorted("id")
            ),
            "moves": sorted(
                (m.id, m.state) for m in order.picking_ids.move_ids.sorted("id")
            ),
            "invoices": sorted((m.name, m.state) for m in order.invoice_ids),
        }

    def _assert_refused(self, order, *fragments, key=None):
        """409 not_cancellable naming ``fragments``, and nothing changed."""
        before = self._state(order)
        response = self._cancel(order, key=key)
        self.assert_error(response, 409, "not_cancellable")
        message = response.json()["error"]["message"]
        self.assertIn(order.name, message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertEqual(self._state(order), before)
        self.assertNotEqual(before["order"][0], "cancel")
        return message

    def _steps(self, delivery_steps):
        """The company's default warehouse, where API orders are delivered
        from, ships in ``delivery_steps`` (rolled back with the test)."""
        self.warehouse.delivery_steps = delivery_steps

    def _picking(self, order, picking_type):
        picking = order.picking_ids.filtered(
            lambda p: p.picking_type_id == picking_type
        )
        self.assertEqual(len(picking), 1, picking_type.name)
        return picking

    def _validate(self, picking):
        """Validate ``picking`` in full, as a warehouse user would."""
        picking.action_assign()
        for move in picking.move_ids:
            self.assertEqual(move.state, "assigned", picking.name)
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def _invoice(self, order):
        """The order's customer invoice, made by Odoo's own flow (draft)."""
        if not self.company.chart_template:
            # the test database has demo data and with it a chart of
            # accounts; without, load the generic one as Odoo's tests do
            self.env["account.chart.template"].try_loading(
                "generic_coa", company=self.company, install_demo=False
            )
        self.product_a.invoice_policy = "order"
        invoice = order._create_invoices()
        self.assertEqual((invoice.move_type, invoice.state), ("out_invoice", "draft"))
        return invoice

    # ------------------------------------------------------------------

    def test_locked_order_is_refused(self):
        order = self._create("CR-LOCK")
        order.action_lock()
        self._assert_refused(order, "locked")
        self.assertTrue(order.locked)
        # unlocked, it cancels
        order.action_unlock()
        self.assertEqual(self._cancel(order).status_code, 200)
        self.assertEqual(self._state(order)["order"][0], "cancel")

    def test_posted_invoice_is_refused(self):
        order = self._create("CR-INV")
        invoice = self._invoice(order)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self._assert_refused(order, f"invoice {invoice.name} is posted")
        self.assertEqual(invoice.state, "posted")

    def test_posted_credit_note_is_named_too(self):
        order = self._create("CR-REFUND")
        invoice = self._invoice(order)
        invoice.action_post()
        refund = invoice._reverse_moves(cancel=True)
        self.assertEqual((refund.move_type, refund.state), ("out_refund", "posted"))
        self.assertIn(refund, order.invoice_ids)
        self._assert_refused(
            order,
            f"invoice {invoice.name} is posted",
            f"credit note {refund.name} is posted",
        )

    def test_draft_invoice_is_cancelled_with_the_order(self):
        order = self._create("CR-DRAFT")
        invoice = self._invoice(order)
        response = self._cancel(order)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "cancelled")
        state = self._state(order)
        self.assertEqual(state["order"][0], "cancel")
        self.assertEqual(state["invoices"], [(invoice.name, "cancel")])
        self.assertEqual({s for _name, s in state["pickings"]}, {"cancel"})

    # Odoo 18 pulls the first step only (Stock -> Output with the pick
    # type); validating a step pushes the goods into the next one, which is
    # created then, in the order's procurement group (``picking_ids``).

    def test_two_steps_pick_done_is_refused(self):
        self._steps("pick_ship")
        order = self._create("CR-2PICK")
        pick = self._picking(order, self.warehouse.pick_type_id)
        self.assertEqual(pick.picking_type_code, "internal")
        self._validate(pick)
        ship = self._picking(order, self.warehouse.out_type_id)
        self.assertNotIn(ship.state, ("done", "cancel"))
        message = self._assert_refused(order, f"transfer {pick.name} is done")
        self.assertNotIn(ship.name, message)
        self.assertEqual(pick.state, "done")
        self.assertNotIn(ship.state, ("done", "cancel"))

    def test_three_steps_pick_done_is_refused(self):
        self._steps("pick_pack_ship")
        order = self._create("CR-3PICK")
        pick = self._picking(order, self.warehouse.pick_type_id)
        self._validate(pick)
        pack = self._picking(order, self.warehouse.pack_type_id)
        self.assertNotIn(pack.state, ("done", "cancel"))
        message = self._assert_refused(order, f"transfer {pick.name} is done")
        self.assertNotIn(pack.name, message)
        # the pack step done too: both are named, the open ship step is not
        self._validate(pack)
        ship = self._picking(order, self.warehouse.out_type_id)
        message = self._assert_refused(
            order, f"transfers {pick.name}, {pack.name} are done"
        )
        self.assertNotIn(ship.name, message)
        self.assertNotIn(ship.state, ("done", "cancel"))

    def test_two_steps_nothing_done_cancels_every_step(self):
        self._steps("pick_ship")
        order = self._create("CR-2OPEN")
        pick = self._picking(order, self.warehouse.pick_type_id)
        self.assertEqual(order.picking_ids, pick, "the ship step comes with the pick")
        pick.action_assign()  # stock reserved for the pick step
        self.assertEqual(pick.state, "assigned")
        self.assertTrue(pick.move_ids.move_line_ids)
        response = self._cancel(order)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "cancelled")
        state = self._state(order)
        self.assertEqual(state["order"][0], "cancel")
        self.assertEqual(state["pickings"], [(pick.name, "cancel")])
        self.assertEqual({s for _id, s in state["moves"]}, {"cancel"})
        self.assertFalse(pick.move_ids.move_line_ids, "the reservation is released")
        # and again: the cancelled order is answered again
        again = self._cancel(order)
        self.assertEqual(again.status_code, 200, again.text)
        self.assertEqual(again.json()["status"], "cancelled")

    def test_order_not_placed_through_the_api_is_refused(self):
        order = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 1)]
        )
        self.assertFalse(order.order_api_partner_id)
        # the partner sees it...
        status = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        )
        self.assertEqual(status.status_code, 200, status.text)
        # ... but cannot cancel it
        self._assert_refused(order, "not placed through the Partner Order API")
        # whatever its state: the answer does not depend on it
        order.with_context(disable_cancel_warning=True).action_cancel()
        response = self._cancel(order)
        self.assert_error(response, 409, "not_cancellable")

    def test_other_partners_order_is_404(self):
        order = self._create("CR-OTHER")
        before = self._state(order)
        self.assert_error(self._cancel(order, key=self.key_b), 404, "not_found")
        self.assertEqual(self._state(order), before)
        self.assertEqual(before["order"][0], "sale")
