# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An order belongs to the commercial partner of its customer when it was
placed (``sale.order.order_api_owner_id``): an admin moving the contact to
another company later moves none of its orders, through any door (the API,
its documents, the portal, JSON-RPC, webhooks)."""

from odoo import Command
from odoo.tests import tagged

from .common import PartnerOrderApiCase
from .common_documents import AssetStub

HOOK_A = "http://127.0.0.1:9/hook-a"
HOOK_B = "http://127.0.0.1:9/hook-b"


@tagged("post_install", "-at_install")
class TestOrderOwner(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        assets = AssetStub()
        cls.addClassCleanup(assets.stop)
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("report.url", assets.url)
        params.set_param("partner_order_api.webhook_allow_http", "True")
        params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
        cls.partner_a.order_api_webhook_url = HOOK_A
        cls.partner_b.order_api_webhook_url = HOOK_B
        # a second integrator of A, who stays with A
        contact = cls.env["res.partner"].create(
            {"name": "A Second", "parent_id": cls.partner_a.id}
        )
        cls.user_a2 = (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": contact.name,
                    "login": "poa-a2",
                    "password": "poa-a2-password",
                    "partner_id": contact.id,
                    "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
                }
            )
        )
        cls.key_a2 = cls._generate_key(cls.user_a2)

    def _place(self):
        """An order placed through the API by A's first integrator."""
        response = self.api("POST", "order", key=self.key_a, body=self.order_body())
        self.assertEqual(response.status_code, 201, response.text[:500])
        return self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )

    def _reads(self, key, order):
        """(order_status, order/document, listed in GET orders) for ``key``."""
        params = {"identifiedBy": "biomes", "order_id": order.name}
        status = self.api("GET", "order_status", key=key, params=params)
        document = self.api(
            "GET", "order/document", key=key, params=dict(params, type="order")
        )
        listed = self.api("GET", "orders", key=key, params={"page_size": 100})
        self.assertEqual(listed.status_code, 200, listed.text[:300])
        names = [o["biomes_order_id"] for o in listed.json()["orders"]]
        return status.status_code, document.status_code, order.name in names

    def _total(self, key):
        listed = self.api("GET", "orders", key=key)
        self.assertEqual(listed.status_code, 200, listed.text[:300])
        return listed.json()["pagination"]["total_count"]

    def _portal_reads(self, user, password, record, path="/my/orders"):
        """(JSON-RPC search_read ids, ``path``/<id> status) as ``user``."""
        self.authenticate(user.login, password)
        found = self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{record._name}/search_read",
            {
                "model": record._name,
                "method": "search_read",
                "args": [[("id", "=", record.id)], ["name"]],
                "kwargs": {},
            },
        )
        page = self.url_open(f"{path}/{record.id}", allow_redirects=False)
        return [row["id"] for row in found], page.status_code

    def test_moved_contact_takes_no_order_with_it(self):
        order = self._place()
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertIn(self.user_a.partner_id, invoice.message_partner_ids)
        self.assertEqual(order.order_api_owner_id, self.partner_a)
        self.assertEqual(self._reads(self.key_a2, order), (200, 200, True))
        self.assertEqual(self._reads(self.key_b, order), (404, 404, False))
        totals = [self._total(key) for key in (self.key_a2, self.key_b)]

        # the admin moves A's integrator (the order's customer) to B
        self.user_a.partner_id.parent_id = self.partner_b
        self.assertEqual(order.partner_id.commercial_partner_id, self.partner_b)
        self.assertEqual(order.order_api_owner_id, self.partner_a)

        # A still reads it, document included; B does not, nor does the
        # moved integrator's key, which now speaks for B
        self.assertEqual(self._reads(self.key_a2, order), (200, 200, True))
        invoice_pdf = self.api(
            "GET",
            "order/document",
            key=self.key_a2,
            params={
                "identifiedBy": "biomes",
                "order_id": order.name,
                "type": "invoice",
            },
        )
        self.assertEqual(invoice_pdf.status_code, 200, invoice_pdf.text[:300])
        self.assertEqual(self._reads(self.key_b, order), (404, 404, False))
        self.assertEqual(self._reads(self.key_a, order), (404, 404, False))
        # total_count (the order tally) moves no order either
        self.assertEqual(
            [self._total(key) for key in (self.key_a2, self.key_b)], totals
        )

        # the portal and JSON-RPC: A's users see it, B's do not
        self.assertEqual(
            self._portal_reads(self.user_a2, "poa-a2-password", order),
            ([order.id], 200),
        )
        for user, password in (
            (self.user_b, "poa-b-password"),
            (self.user_a, "poa-a-password"),
        ):
            ids, page = self._portal_reads(user, password, order)
            self.assertEqual(ids, [], user.login)
            self.assertNotEqual(page, 200, user.login)
            # nor its invoice (Odoo's portal rule follows its followers too)
            ids, page = self._portal_reads(user, password, invoice, "/my/invoices")
            self.assertEqual(ids, [], user.login)
            self.assertNotEqual(page, 200, user.login)

        # its next webhook event is A's
        order._action_cancel()
        events = self.env["partner.order.api.webhook.event"].search(
            [("order_id", "=", order.id), ("event_type", "=", "order.cancelled")]
        )
        self.assertEqual(events.partner_id, self.partner_a)
        self.assertEqual(events.partner_id.order_api_webhook_url, HOOK_A)

    def test_owner_is_the_customers_company_at_creation_only(self):
        customer = self.user_a.partner_id
        draft = self.env["sale.order"].create(
            # a value given for the owner is not taken
            {"partner_id": customer.id, "order_api_owner_id": self.partner_b.id}
        )
        confirmed = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 1)]
        )
        self.assertEqual(
            (draft | confirmed).order_api_owner_id, self.partner_a, "from the customer"
        )
        # a quotation's owner follows its customer, a confirmed order's does not
        (draft | confirmed).write({"partner_id": self.user_b.partner_id.id})
        self.assertEqual(draft.order_api_owner_id, self.partner_b)
        self.assertEqual(confirmed.order_api_owner_id, self.partner_a)

    def test_fill_gives_orders_without_owner_their_owner(self):
        """The install/upgrade fill: orders of a release without the owner
        get the partner that placed them through the API, others the
        commercial partner of their customer."""
        api_order = self._place()
        orm_order = self.create_order_orm(
            self.partner_b, self.user_b, [(self.product_a, 1)]
        )
        # A's integrator moved to B before the upgrade
        self.user_a.partner_id.parent_id = self.partner_b
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET order_api_owner_id = NULL WHERE id IN %s",
            [(api_order.id, orm_order.id)],
        )
        self.env["sale.order"].invalidate_model(["order_api_owner_id"])
        self.env["sale.order"]._order_api_fill_owners()
        self.assertEqual(api_order.order_api_owner_id, self.partner_a)
        self.assertEqual(orm_order.order_api_owner_id, self.partner_b)
        self.assertEqual(self._reads(self.key_a2, api_order), (200, 200, True))
        self.assertEqual(self._reads(self.key_b, api_order), (404, 404, False))

    def test_a_company_made_a_contact_of_another_keeps_its_orders(self):
        """B made a contact of A (its commercial partner is A now): B's
        orders stay B's, and A's total_count (the tally) does not count them."""
        order_b = self.create_order_orm(
            self.partner_b, self.user_b, [(self.product_a, 1)]
        )
        total_a = self._total(self.key_a2)
        self.partner_b.write({"is_company": False, "parent_id": self.partner_a.id})
        self.assertEqual(self.partner_b.commercial_partner_id, self.partner_a)
        self.assertEqual(order_b.order_api_owner_id, self.partner_b)
        self.assertEqual(self._reads(self.key_a2, order_b), (404, 404, False))
        self.assertEqual(self._total(self.key_a2), total_a)
