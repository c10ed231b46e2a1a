# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The partner's webhook endpoints on its *Order API* tab (issue 29, part
4): administrators see every endpoint of their companies and re-enable a
disabled one there; sales managers see none of them."""

from odoo.tests import Form, new_test_user, tagged

from .common import PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestWebhookEndpointsBackend(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.webhook_allow_http", "True")
        params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
        cls.admin = new_test_user(
            cls.env,
            login="poa-ep-admin",
            groups="base.group_system,sales_team.group_sale_manager",
        )
        cls.manager = new_test_user(
            cls.env, login="poa-ep-manager", groups="sales_team.group_sale_manager"
        )
        Endpoint = cls.env["partner.order.api.webhook.endpoint"]
        cls.endpoints = Endpoint.create(
            [
                {
                    "partner_id": cls.partner_a.id,
                    "company_id": cls.env.company.id,
                    "url": f"http://127.0.0.1:9/{index}",
                }
                for index in range(2)
            ]
        )
        cls.endpoints[1].write(
            {"state": "disabled", "disabled_reason": "Disabled by the server."}
        )

    def test_admins_see_and_re_enable_the_endpoints(self):
        with Form(self.partner_a.with_user(self.admin)) as form:
            self.assertEqual(len(form.order_api_webhook_endpoint_ids), 2)
            with form.order_api_webhook_endpoint_ids.edit(1) as line:
                self.assertEqual(line.state, "disabled")
                line.state = "enabled"
        second = self.endpoints[1]
        self.assertEqual((second.state, second.disabled_reason), ("enabled", False))
        # the first one is the form's Webhook URL
        self.assertEqual(
            self.partner_a.with_user(self.admin).order_api_webhook_url,
            "http://127.0.0.1:9/0",
        )

    def test_sales_managers_see_no_endpoint(self):
        view = self.partner_a.with_user(self.manager).get_views([(False, "form")])
        arch = view["views"]["form"]["arch"]
        self.assertIn("order_api_webhook_url", arch)
        self.assertNotIn("order_api_webhook_endpoint_ids", arch)
