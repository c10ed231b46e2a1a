# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Order lines as ordered (issue 24).

A line shows what was ordered, as it was ordered: the product's name (in
the customer's language, without its internal reference), EAN and internal
reference are stored on the line when it is created, and again when its
product is changed (a new product is a new ordering). Renaming,
re-barcoding or re-translating a product later changes
``available_products`` at once and never an order already placed: the
order object's ``lines[]`` read these columns, not the product (the
statement and the shaping of a line: ``order_reader.py``, ``_LINES``, and
``order_reader_shape.py``).
"""

import json

from odoo import api, fields, models
from odoo.tools import SQL

# the stored values of a line, by the product they come from
ORDERED_FIELDS = ("order_api_product_name", "order_api_ean", "order_api_default_code")
# products named at once through the ORM (the fill of existing lines)
_FILL_BATCH = 1000

# The lines with a product that have no stored values yet, with the language
# of their order's customer: those of the releases before 18.0.1.2.0, or of
# the orders that existed when the addon was installed.
_UNFILLED = """
      FROM sale_order_line sol
      JOIN sale_order so ON so.id = sol.order_id
      JOIN res_partner customer ON customer.id = so.partner_id
      JOIN product_product product ON product.id = sol.product_id
      JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
     WHERE sol.order_api_product_name IS NULL AND sol.display_type IS NULL
"""
# a product without variant attributes is named by its template's name
_FILL_SIMPLE = """
    UPDATE sale_order_line sol
       SET order_api_product_name = COALESCE(
               tmpl.name->>COALESCE(customer.lang, 'en_US'), tmpl.name->>'en_US'),
           order_api_ean = product.barcode,
           order_api_default_code = product.default_code
      FROM sale_order so, res_partner customer, product_product product,
           product_template tmpl
     WHERE so.id = sol.order_id AND customer.id = so.partner_id
       AND product.id = sol.product_id AND tmpl.id = product.product_tmpl_id
       AND sol.order_api_product_name IS NULL AND sol.display_type IS NULL
       AND COALESCE(product.combination_indices, '') = ''
"""
# the (language, product) pairs of the other lines
_UNFILLED_VARIANTS = (
    "SELECT DISTINCT COALESCE(customer.lang, 'en_US'), sol.product_id" + _UNFILLED
)
# the values of the ORM for (language, product) pairs, given as a JSON list
_FILL_VARIANTS = """
    UPDATE sale_order_line sol
       SET order_api_product_name = v.name,
           order_api_ean = v.ean,
           order_api_default_code = v.code
      FROM sale_order so, res_partner customer,
           jsonb_to_recordset(%s::jsonb) AS v(lang text, product_id int,
                                               name text, ean text, code text)
     WHERE so.id = sol.order_id AND customer.id = so.partner_id
       AND sol.order_api_product_name IS NULL AND sol.display_type IS NULL
       AND sol.product_id = v.product_id
       AND COALESCE(customer.lang, 'en_US') = v.lang
"""


def ordered_values(env, pairs):
    """``{(language, product id): {field: value}}``: the values a line of
    each product stores (``ORDERED_FIELDS``) for a customer speaking each
    language: the product's display name without its internal reference
    (its variant's attribute values included) in that language, its barcode
    and internal reference. Set-based: the products of a language are named
    at once, in a clean context (no supplier names)."""
    by_lang = {}
    for lang, product_id in pairs:
        by_lang.setdefault(lang or "en_US", set()).add(product_id)
    result = {}
    for lang, product_ids in by_lang.items():
        context = {"lang": lang, "display_default_code": False, "active_test": False}
        products = env(context=context, su=True)["product.product"].browse(product_ids)
        for product in products:
            result[lang, product.id] = {
                "order_api_product_name": product.display_name,
                "order_api_ean": product.barcode or False,
                "order_api_default_code": product.default_code or False,
            }
    return result


def fill_ordered_values(env):
    """Store the values of every line with a product that has none, from
    today's products (at install and by the 18.0.1.2.0 migration): one
    UPDATE for the products without variant attributes (their template's
    name by language, as the ORM reads it), the ORM's names for the others,
    ``_FILL_BATCH`` products at a time, each batch in one UPDATE. Raw SQL
    writes: the orders' ``updated_at`` does not move."""
    env.flush_all()
    cr = env.cr
    cr.execute(_FILL_SIMPLE)
    cr.execute(_UNFILLED_VARIANTS)
    pairs = cr.fetchall()
    for start in range(0, len(pairs), _FILL_BATCH):
        values = ordered_values(env, pairs[start : start + _FILL_BATCH])
        rows = [
            {
                "lang": lang,
                "product_id": product_id,
                "name": vals["order_api_product_name"],
                "ean": vals["order_api_ean"] or None,
                "code": vals["order_api_default_code"] or None,
            }
            for (lang, product_id), vals in values.items()
        ]
        cr.execute(SQL(_FILL_VARIANTS, json.dumps(rows)))
        env.invalidate_all()
    env["sale.order.line"].invalidate_model(list(ORDERED_FIELDS))


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    order_api_product_name = fields.Char(
        string="Product Name as Ordered",
        readonly=True,
        copy=False,
        help="The product's name (without its internal reference, in the "
        "customer's language) when the product was put on this line; the "
        "Partner Order API shows it, whatever the product is called later.",
    )
    order_api_ean = fields.Char(
        string="EAN as Ordered",
        readonly=True,
        copy=False,
        help="The product's barcode when the product was put on this line; "
        "the Partner Order API shows it, whatever the product's barcode later.",
    )
    order_api_default_code = fields.Char(
        string="Internal Reference as Ordered",
        readonly=True,
        copy=False,
        help="The product's internal reference when the product was put on "
        "this line; the Partner Order API shows it, whatever it is later.",
    )
    order_api_customer_reference = fields.Char(
        string="Customer Line Reference",
        size=100,
        copy=False,
        help="The buyer's own reference of this line (its purchase order "
        "line), sent with the order (lines[].customer_reference); the "
        "Partner Order API shows it in the order's lines[].customer_reference.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Every line with a product stores what was ordered, whatever the
        values say: the names of all the lines computed at once."""
        vals_list = list(vals_list)
        ordered = [
            index
            for index, vals in enumerate(vals_list)
            if vals.get("product_id") and vals.get("order_id")
            if not vals.get("display_type")
        ]
        if ordered:
            orders = (
                self.env["sale.order"]
                .sudo()
                .browse({vals_list[index]["order_id"] for index in ordered})
            )
            langs = {order.id: order.partner_id.lang or "en_US" for order in orders}
            keys = {
                index: (
                    langs[vals_list[index]["order_id"]],
                    vals_list[index]["product_id"],
                )
                for index in ordered
            }
            values = ordered_values(self.env, keys.values())
            for index, key in keys.items():
                vals_list[index] = dict(vals_list[index], **values[key])
        return super().create(vals_list)

    def write(self, vals):
        """A line whose product changes stores the new product's values (a
        new ordering); the values of the lines keeping theirs stay."""
        if "product_id" not in vals:
            return super().write(vals)
        product_id = getattr(vals["product_id"], "id", vals["product_id"]) or False
        changed = self.filtered(lambda line: line.product_id.id != product_id)
        res = super(SaleOrderLine, self - changed).write(vals)
        if not product_id:
            cleared = dict.fromkeys(ORDERED_FIELDS, False)
            return super(SaleOrderLine, changed).write(dict(vals, **cleared))
        groups = changed.sudo().grouped(
            lambda line: line.order_id.partner_id.lang or "en_US"
        )
        values = ordered_values(self.env, [(lang, product_id) for lang in groups])
        for lang, lines in groups.items():
            res = super(SaleOrderLine, lines.with_env(self.env)).write(
                dict(vals, **values[lang, product_id])
            )
        return res

    def _order_api_shipped(self):
        """What of the line left for the customer, returned goods included:
        Odoo's delivered quantity plus what came back in received returns
        that Odoo took off it (done return moves from the customer that
        update the order, ``to_refund``), as the order object's
        ``open_quantity`` counts them (``order_reader_shape.returned_by_line``):
        the status of an order whose goods came back stays ``shipped``."""
        self.ensure_one()
        returned = sum(
            move.product_uom._compute_quantity(move.quantity, self.product_uom)
            for move in self.move_ids
            if move.state == "done"
            and move.origin_returned_move_id
            and move.to_refund
            and move.location_id.usage == "customer"
        )
        return self.qty_delivered + returned
