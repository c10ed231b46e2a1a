/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
/**
 * The "Partner Order API" section of My Account → Connection & Security.
 *
 * API keys are created by `res.users.apikeys.action_order_api_make_key` and
 * revoked by Odoo's `remove()`, both behind Odoo's identity check (the
 * password is asked again, as for Odoo's own "New API Key"). So are saving or
 * clearing the webhook URL and rotating its signing secret
 * (`partner.order.api.portal.action_order_api_*`); the test event is a JSON
 * route of controllers/portal.py. Secrets (the new key,
 * a new signing secret) are shown once and never stored by the page.
 */

import {browser} from "@web/core/browser/browser";
import {ConfirmationDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {_t} from "@web/core/l10n/translation";
import {deserializeDateTime, formatDateTime} from "@web/core/l10n/dates";
import {rpc} from "@web/core/network/rpc";
import publicWidget from "@web/legacy/js/public/public_widget";
import {handleCheckIdentity} from "@portal/js/portal_security";

publicWidget.registry.PartnerOrderApiPortal = publicWidget.Widget.extend({
    selector: ".o_partner_order_api_portal",
    events: {
        "submit .o_poa_new_key_form": "_onNewKey",
        "click .o_poa_revoke_key": "_onRevokeKey",
        "click .o_poa_copy": "_onCopy",
        "submit .o_poa_webhook_form": "_onSaveWebhook",
        "click .o_poa_webhook_clear": "_onClearWebhook",
        "click .o_poa_webhook_rotate": "_onRotateSecret",
        "click .o_poa_webhook_test": "_onTestWebhook",
    },

    init() {
        this._super(...arguments);
        this.orm = this.bindService("orm");
        this.dialog = this.bindService("dialog");
    },

    // ------------------------------------------------------------------
    // API keys
    // ------------------------------------------------------------------

    async _onNewKey(ev) {
        ev.preventDefault();
        const form = ev.currentTarget;
        if (!form.reportValidity()) {
            return;
        }
        const data = new FormData(form);
        // (no busy state: the identity check dialog may be cancelled, and
        // then the call never returns)
        const result = await handleCheckIdentity(
            this.orm.call("res.users.apikeys", "action_order_api_make_key", [
                data.get("name"),
                parseInt(data.get("duration")),
                data.get("read_only") === "on",
                data.get("allowed_networks") || "",
                data.get("test") === "on",
            ]),
            this.orm,
            this.dialog
        );
        this._showNewKey(result);
        form.reset();
    },

    _showNewKey(result) {
        const box = this.el.querySelector(".o_poa_new_key_result");
        box.querySelector(".o_poa_new_key").value = result.key;
        const baseUrl = this.el.dataset.baseUrl;
        box.querySelector(".o_poa_curl").textContent =
            `curl -H "Authorization: Bearer ${result.key}" ${baseUrl}/available_products`;
        box.classList.remove("d-none");
        // the new key in the list (without its secret)
        const tbody = this.el.querySelector(".o_poa_keys tbody");
        tbody.querySelector(".o_poa_no_key")?.remove();
        const row = document.createElement("tr");
        row.classList.add("o_poa_key_row", "table-success");
        const expiration = formatDateTime(deserializeDateTime(result.expiration_date));
        for (const text of [
            result.name,
            result.scope_label,
            result.allowed_networks || _t("Any"),
            _t("just now"),
            expiration,
            _t("Never"),
        ]) {
            const cell = document.createElement("td");
            cell.textContent = text;
            row.appendChild(cell);
        }
        // its Revoke button, as the rows the page was served with
        const revokeCell = document.createElement("td");
        revokeCell.classList.add("text-end");
        const revoke = document.createElement("button");
        revoke.type = "button";
        revoke.className = "btn btn-link btn-sm text-danger p-0 o_poa_revoke_key";
        revoke.dataset.keyId = result.id;
        revoke.innerHTML = '<i class="fa fa-trash"></i> ';
        revoke.append(_t("Revoke"));
        revokeCell.appendChild(revoke);
        row.dataset.keyId = result.id;
        row.appendChild(revokeCell);
        tbody.prepend(row);
        box.scrollIntoView({block: "nearest"});
    },

    async _onRevokeKey(ev) {
        ev.preventDefault();
        const button = ev.currentTarget;
        const keyId = parseInt(button.dataset.keyId);
        await handleCheckIdentity(
            this.orm.call("res.users.apikeys", "remove", [[keyId]]),
            this.orm,
            this.dialog
        );
        button.closest("tr").remove();
    },

    async _onCopy(ev) {
        const button = ev.currentTarget;
        const input = this.el.querySelector(button.dataset.copyTarget);
        input.select();
        try {
            await browser.navigator.clipboard.writeText(input.value);
            button.textContent = _t("Copied");
        } catch {
            // no clipboard access (e.g. plain http): the text stays selected
            document.execCommand?.("copy");
        }
    },

    // ------------------------------------------------------------------
    // Webhook
    // ------------------------------------------------------------------

    _showMessage(selector, result) {
        const el = this.el.querySelector(selector);
        el.textContent = result.message || "";
        el.classList.remove("d-none", "alert-success", "alert-danger");
        el.classList.add(result.ok ? "alert-success" : "alert-danger");
    },

    _updateWebhook(result) {
        if (!result.ok) {
            return;
        }
        if ("url" in result) {
            this.el.querySelector(".o_poa_webhook_form input[name=url]").value =
                result.url || "";
            this.el.querySelector(".o_poa_webhook_test").disabled = !result.url;
        }
        if ("secret_set" in result) {
            this.el
                .querySelector(".o_poa_secret_set")
                .classList.toggle("d-none", !result.secret_set);
            this.el
                .querySelector(".o_poa_secret_unset")
                .classList.toggle("d-none", result.secret_set);
        }
        if (result.event_types) {
            for (const box of this.el.querySelectorAll(
                ".o_poa_webhook_form input[name=event_types]"
            )) {
                box.checked = result.event_types.includes(box.value);
            }
        }
        if ("previous_secret_expires_at" in result) {
            const expiry = result.previous_secret_expires_at;
            this.el.querySelector(".o_poa_previous_secret_expiry").textContent =
                expiry || "";
            this.el
                .querySelector(".o_poa_previous_secret")
                .classList.toggle("d-none", !expiry);
        }
        const box = this.el.querySelector(".o_poa_secret_result");
        if (result.secret) {
            box.querySelector(".o_poa_secret").value = result.secret;
            box.classList.remove("d-none");
        }
    },

    /**
     * Changing the webhook URL or its secret asks for the password again, as
     * creating a key does (Odoo's identity check, skipped for 10 minutes
     * after a check).
     */
    _portalAction(method, args) {
        return handleCheckIdentity(
            this.orm.call("partner.order.api.portal", method, args),
            this.orm,
            this.dialog
        );
    },

    async _onSaveWebhook(ev) {
        ev.preventDefault();
        const data = new FormData(ev.currentTarget);
        const result = await this._portalAction("action_order_api_save_webhook", [
            data.get("url"),
            data.getAll("event_types"),
        ]);
        this._showMessage(".o_poa_webhook_message", result);
        this._updateWebhook(result);
    },

    async _onClearWebhook(ev) {
        ev.preventDefault();
        const result = await this._portalAction("action_order_api_clear_webhook", []);
        this._showMessage(".o_poa_webhook_message", result);
        this._updateWebhook(result);
    },

    _onRotateSecret(ev) {
        ev.preventDefault();
        this.dialog.add(ConfirmationDialog, {
            title: _t("New signing secret"),
            body: _t(
                "Webhooks will be signed with the new secret at once; for 24 hours they also carry a signature made with the current secret, so that your receiver can switch to the new one without missing an event. Continue?"
            ),
            confirmLabel: _t("Create a new secret"),
            confirm: async () => {
                const result = await this._portalAction(
                    "action_order_api_rotate_webhook_secret",
                    []
                );
                this._showMessage(".o_poa_webhook_message", result);
                this._updateWebhook(result);
            },
            cancel: () => {},
        });
    },

    async _onTestWebhook(ev) {
        ev.preventDefault();
        const button = ev.currentTarget;
        button.disabled = true;
        try {
            const result = await rpc("/my/order_api/webhook/test", {});
            this._showMessage(".o_poa_test_result", result);
        } finally {
            button.disabled = false;
        }
    },
});

export default publicWidget.registry.PartnerOrderApiPortal;
