# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The 18.0.1.6.0 upgrade step of the webhook endpoints
(``migrations/18.0.1.6.0/post-migrate_endpoints.py``): each (partner,
company) webhook of the older releases (company_dependent jsonb columns,
and its choice of events in ``partner.order.api.webhook.subscription``, as
18.0.1.5.0 pinned it) becomes the partner's first endpoint there, and the
events logged name it."""

import importlib.util

from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import PartnerOrderApiCase

COLUMNS = (
    "order_api_webhook_url",
    "order_api_webhook_secret",
    "order_api_webhook_previous_secret",
    "order_api_webhook_previous_secret_expiry",
)


def _migration():
    path = file_path(
        "partner_order_api/migrations/18.0.1.6.0/post-migrate_endpoints.py"
    )
    spec = importlib.util.spec_from_file_location("poa_post_migrate_1_6_ep", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestMigration16Endpoints(PartnerOrderApiCase):
    def _store_old(self, partner, company, **values):
        """The settings as 18.0.1.5.0 stored them, with SQL."""
        for column in COLUMNS:
            self.env.cr.execute(
                f"ALTER TABLE res_partner ADD COLUMN IF NOT EXISTS {column} jsonb"
            )
        for column, value in values.items():
            self.env.cr.execute(
                f"UPDATE res_partner SET {column} = coalesce({column}, '{{}}'::jsonb)"  # noqa: S608
                " || jsonb_build_object(%s::text, %s::text) WHERE id = %s",
                (company.id, value, partner.id),
            )

    def test_each_webhook_becomes_the_first_endpoint(self):
        company_2 = self.env["res.company"].create({"name": "PO API Migration Two"})
        Endpoint = self.env["partner.order.api.webhook.endpoint"]
        Endpoint.search([]).unlink()
        # a database upgraded from 18.0.1.5.0 keeps its old columns, unread:
        # only this test's settings in them
        self._store_old(self.partner_a, self.company)
        for column in COLUMNS:
            self.env.cr.execute(f"UPDATE res_partner SET {column} = NULL")  # noqa: S608
        self._store_old(
            self.partner_a,
            self.company,
            order_api_webhook_url="https://hooks.example/a",
            order_api_webhook_secret="whsec_YQ==",
            order_api_webhook_previous_secret="whsec_cHJldg==",
            order_api_webhook_previous_secret_expiry="2099-01-02 03:04:05",
        )
        self._store_old(
            self.partner_a,
            company_2,
            order_api_webhook_url="https://hooks.example/a2",
        )
        # a secret without URL: no webhook, no endpoint
        self._store_old(
            self.partner_b, self.company, order_api_webhook_secret="whsec_Yg=="
        )
        self.env["partner.order.api.webhook.subscription"]._set_event_types(
            self.partner_a,
            self.company,
            self.env["partner.order.api.event.type"]._of_codes(["order.shipped"]),
        )
        logged = self.env["partner.order.api.webhook.event"].create(
            {
                "event_type": "order.updated",
                "partner_id": self.partner_a.id,
                "company_id": company_2.id,
                "payload": "{}",
            }
        )
        self.env.flush_all()
        _migration().migrate(self.env.cr, "18.0.1.5.0")
        self.env.invalidate_all()
        made = Endpoint.search([], order="id")
        self.assertEqual(
            [(e.partner_id, e.company_id, e.url) for e in made],
            [
                (self.partner_a, self.company, "https://hooks.example/a"),
                (self.partner_a, company_2, "https://hooks.example/a2"),
            ],
        )
        first = made[0]
        self.assertEqual(
            (first.secret, first.previous_secret, str(first.previous_secret_expiry)),
            ("whsec_YQ==", "whsec_cHJldg==", "2099-01-02 03:04:05"),
        )
        self.assertEqual(first._event_types(), ["order.shipped", "ping"])
        self.assertEqual(made[1].event_type_ids.mapped("code"), [])
        self.assertEqual(logged.endpoint_id, made[1])
        # the admin fields read them
        self.assertEqual(
            self.partner_a.with_company(company_2).order_api_webhook_url,
            "https://hooks.example/a2",
        )
        # run again (a retried upgrade): nothing more
        _migration().migrate(self.env.cr, "18.0.1.5.0")
        self.assertEqual(Endpoint.search_count([]), 2)
