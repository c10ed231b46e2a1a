# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Portal routes: the "Partner Order API" section of My Account → Connection &
Security, its test-event button, and the API documentation page.

The rules live in ``models/partner_order_api_portal.py``. What needs the
password again goes through Odoo's identity check from the page itself
(``orm.call``): API keys are made by
``res.users.apikeys.action_order_api_make_key`` and revoked with Odoo's own
``remove()``; the webhook URL is saved or cleared and the signing secret
rotated by ``partner.order.api.portal.action_order_api_*``.
"""

from odoo.http import Controller, request, route

from odoo.addons.portal.controllers.portal import CustomerPortal


def _portal():
    return request.env["partner.order.api.portal"]


# The docs page loads nothing from outside the server: Redoc's bundle would
# fetch its footer logo from Redocly's CDN, the browser refuses it.
DOCS_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "frame-ancestors 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "object-src 'none'",
    ]
)


class OrderApiCustomerPortal(CustomerPortal):
    def _order_api_add_section(self, response):
        if getattr(response, "qcontext", None) is not None:
            # the address this page was served at (behind a proxy: its
            # X-Forwarded-Host with --proxy-mode), not web.base.url, which
            # only an admin's login refreshes
            base_url = request.httprequest.url_root.rstrip("/")
            response.qcontext.update(_portal()._section_values(base_url))
        return response

    @route()
    def security(self, **post):
        return self._order_api_add_section(super().security(**post))

    @route()
    def deactivate_account(self, validation, password, **post):
        return self._order_api_add_section(
            super().deactivate_account(validation, password, **post)
        )

    @route(
        "/my/order_api/webhook/endpoints/<int:endpoint_id>/enable",
        type="http",
        auth="user",
        methods=["POST"],
    )
    def order_api_webhook_endpoint_enable(self, endpoint_id, **kwargs):
        _portal()._enable_endpoint(endpoint_id)
        return request.redirect("/my/security#order_api_endpoints")

    @route("/my/order_api/webhook/test", type="json", auth="user", methods=["POST"])
    def order_api_webhook_test(self, **kwargs):
        return _portal()._send_test_event()


class OrderApiDocs(Controller):
    @route(
        "/partner_order_api/docs",
        type="http",
        auth="public",
        methods=["GET"],
        readonly=True,
    )
    def order_api_docs(self, **kwargs):
        """The OpenAPI document rendered by Redoc, served from the addon."""
        return request.render(
            "partner_order_api.order_api_docs_page",
            {"spec_url": "/partner_order_api/openapi.json"},
            headers={"Cache-Control": "no-cache", "Content-Security-Policy": DOCS_CSP},
        )
