# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The "Partner Order API" section of the portal's Connection & Security page.

``controllers/portal.py`` parses and answers; the rules are here. Every
method runs as the portal user and acts on the commercial partner of that
user only, after checking that it is enabled; the webhook rules (URL checks,
signing secret, test event) are the API's own, from
``partner.order.api.webhook.settings``, and so is the webhook it acts on: the one of
the user's API company (the settings are per company).
"""

from odoo import _, api, models

from odoo.addons.base.models.res_users import check_identity

from ..lib import errors, validation, webhook
from ..lib.costs import WEBHOOK_TEST_COST
from ..lib.events import ORDER_EVENT_TYPES


class PartnerOrderApiPortal(models.AbstractModel):
    _name = "partner.order.api.portal"
    _description = "Partner Order API: portal section"

    @api.model
    def _enabled_partner_sudo(self):
        """The user's commercial partner, as the API's caller knows it
        (``partner.order.api.caller``), when it is enabled, else an empty
        recordset; in the user's API company, whose webhook the page shows
        (the settings are per company), whatever the session's company."""
        caller = self.env["partner.order.api.caller"]
        partner_sudo = self.env["res.partner"].sudo().browse(caller._partner_id())
        if not partner_sudo.order_api_enabled:
            return partner_sudo.browse()
        return partner_sudo.with_company(caller._company())

    @api.model
    def _section_values(self, base_url=None):
        """What the section shows; empty when the user's partner is not
        enabled. ``base_url``: where the page was served (the curl and Base
        URL shown use it); ``web.base.url`` without one."""
        partner_sudo = self._enabled_partner_sudo()
        Keys = self.env["res.users.apikeys"]
        keys = self.env.user.api_key_ids.sorted(
            lambda k: (k.create_date, k.id), reverse=True
        )
        base_url = base_url or self.get_base_url()
        if not partner_sudo:
            return self._disabled_section_values(keys, base_url)
        return {
            "order_api_partner_name": partner_sudo.name,
            "order_api_company_name": partner_sudo.env.company.name,
            "order_api_keys": [
                {
                    "key": key,
                    "scope_label": Keys._order_api_scope_label(key.scope),
                }
                for key in keys
            ],
            "order_api_durations": Keys._order_api_duration_selection(),
            "order_api_webhook_url": partner_sudo.order_api_webhook_url or "",
            "order_api_webhook_secret_set": bool(partner_sudo.order_api_webhook_secret),
            "order_api_webhook_event_types": partner_sudo._order_api_webhook_event_types(),
            "order_api_event_type_choices": self._event_type_choices(),
            "order_api_webhook_previous_secret_expiry": self._webhook()._webhook_info(
                partner_sudo
            )["previous_secret_expires_at"],
            "order_api_disabled_endpoints": self._disabled_endpoints(),
            "order_api_base_url": f"{base_url}/partner_order_api",
            "order_api_docs_url": "/partner_order_api/docs",
        }

    @api.model
    def _disabled_endpoints(self):
        """The partner's disabled webhook endpoints (in its API company),
        each with its re-enable button."""
        return [
            info
            for info in self._webhook()._list_endpoints()["endpoints"]
            if info["state"] == "disabled"
        ]

    @api.model
    def _enable_endpoint(self, endpoint_id):
        """The "Re-enable" button of a disabled endpoint: the API's ``PUT
        webhook/endpoints/<id>`` with ``state: enabled`` (another partner's
        id: not found)."""
        changes = {"state": "enabled"}
        return self._run(lambda: self._webhook()._update_endpoint(endpoint_id, changes))

    @api.model
    def _disabled_section_values(self, keys, base_url):
        """A portal user whose company the seller turned off, and who still
        has keys: told why, shown its keys to revoke, nothing else (no new
        key, no webhook). Nothing for the others."""
        if not (self.env.user.share and keys):
            return {}
        Keys = self.env["res.users.apikeys"]
        partner = self.env.user.partner_id.commercial_partner_id
        return {
            "order_api_disabled": True,
            "order_api_partner_name": partner.sudo().name,
            "order_api_keys": [
                {"key": key, "scope_label": Keys._order_api_scope_label(key.scope)}
                for key in keys
            ],
            "order_api_base_url": f"{base_url}/partner_order_api",
            "order_api_docs_url": "/partner_order_api/docs",
        }

    # ------------------------------------------------------------------
    # Webhook: each returns {"ok": bool, "message": str, ...}
    #
    # Changing where the partner's order data goes (the URL) or the secret
    # that proves it comes from us asks for the user's password again, as
    # creating an API key does: the public ``action_*`` methods are Odoo's
    # identity-checked actions (the page calls them through ``orm.call`` and
    # ``handleCheckIdentity``). They act on the calling user's own
    # commercial partner only (``env.user``, never an argument or the
    # context). Everything else is private.
    # ------------------------------------------------------------------

    def _webhook(self):
        """The webhook settings' use cases, the API's own (the page acts as
        the API would for this user)."""
        return self.env["partner.order.api.webhook.settings"]

    @api.model
    def _event_type_choices(self):
        """The events a subscription chooses from, with what they mean
        (``partner.order.api.event.type``): the order events (ping is
        always sent)."""
        event_types = (
            self.env["partner.order.api.event.type"]
            .sudo()
            .search([("code", "in", ORDER_EVENT_TYPES)])
        )
        return [(event.code, event.description) for event in event_types]

    @api.model
    def _run(self, func):
        """``func()`` with the API's errors turned into a message for the page."""
        if not self._enabled_partner_sudo():
            return {
                "ok": False,
                "message": _("Your company is not enabled for the Partner Order API."),
            }
        try:
            return dict({"ok": True}, **func())
        except errors.OrderApiError as exc:
            result = {"ok": False, "message": exc.message}
            if "Retry-After" in exc.headers:
                result["retry_after"] = int(exc.headers["Retry-After"])
            return result

    @api.model
    @check_identity
    def action_order_api_save_webhook(self, url, event_types=None):
        return self._save_webhook(url, event_types)

    @api.model
    @check_identity
    def action_order_api_clear_webhook(self):
        return self._clear_webhook()

    @api.model
    @check_identity
    def action_order_api_rotate_webhook_secret(self):
        return self._rotate_webhook_secret()

    @api.model
    def _save_webhook(self, url, event_types=None):
        """Save the URL and the chosen events (None: all)."""

        def save():
            try:
                # the API's check of PUT webhook's event_types, the one check
                chosen = validation.parse_event_types(event_types)
            except errors.ValidationError:
                raise errors.ValidationError.from_details(
                    [
                        {
                            "field": "event_types",
                            "message": _("Choose at least one event to receive."),
                        }
                    ]
                ) from None
            info = self._webhook()._set_webhook(
                url.strip() if isinstance(url, str) else "", chosen
            )
            result = {
                "message": _("Webhook URL saved."),
                "url": info["url"],
                "secret_set": info["signing_secret_set"],
                "event_types": info["event_types"],
            }
            if info.get("signing_secret"):
                result["secret"] = info["signing_secret"]
            return result

        return self._run(save)

    @api.model
    def _clear_webhook(self):
        def clear():
            info = self._webhook()._delete_webhook()
            return {
                "message": _("Webhook removed: no order updates will be sent."),
                "url": info["url"],
                "secret_set": info["signing_secret_set"],
            }

        return self._run(clear)

    @api.model
    def _rotate_webhook_secret(self):
        def rotate():
            info = self._webhook()._rotate_webhook_secret()
            expiry = info["previous_secret_expires_at"]
            if expiry:
                message = _(
                    "New signing secret created; it is shown only this once. Until "
                    "%(expiry)s (UTC), webhooks carry the signatures of both the "
                    "new and the previous secret: switch your receiver to the new "
                    "one before then.",
                    expiry=expiry.replace("T", " ").rstrip("Z"),
                )
            else:
                message = _(
                    "New signing secret created: verify webhooks with it from now "
                    "on. It is shown only this once."
                )
            return {
                "message": message,
                "secret_set": True,
                "secret": info["signing_secret"],
                "previous_secret_expires_at": expiry,
            }

        return self._run(rotate)

    @api.model
    def _send_test_event(self):
        """The "Send test event" button: under the partner's request budget
        (``WEBHOOK_TEST_COST`` tokens), one at a time per partner (the
        service's ping), answered as the API answers ``POST webhook/test``
        (delivered or not, the HTTP status) with a message for the page."""

        def send():
            self._take_test_event_budget()
            try:
                result = self._webhook()._test_webhook()
            except errors.ConcurrencyLimited as exc:
                raise errors.ConcurrencyLimited(
                    exc.headers["Retry-After"],
                    _("A test event is already being sent: wait for its answer."),
                ) from None
            if result["delivered"]:
                message = _(
                    "Test event delivered: HTTP %(status)s.",
                    status=result["status_code"],
                )
            elif result["status_code"]:
                message = _(
                    "Test event not delivered: your receiver answered HTTP "
                    "%(status)s (it must answer with a 2xx status within "
                    "%(seconds)s seconds).",
                    status=result["status_code"],
                    seconds=webhook.DEADLINE_SECONDS,
                )
            else:
                message = _(
                    "Test event not delivered: no answer with a 2xx status "
                    "within %(seconds)s seconds.",
                    seconds=webhook.DEADLINE_SECONDS,
                )
            return dict(result, message=message)

        result = self._run(send)
        if result["ok"] and not result.get("delivered"):
            result["ok"] = False
        return result

    @api.model
    def _take_test_event_budget(self):
        """Take a test event's cost from the partner's budget, or refuse."""
        budget = (
            self.env["partner.order.api.rate.bucket"]
            .sudo()
            ._take_partner_tokens(self._enabled_partner_sudo().id, WEBHOOK_TEST_COST)
        )
        if not budget.allowed:
            raise errors.RateLimited(
                budget.retry_after,
                _(
                    "Too many requests from your company: try the test event "
                    "again in %(seconds)s seconds.",
                    seconds=budget.retry_after,
                ),
            )
