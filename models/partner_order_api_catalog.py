# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shared data of the order objects: its version.

An order object shows, beside the order's own records, data that many
orders share: products' barcodes (its deliveries' lines), carriers and
their tracking links, currencies, country codes, the quantities'
precision, locations' usage and operation types' codes; an order's PDFs
show more (a delivery slip names its products, translated, with their
attribute values, as they are now). A change of these does not mark every
order changed (``updated_at``); it records a change of the catalog, and
the version the order objects' cache (``sale.order._order_api_json``) and
the PDFs' cache (``partner.order.api.document``) are keyed by is then new.

The order's lines do not follow them: they show their products as they
were ordered, stored on the lines (``sale_order_line.py``).
"""

from odoo import api, models
from odoo.tools import SQL

TABLE = "partner_order_api_catalog_change"
# The catalog's version: the number of changes committed, as a transaction
# sees them. Each change is a row of TABLE of weight 1, inserted in the
# changing transaction; pruning (``prune``) folds rows into one whose weight
# is their sum. The sum only grows with each commit, whatever the order in
# which the changes took their ids and committed, and a prune leaves it as
# it is: two snapshots with the same version have seen the same changes (a
# later snapshot sees all an earlier one saw), and a version never comes
# back for another set of changes. (The first change kept and the number
# kept, as before 18.0.1.2.0, came back when changes committed out of id
# order around a prune: (9,1) -> (8,2) -> (9,1).)
CATALOG_VERSION = SQL(
    "(SELECT ARRAY[COALESCE(SUM(weight), 0)::bigint] FROM %s)", SQL.identifier(TABLE)
)


def create_table(cr):
    cr.execute(
        SQL(
            "CREATE TABLE IF NOT EXISTS %(table)s (id bigserial PRIMARY KEY);"
            " ALTER TABLE %(table)s"
            " ADD COLUMN IF NOT EXISTS weight bigint NOT NULL DEFAULT 1",
            table=SQL.identifier(TABLE),
        )
    )


def prune(cr):
    """Fold the changes this transaction sees into one row of their total
    weight (the hourly order tally cron calls it): the version stays the
    same, and rows of transactions not committed yet are left as they
    are."""
    cr.execute(
        SQL(
            """
            WITH gone AS (
                DELETE FROM %(table)s WHERE (SELECT COUNT(*) FROM %(table)s) > 1
                RETURNING weight
            )
            INSERT INTO %(table)s (weight)
                 SELECT SUM(weight) FROM gone HAVING COUNT(*) > 0
            """,
            table=SQL.identifier(TABLE),
        )
    )


def drop_table(cr):
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(TABLE)))


class PartnerOrderApiCatalogMixin(models.AbstractModel):
    """Records a change of the catalog when the fields
    ``_order_api_catalog_fields`` (none: any field) of a record change,
    written or translated."""

    _name = "partner.order.api.catalog.mixin"
    _description = "Partner Order API: data shared by order objects"

    _order_api_catalog_fields = ()

    def write(self, vals):
        res = super().write(vals)
        fnames = self._order_api_catalog_fields
        if not fnames or set(fnames).intersection(vals):
            self._order_api_catalog_changed()
        return res

    def update_field_translations(self, field_name, translations, source_lang=None):
        res = super().update_field_translations(
            field_name, translations, source_lang=source_lang
        )
        fnames = self._order_api_catalog_fields
        if not fnames or field_name in fnames:
            self._order_api_catalog_changed()
        return res

    @api.model
    def _order_api_catalog_changed(self):
        """A change of the catalog, once per transaction: it commits or
        rolls back with the change itself."""
        data = self.env.cr.precommit.data
        if not data.get(TABLE):
            data[TABLE] = True
            self.env.cr.execute(
                SQL("INSERT INTO %s DEFAULT VALUES", SQL.identifier(TABLE))
            )


class ProductAttributeValue(models.Model):
    # the variants' names on delivery slips
    _name = "product.attribute.value"
    _inherit = ["product.attribute.value", "partner.order.api.catalog.mixin"]
    _order_api_catalog_fields = ("name",)


class DeliveryCarrier(models.Model):
    _name = "delivery.carrier"
    _inherit = ["delivery.carrier", "partner.order.api.catalog.mixin"]
    # its name, and its tracking link: integrations build it from any field


class ResCurrency(models.Model):
    _name = "res.currency"
    _inherit = ["res.currency", "partner.order.api.catalog.mixin"]
    _order_api_catalog_fields = ("name", "rounding")


class ResCountry(models.Model):
    _name = "res.country"
    _inherit = ["res.country", "partner.order.api.catalog.mixin"]
    _order_api_catalog_fields = ("code",)


class DecimalPrecision(models.Model):
    _name = "decimal.precision"
    _inherit = ["decimal.precision", "partner.order.api.catalog.mixin"]
    _order_api_catalog_fields = ("digits",)


class StockLocation(models.Model):
    _name = "stock.location"
    _inherit = ["stock.location", "partner.order.api.catalog.mixin"]
    _order_api_catalog_fields = ("usage",)


class StockPickingType(models.Model):
    _name = "stock.picking.type"
    _inherit = ["stock.picking.type", "partner.order.api.catalog.mixin"]
    _order_api_catalog_fields = ("code",)
