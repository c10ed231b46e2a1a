# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged

from ..models.partner_order_api_order_tally import TABLE, TRIGGER, drop_trigger
from .common import PartnerOrderApiCase

STATES = ("draft", "sent", "sale", "cancel")


@tagged("post_install", "-at_install")
class TestOrderTally(PartnerOrderApiCase):
    """The per-customer order counts behind GET orders' total_count, kept by
    a trigger on sale_order, against COUNT(*) after every kind of change."""

    def assert_tally(self, *partners):
        """The tally of each (commercial) partner is the COUNT(*) of the
        orders it owns, state by state."""
        Tally = self.env["partner.order.api.order.tally"]
        companies = self.env["res.company"].search([]).ids
        for partner in partners:
            for state in STATES:
                self.env.flush_all()
                self.env.cr.execute(
                    "SELECT COUNT(*) FROM sale_order WHERE order_api_owner_id = %s "
                    "AND state = %s AND company_id IN %s",
                    [partner.id, state, tuple(companies)],
                )
                expected = self.env.cr.fetchone()[0]
                self.assertEqual(
                    Tally._count([partner.id], [state], companies),
                    expected,
                    f"{partner.name}, state {state}",
                )

    def _order(self, user, state="sale"):
        order = self.env["sale.order"].create(
            {
                "partner_id": user.partner_id.id,
                "order_line": [
                    (0, 0, {"product_id": self.product_b.id, "product_uom_qty": 1})
                ],
            }
        )
        if state == "sale":
            order.action_confirm()
        return order

    def _count_rows(self):
        self.env.cr.execute(f"SELECT COUNT(*) FROM {TABLE}")
        return self.env.cr.fetchone()[0]

    def test_tally_follows_every_change(self):
        self.assert_tally(self.partner_a, self.partner_b)
        draft = self._order(self.user_a, state="draft")
        confirmed = self._order(self.user_a)
        self.assert_tally(self.partner_a)
        confirmed._action_cancel()
        self.assert_tally(self.partner_a)
        # an order moved to another customer leaves one count for the other
        draft.partner_id = self.user_b.partner_id
        self.assert_tally(self.partner_a, self.partner_b)
        draft.unlink()
        self.assert_tally(self.partner_a, self.partner_b)
        # a contact moved to another company takes no order with it
        Tally = self.env["partner.order.api.order.tally"]

        def counts():
            return [
                Tally._count([partner.id], STATES, self.env.companies.ids)
                for partner in (self.partner_a, self.partner_b)
            ]

        before = counts()
        self.user_a.partner_id.parent_id = self.partner_b
        self.assert_tally(self.partner_a, self.partner_b)
        self.assertEqual(counts(), before)
        # writing the same state again changes nothing and adds no row
        rows = self._count_rows()
        confirmed.write({"state": "cancel"})
        self.env.flush_all()
        self.assertEqual(self._count_rows(), rows)
        # raw SQL (imports, the benchmark's replication) is counted too
        self.env.cr.execute(
            "SELECT string_agg(quote_ident(column_name), ', ') "
            "FROM information_schema.columns WHERE table_name = 'sale_order' "
            "AND column_name NOT IN ('id', 'order_api_external_id')"
        )
        columns = self.env.cr.fetchone()[0]
        self.env.cr.execute(
            f"INSERT INTO sale_order ({columns}) SELECT {columns} FROM sale_order "
            "WHERE id = %s RETURNING id",
            [confirmed.id],
        )
        copy_id = self.env.cr.fetchone()[0]
        self.assert_tally(self.partner_a)
        self.env.cr.execute("DELETE FROM sale_order WHERE id = %s", [copy_id])
        self.assert_tally(self.partner_a)

    def test_compaction_keeps_the_counts(self):
        for _index in range(3):
            self._order(self.user_a)._action_cancel()
        rows = self._count_rows()
        self.env["partner.order.api.order.tally"]._cron_compact()
        self.assertLess(self._count_rows(), rows)
        self.env.cr.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {TABLE} "
            "GROUP BY partner_id, company_id, state HAVING COUNT(*) > 1) dup"
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0, "one row per key")
        self.assert_tally(self.partner_a, self.partner_b)

    def test_total_count_of_get_orders_follows_changes(self):
        def total():
            response = self.api("GET", "orders", key=self.key_a)
            self.assertEqual(response.status_code, 200)
            return response.json()["pagination"]["total_count"]

        before = total()
        orders = self._order(self.user_a) | self._order(self.user_a)
        self._order(self.user_a, state="draft")  # not one of its orders
        self.assertEqual(total(), before + 2)
        orders[0]._action_cancel()  # cancelled orders are listed
        self.assertEqual(total(), before + 2)
        self.env["partner.order.api.order.tally"]._cron_compact()
        self.assertEqual(total(), before + 2)
        # with a filter the count is a COUNT(*) and agrees
        response = self.api(
            "GET", "orders", key=self.key_a, params={"status": "cancelled"}
        )
        cancelled = self.env["sale.order"].search_count(
            [("order_api_owner_id", "=", self.partner_a.id), ("state", "=", "cancel")]
        )
        self.assertGreaterEqual(cancelled, 1)
        self.assertEqual(response.json()["pagination"]["total_count"], cancelled)

    def test_uninstall_drops_the_trigger(self):
        def triggers():
            self.env.cr.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'sale_order'::regclass "
                "AND tgname LIKE %s ORDER BY tgname",
                [f"{TRIGGER}%"],
            )
            return [row[0] for row in self.env.cr.fetchall()]

        self.assertEqual(triggers(), [TRIGGER, f"{TRIGGER}_upd"])
        with self.env.cr.savepoint(flush=False) as savepoint:
            drop_trigger(self.env.cr)
            self.assertEqual(triggers(), [])
            # sale orders are still written, and counted nowhere
            rows = self._count_rows()
            self._order(self.user_a)
            self.env.flush_all()
            self.assertEqual(self._count_rows(), rows)
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertEqual(triggers(), [TRIGGER, f"{TRIGGER}_upd"])
