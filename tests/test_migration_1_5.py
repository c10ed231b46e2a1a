# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The 18.0.1.5.0 upgrade step (``migrations/18.0.1.5.0/post-migrate.py``):
a webhook that chose no events before keeps receiving the types it
received then, not the ones this release adds; a chosen set, and a partner
without a webhook, are left as they are."""

import importlib.util

from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import PartnerOrderApiCase


def _migration():
    path = file_path("partner_order_api/migrations/18.0.1.5.0/post-migrate.py")
    spec = importlib.util.spec_from_file_location("poa_post_migrate_1_5", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestMigration15(PartnerOrderApiCase):
    def setUp(self):
        super().setUp()
        # the column of the company_dependent URL that 18.0.1.6.0 replaced by
        # the endpoints: an upgraded database has it, a new one not
        self.env.cr.execute(
            "ALTER TABLE res_partner ADD COLUMN IF NOT EXISTS order_api_webhook_url jsonb"
        )

    def _received(self, partner):
        pair = (partner.id, self.env.company.id)
        Subscription = self.env["partner.order.api.webhook.subscription"]
        return Subscription._received_read({pair})[pair]

    def _set_url(self, partner, url):
        # as an older release stored it, without this release's URL checks
        self.env.cr.execute(
            "UPDATE res_partner SET order_api_webhook_url = "
            "jsonb_build_object(%s::text, %s::text) WHERE id = %s",
            (self.env.company.id, url, partner.id),
        )
        partner.invalidate_recordset()

    def test_unchosen_webhook_pinned_to_the_old_types(self):
        migration = _migration()
        chosen = self.partner_b
        self._set_url(self.partner_a, "https://hooks.example/a")
        self._set_url(chosen, "https://hooks.example/b")
        self.env["partner.order.api.webhook.subscription"]._set_event_types(
            chosen,
            self.env.company,
            self.env["partner.order.api.event.type"]._of_codes(["order.shipped"]),
        )
        no_webhook = self.partner_off
        migration.migrate(self.env.cr, "18.0.1.4.0")
        # a row of its own: the types this release adds stay out
        row = self.env["partner.order.api.webhook.subscription"].search(
            [("partner_id", "=", self.partner_a.id)]
        )
        self.assertEqual(
            set(row.event_type_ids.mapped("code")), set(migration.TYPES_OF_1_4)
        )
        self.assertEqual(
            self._received(self.partner_a), (*migration.TYPES_OF_1_4, "ping")
        )
        self.assertEqual(self._received(chosen), ("order.shipped", "ping"))
        # no webhook: no row, every type (today's list) when it sets one
        self.assertFalse(
            self.env["partner.order.api.webhook.subscription"].search(
                [("partner_id", "=", no_webhook.id)]
            )
        )
        # a fresh install runs no migration
        self.assertIsNone(migration.migrate(self.env.cr, None))

    def test_webhook_of_1_0_pinned_to_what_1_0_sent(self):
        """From 18.0.1.0.0 (two order event types then) the webhook keeps
        exactly those: its receiver reads no ``X-Webhook-Event``."""
        migration = _migration()
        self._set_url(self.partner_a, "https://hooks.example/a")
        migration.migrate(self.env.cr, "18.0.1.0.0")
        self.assertEqual(
            self._received(self.partner_a), ("order.updated", "order.cancelled", "ping")
        )
        self.assertEqual(migration.types_received("18.0.1.1.0"), migration.TYPES_OF_1_4)

    def test_digests_taken_again_without_moving_updated_at(self):
        """The objects gained fields: each order's digest is taken again of
        its object as it is now, and its ``updated_at`` stays."""
        response = self.api("POST", "order", key=self.key_a, body=self.order_body())
        self.assertEqual(response.status_code, 201, response.text)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        self.env.flush_all()
        # the digest of the object as 18.0.1.4.0 made it
        self.env.cr.execute(
            "UPDATE sale_order SET order_api_digest = 'old' WHERE id = %s", [order.id]
        )
        self.env.cr.execute(
            "SELECT order_api_updated_at FROM sale_order WHERE id = %s", [order.id]
        )
        updated_at = self.env.cr.fetchone()[0]
        _migration().migrate(self.env.cr, "18.0.1.4.0")
        self.env.cr.execute(
            "SELECT order_api_digest, order_api_updated_at FROM sale_order "
            "WHERE id = %s",
            [order.id],
        )
        digest, updated_at_after = self.env.cr.fetchone()
        self.assertEqual(bytes(digest), order._order_api_digests()[order.id])
        self.assertEqual(updated_at_after, updated_at)
