# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The portal's "Re-enable" button of a webhook endpoint the server
disabled (issue 29, part 3), in Chromium (``partner_order_api_endpoint_tour``),
and the route it posts to: another partner's endpoint is not touched."""

from odoo import http
from odoo.tests import tagged

from odoo.addons.partner_order_api.models.partner_order_api_webhook_endpoint import (
    DISABLED_FAILING,
)

from . import test_portal
from .test_portal import TOUR_LOGIN


@tagged("post_install", "-at_install")
class TestPortalEndpoints(test_portal.TestPortalTour):
    # the tour user of TestPortalTour, not its own tour (run there)
    test_integrator_creates_key_sets_webhook_and_sends_test_event = None

    def _disabled(self, partner, url):
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.webhook_allowed_hosts", "hooks.example"
        )
        return self.env["partner.order.api.webhook.endpoint"].create(
            {
                "partner_id": partner.id,
                "company_id": self.env.company.id,
                "url": url,
                "state": "disabled",
                "disabled_reason": DISABLED_FAILING,
            }
        )

    def test_integrator_re_enables_a_disabled_endpoint(self):
        endpoint = self._disabled(self.partner_a, "https://hooks.example/tour")
        self.start_tour(
            "/my/security", "partner_order_api_endpoint_tour", login=TOUR_LOGIN
        )
        self.assertEqual((endpoint.state, endpoint.disabled_reason), ("enabled", False))

    def test_another_partners_endpoint_stays_disabled(self):
        theirs = self._disabled(self.partner_b, "https://hooks.example/b")
        self.authenticate(TOUR_LOGIN, "poa-tour-password")
        response = self.url_open(
            f"/my/order_api/webhook/endpoints/{theirs.id}/enable",
            data={"csrf_token": http.Request.csrf_token(self)},
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(theirs.state, "disabled")
