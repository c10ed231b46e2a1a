# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.6.0: test keys (issue 29). ``sale.order.order_api_test`` is new:
every existing order is a real one. Odoo fills the new column with its
default when it creates it; an order written without it since (raw SQL)
is set here too, so that ``external_order_id`` stays unique per partner
and mode (the unique constraint, which Odoo recreated with
``order_api_test`` in it, does not compare NULLs)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "UPDATE sale_order SET order_api_test = false WHERE order_api_test IS NULL"
    )
