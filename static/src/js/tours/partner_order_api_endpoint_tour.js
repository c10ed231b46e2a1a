/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
/**
 * An integrator whose webhook endpoint the server disabled (its deliveries
 * failed for 5 days) sees why on My Account → Connection & Security and
 * re-enables it with its button. Run by tests/test_portal_endpoints.py.
 */

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("partner_order_api_endpoint_tour", {
    url: "/my/security",
    steps: () => [
        {
            content: "The disabled endpoint is shown with its reason",
            trigger:
                ".o_poa_disabled_endpoint:contains(https://hooks.example/tour):contains(failed for 5 days)",
        },
        {
            content: "Re-enable it",
            trigger: ".o_poa_disabled_endpoint button.o_poa_endpoint_enable",
            run: "click",
        },
        {
            content: "Back on the page, it is no longer listed as disabled",
            trigger:
                "section.o_partner_order_api_portal:not(:has(.o_poa_disabled_endpoint))",
        },
    ],
});
