def uninstall_hook(env):
    """Drop the order tally's trigger on sale_order before its table goes."""
    from .models.partner_order_api_order_tally import drop_trigger  # noqa: PLC0415

    drop_trigger(env.cr)
