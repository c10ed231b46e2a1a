def post_init_hook(env):
    """The lines of the orders that exist when the addon is installed store
    what was ordered, from today's products (``sale_order_line.py``)."""
    from .models.sale_order_line import fill_ordered_values  # noqa: PLC0415

    fill_ordered_values(env)


def uninstall_hook(env):
    """Drop the order tally's trigger on sale_order before its table goes,
    and the catalog's table (not a model's: Odoo would not drop it)."""
    from .models.partner_order_api_catalog import drop_table  # noqa: PLC0415
    from .models.partner_order_api_order_tally import drop_trigger  # noqa: PLC0415

    drop_trigger(env.cr)
    drop_table(env.cr)
