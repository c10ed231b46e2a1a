def post_init_hook(env):
    """The lines of the orders that exist when the addon is installed store
    what was ordered, from today's products (``sale_order_line.py``), and
    every order the digest of its object (``sale_order_freshness.py``)."""
    from .models.sale_order_line import fill_ordered_values  # noqa: PLC0415

    fill_ordered_values(env)
    env["sale.order"]._order_api_fill_digests()


def uninstall_hook(env):
    """Drop the order tally's trigger on sale_order before its table goes,
    and the orders' digest column (no field's: Odoo would not drop it)."""
    from .models.partner_order_api_order_tally import drop_trigger  # noqa: PLC0415

    drop_trigger(env.cr)
    env.cr.execute("ALTER TABLE sale_order DROP COLUMN IF EXISTS order_api_digest")
