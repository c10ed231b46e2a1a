# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``GET available_products``: the products a partner may order, priced
for it, with their free quantity; and the allowed products and free
quantities the order use cases check and quote with
(``partner_order_api_orders_create.py``)."""

from odoo import fields, models
from odoo.tools import SQL


class PartnerOrderApiProducts(models.AbstractModel):
    _name = "partner.order.api.products"
    _description = "Partner Order API: the products a partner may order"

    def _allowed_products_sudo(self, partner_sudo):
        """The products ``partner_sudo`` may order: its allowed products that
        are active, saleable, have a barcode and belong to the current
        company (or none). Their ids are read from the relation table: the
        ORM's read of the many2many joins the templates to sort them, which
        a partner without products (every request of it) would pay for
        nothing; the callers sort the products themselves."""
        company = self.env.company
        products = self.env["product.product"].sudo()
        if (
            partner_sudo.id == self.env["partner.order.api.caller"]._partner_id()
            and not self.env["partner.order.api.caller"]._has_products()
        ):
            # none allowed (what workers remember of the caller): no query,
            # the empty request's cost
            return products
        partner_sudo.flush_recordset(["order_api_product_ids"])
        self.env.cr.execute(
            SQL(
                "SELECT product_id FROM res_partner_order_api_product_rel"
                " WHERE partner_id = %s",
                partner_sudo.id,
            )
        )
        products = products.browse(
            [product_id for (product_id,) in self.env.cr.fetchall()]
        )
        return products.filtered(
            lambda p: (
                p.active
                and p.sale_ok
                and p.barcode
                and p.company_id in (company, company.browse())
            )
        )

    def _get_available_products(self):
        partner_sudo = self.env["partner.order.api.caller"]._partner_sudo()
        products = self._allowed_products_sudo(partner_sudo).sorted(
            lambda p: (p.default_code or "", p.name or "", p.id)
        )
        if not products:
            return []
        # the pricelist an order would get (409 not_configured for none or
        # another company's, as the order and the quote answer)
        pricelist = self.env["partner.order.api.company.setup"]._check_order_setup(
            partner_sudo, warehouse=False
        )
        currency = pricelist.currency_id or self.env.company.currency_id
        if pricelist:
            prices = pricelist._get_products_price(products, 1.0, currency=currency)
        else:
            prices = {product.id: product.lst_price for product in products}
        breaks = self._price_breaks(pricelist, products, currency, partner_sudo)
        quantities = self._quantity_rules(partner_sudo, products)
        free = self._free_quantities(products)
        restock = self._restock_dates(
            products.filtered(lambda p: free[p.id] is not None and free[p.id] <= 0)
        )
        result = []
        for product in products:
            price = self._price_tax_excluded(
                product, prices[product.id], currency, partner_sudo
            )
            result.append(
                {
                    "ean": product.barcode,
                    "name": product.with_context(
                        display_default_code=False
                    ).display_name,
                    "default_code": product.default_code or None,
                    "price": currency.round(price),
                    "currency": currency.name,
                    "available_quantity": free[product.id],
                    "sale_delay": product.sale_delay or 0,
                    "restock_date": restock.get(product.id),
                    "price_breaks": breaks[product.id],
                    "min_quantity": quantities[product.id][0],
                    "order_multiple": quantities[product.id][1],
                }
            )
        return result

    def _price_breaks(self, pricelist, products, currency, partner_sudo):
        """{product id: [{min_quantity, price}]}: the prices of the
        ``pricelist``'s quantity tiers for each product, from quantity 1 up,
        sorted; empty when no rule applies from a quantity above 1. The
        rules are read in one search (``_get_applicable_rules``) and each
        tier priced as ``_compute_price_rule`` prices an order line of that
        quantity: the first applicable rule, its ``_compute_price``; taxes
        as ``price`` (``_price_tax_excluded``)."""
        result = {product.id: [] for product in products}
        if not pricelist:
            return result
        now = fields.Datetime.now()
        rules = pricelist._get_applicable_rules(products, now)
        tier_rules = rules.filtered(lambda rule: rule.min_quantity > 1)
        if not tier_rules:  # the common case: one price whatever the quantity
            return result
        for product in products:
            tiers = sorted(
                {
                    rule.min_quantity
                    for rule in tier_rules
                    if rule._is_applicable_for(product, rule.min_quantity)
                }
            )
            if not tiers:
                continue
            for quantity in [1.0, *tiers]:
                rule = next(
                    (r for r in rules if r._is_applicable_for(product, quantity)),
                    rules.browse(),
                )
                price = rule._compute_price(
                    product, quantity, product.uom_id, date=now, currency=currency
                )
                price = self._price_tax_excluded(product, price, currency, partner_sudo)
                result[product.id].append(
                    {"min_quantity": quantity, "price": currency.round(price)}
                )
        return result

    def _free_quantities(self, products):
        """{product id: free quantity, or None}: Odoo's ``free_qty`` of each
        product kept in stock (``is_storable``): on hand less reserved, in the
        stock locations of the warehouses of the company the API user works
        in (``self.env.company``), in the product's unit; incoming goods do
        not count. None for a product Odoo does not keep in stock (it never
        waits for stock). Computed for the whole recordset at once
        (``_compute_quantities_dict``: a fixed number of queries)."""
        result = dict.fromkeys(products.ids)
        storable = products.filtered("is_storable").with_company(self.env.company)
        if storable:
            for product, free_qty in zip(
                storable, storable.mapped("free_qty"), strict=True
            ):
                result[product.id] = free_qty
        return result

    def _restock_dates(self, products):
        """{product id: ISO date} of ``products`` (those out of stock): the
        scheduled date of the earliest incoming move not done nor cancelled
        (a receipt confirmed or waiting) into the warehouses of the API
        company, as Odoo's forecast counts incoming goods
        (``_get_domain_locations``). One grouped query for all of them; a
        product with nothing incoming is left out (null)."""
        if not products:
            return {}
        products = products.with_company(self.env.company)
        _quants, moves_in, _moves_out = products._get_domain_locations()
        groups = (
            self.env["stock.move"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", products.ids),
                    (
                        "state",
                        "in",
                        ("waiting", "confirmed", "assigned", "partially_available"),
                    ),
                    *moves_in,
                ],
                ["product_id"],
                ["date:min"],
            )
        )
        return {product.id: date.date().isoformat() for product, date in groups if date}

    def _price_tax_excluded(self, product, price, currency, partner):
        taxes = product.taxes_id._filter_taxes_by_company(self.env.company)
        if not any(tax.price_include for tax in taxes):
            return price
        return taxes.compute_all(
            price, currency, 1.0, product=product, partner=partner
        )["total_excluded"]
