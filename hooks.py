def post_init_hook(env):
    """Let portal users see the API key section of "Connection & Security"."""
    env["ir.config_parameter"].sudo().set_param("portal.allow_api_keys", "True")


def uninstall_hook(env):
    """Drop the order tally's trigger on sale_order before its table goes."""
    from .models.partner_order_api_order_tally import drop_trigger  # noqa: PLC0415

    drop_trigger(env.cr)
