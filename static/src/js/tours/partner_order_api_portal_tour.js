/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
/**
 * An integrator on My Account → Connection & Security, without debug mode:
 * creates an API key (Odoo's password check included), hands it to the test
 * (`/partner_order_api_test/tour_hook`, a route that only the test installs,
 * which answers the URL of the webhook receiver the test runs), saves that
 * webhook URL, sends a test event and revokes an older key. Run by
 * tests/test_portal.py.
 */

import {registry} from "@web/core/registry";
import {rpc} from "@web/core/network/rpc";

const TOUR_PASSWORD = "poa-tour-password";

registry.category("web_tour.tours").add("partner_order_api_portal_tour", {
    url: "/my/security",
    steps: () => [
        {
            content: "The Partner Order API section is shown without debug mode",
            trigger:
                "section.o_partner_order_api_portal h4:contains(Partner Order API)",
        },
        {
            content: "The section links to the API documentation",
            trigger:
                ".o_partner_order_api_portal a.o_poa_docs_link[href='/partner_order_api/docs']",
        },
        {
            content: "Describe the new key",
            trigger: "#o_poa_key_name",
            run: "edit Tour ERP",
        },
        {
            content: "Valid for one year",
            trigger: "#o_poa_key_duration",
            run: "select 365",
        },
        {
            content: "Allow it from two networks (IPv4 and IPv6)",
            trigger: "#o_poa_key_networks",
            run: "edit 203.0.113.0/24 , 2001:DB8::/48",
        },
        {
            content: "Create the key",
            trigger: ".o_poa_new_key_button",
            run: "click",
        },
        {
            content: "Odoo asks for the password again",
            trigger: ".o_dialog input[name=password]",
            run: `edit ${TOUR_PASSWORD}`,
        },
        {
            content: "Confirm the password",
            trigger: ".o_dialog button:contains(Confirm Password)",
            run: "click",
        },
        {
            content: "The key is shown once, with a curl example; hand it to the test",
            trigger:
                ".o_poa_new_key_result:not(.d-none) .o_poa_curl:contains(Authorization: Bearer)",
            async run(helpers) {
                const key = document.querySelector(".o_poa_new_key").value;
                if (!document.querySelector(".o_poa_curl").textContent.includes(key)) {
                    throw new Error("The curl example does not use the new key");
                }
                const {webhook_url} = await rpc("/partner_order_api_test/tour_hook", {
                    key,
                });
                await helpers.edit(webhook_url, "#o_poa_webhook_url");
            },
        },
        {
            content: "The new key is listed",
            trigger: ".o_poa_keys tbody tr:first-child td:contains(Tour ERP)",
        },
        {
            content: "The new key's row shows its allowed networks, as stored",
            trigger:
                ".o_poa_keys tbody tr:first-child td:contains(203.0.113.0/24, 2001:db8::/48)",
        },
        {
            content: "The new key has never been used",
            trigger: ".o_poa_keys tbody tr:first-child td:contains(Never)",
        },
        {
            content: "The new key's row has its Revoke button, without a reload",
            trigger:
                ".o_poa_keys tbody tr.o_poa_key_row:first-child button.o_poa_revoke_key[data-key-id]",
        },
        {
            content: "Every event is chosen by default; leave out order.updated",
            trigger: "#o_poa_event_order_updated:checked",
            run: "click",
        },
        {
            content: "Save the webhook URL",
            trigger: ".o_poa_webhook_save",
            run: "click",
        },
        {
            content: "The URL is saved and the new signing secret shown once",
            trigger: ".o_poa_webhook_message.alert-success",
        },
        {
            trigger: ".o_poa_secret_result:not(.d-none) input.o_poa_secret",
            run() {
                if (!this.anchor.value.startsWith("whsec_")) {
                    throw new Error("No signing secret shown");
                }
            },
        },
        {
            content: "Send a test event",
            trigger: ".o_poa_webhook_test:enabled",
            run: "click",
        },
        {
            content: "The test event was delivered",
            trigger: ".o_poa_test_result.alert-success:contains(HTTP 200)",
        },
        {
            content: "Revoke the old key (the password was checked a moment ago)",
            trigger: ".o_poa_key_row:contains(Old ERP key) .o_poa_revoke_key",
            run: "click",
        },
        {
            content: "The old key is gone from the list",
            trigger:
                ".o_poa_keys tbody:not(:has(.o_poa_key_row:contains(Old ERP key)))",
        },
    ],
});
