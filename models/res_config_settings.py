# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

MAX_KEY_DURATION = 3650  # days


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    order_api_key_duration = fields.Integer(
        string="Order API Key Maximum Duration (days)",
        help="How long an API key that a partner's integrator creates on the portal "
        "may last at most ('Partner Order API User' group).",
        default=365,
    )
    order_api_webhook_allowed_hosts = fields.Char(
        string="Allowed Private Webhook Hosts",
        help="Comma-separated host names, IP addresses or CIDR ranges. Webhooks to "
        "private, loopback or link-local addresses are refused unless listed here.",
        config_parameter="partner_order_api.webhook_allowed_hosts",
    )
    order_api_webhook_allow_http = fields.Boolean(
        string="Allow Plain HTTP Webhooks",
        help="Accept http:// webhook URLs (not encrypted). Leave off in production.",
        config_parameter="partner_order_api.webhook_allow_http",
    )

    @api.model
    def _order_api_group(self):
        return self.env.ref("partner_order_api.group_order_api_user").sudo()

    @api.constrains("order_api_key_duration")
    def _check_order_api_key_duration(self):
        for settings in self:
            if not 1 <= settings.order_api_key_duration <= MAX_KEY_DURATION:
                raise ValidationError(
                    _(
                        "The maximum duration of Order API keys must be between "
                        "1 and %(max)s days.",
                        max=MAX_KEY_DURATION,
                    )
                )

    @api.model
    def get_values(self):
        res = super().get_values()
        res["order_api_key_duration"] = int(self._order_api_group().api_key_duration)
        return res

    def set_values(self):
        res = super().set_values()
        group = self._order_api_group()
        if group.api_key_duration != self.order_api_key_duration:
            group.api_key_duration = self.order_api_key_duration
        return res
