# Copyright 2026 partner_order_api authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Partner Order API",
    "summary": "Let B2B partners order and follow their orders over a JSON API "
    "with portal API keys, and receive delivery webhooks",
    "version": "18.0.1.6.0",
    "category": "Sales/Sales",
    "website": "https://github.com/partner-order-api/partner_order_api",
    "author": "partner_order_api authors",
    "license": "LGPL-3",
    "application": False,
    "installable": True,
    "depends": [
        "sale_stock",
        "stock_delivery",
        "portal",
        "account_edi_ubl_cii",
        "sale_edi_ubl",
    ],
    "external_dependencies": {"python": ["pydantic", "standardwebhooks"]},
    "data": [
        "security/partner_order_api_security.xml",
        "security/ir.model.access.csv",
        "data/partner_order_api_event_type_data.xml",
        "views/res_partner_views.xml",
        "views/delivery_carrier_views.xml",
        "views/sale_order_views.xml",
        "views/stock_lot_views.xml",
        "views/stock_picking_views.xml",
        "views/partner_order_api_webhook_event_views.xml",
        "data/ir_cron.xml",
        "data/mail_template_data.xml",
        "views/res_users_apikeys_views.xml",
        "data/mail_template_webhook.xml",
        "views/product_views.xml",
        "views/portal_templates.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": [
        "demo/partner_order_api_demo.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "partner_order_api/static/src/js/portal_order_api.js",
        ],
        "web.assets_tests": [
            "partner_order_api/static/src/js/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
}
