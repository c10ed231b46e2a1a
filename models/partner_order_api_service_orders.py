# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a partner reads and cancels: ``GET available_products``, ``GET
orders``, ``GET order_status``, ``POST order/cancel`` (and the idempotent
run the writing routes share). The orders themselves, which ones a partner
reads and what they look like, are the reader's
(``partner.order.api.order.reader``, ``order_reader.py``): these use cases
check the caller and call it with the caller's commercial partner."""

import logging

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib import errors

_logger = logging.getLogger(__name__)


def _documents(label, records, state):
    """``"transfer WH/PICK/00003 is done"``, ``"transfers A, B are done"``:
    ``records`` by name, for an error message."""
    names = ", ".join(records.sorted("id").mapped("name"))
    if len(records) == 1:
        return f"{label} {names} is {state}"
    return f"{label}s {names} are {state}"


class PartnerOrderApiService(models.AbstractModel):
    _inherit = "partner.order.api.service"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # GET available_products
    # ------------------------------------------------------------------

    def _allowed_products_sudo(self, partner_sudo):
        """The products ``partner_sudo`` may order: its allowed products that
        are active, saleable, have a barcode and belong to the current
        company (or none). Their ids are read from the relation table: the
        ORM's read of the many2many joins the templates to sort them, which
        a partner without products (every request of it) would pay for
        nothing; the callers sort the products themselves."""
        company = self.env.company
        products = self.env["product.product"].sudo()
        if partner_sudo.id == self._caller() and not self._caller_has_products():
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
        partner_sudo = self._partner_sudo()
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
        free = self._free_quantities(products)
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
                }
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

    def _price_tax_excluded(self, product, price, currency, partner):
        taxes = product.taxes_id._filter_taxes_by_company(self.env.company)
        if not any(tax.price_include for tax in taxes):
            return price
        return taxes.compute_all(
            price, currency, 1.0, product=product, partner=partner
        )["total_excluded"]

    # ------------------------------------------------------------------
    # GET orders, GET order_status
    # ------------------------------------------------------------------

    def _list_orders(self, page, page_size, filters=None):
        """A page of the partner's orders with the pagination (``filters``:
        ``lib.validation.parse_orders_query``; the sync's
        ``next_updated_since`` and the counts: the reader's ``_page``)."""
        self._partner_sudo()  # enabled?
        return self.env["partner.order.api.order.reader"]._page(
            self._caller(), page, page_size, filters
        )

    def _run_idempotent(self, idempotency_key, route, data, func):
        """``func()`` -> (payload, status), at most once per partner, API
        company and ``Idempotency-Key``; returns ``((payload, status),
        replayed)``."""
        if idempotency_key is None:
            return func(), False
        partner_sudo = self._partner_sudo()
        Idempotency = self.env["partner.order.api.idempotency"].sudo()
        return Idempotency._run(
            partner_sudo,
            self.env.company,
            idempotency_key,
            Idempotency._fingerprint(route, data),
            func,
        )

    def _cancel_order(self, identified_by, order_id):
        """Cancel the partner's order through Odoo's own flow
        (``sale.order.action_cancel``) and answer the cancelled order.

        Refused with 409 ``not_cancellable``, whose message says why and
        names the blocking documents, and nothing changed:

        - an order that this partner did not place through the API
          (``order_api_partner_id`` empty, e.g. entered by a salesperson, or
          another partner's): the API cancels only what its client ordered,
          whatever the order's state; a salesperson cancels the others;
        - a locked order (Odoo's ``locked``, as ``action_cancel`` refuses);
        - an order with a posted customer invoice or credit note;
        - an order any of whose transfers (pick, pack, delivery, return:
          every picking of the order) is done.

        Otherwise ``action_cancel`` runs as its confirmation wizard runs it
        (``disable_cancel_warning``: the wizard would only mail the customer,
        who asked for it), and Odoo cancels the open transfers of every step
        and the draft invoices with the order. Anything Odoo refuses on the
        way (a ``UserError``, or an order still not cancelled afterwards, e.g.
        a wizard asked by another module) is a 409 too. The error is raised,
        so the request's transaction is rolled back. A concurrent validation
        of one of its transfers writes the same stock rows: one of the two
        transactions fails to serialize and Odoo replays the request, which
        then sees the done transfer. Cancelling an API order that is already
        cancelled answers it again; another partner's order is 404
        ``not_found``."""
        partner_sudo = self._partner_sudo()
        reader = self.env["partner.order.api.order.reader"]
        order_sudo = reader._find(self._caller(), identified_by, order_id)
        if order_sudo.order_api_partner_id != partner_sudo:
            raise errors.NotCancellable(
                f"Order {order_sudo.name} was not placed through the Partner "
                "Order API by this partner: only orders placed through the API "
                "can be cancelled through it; ask your sales contact to cancel it."
            )
        if order_sudo.state == "cancel":
            return reader._serialize(order_sudo)[0]
        reasons = self._cancel_blockers(order_sudo)
        if reasons:
            raise errors.NotCancellable(
                f"Order {order_sudo.name} can no longer be cancelled: "
                f"{'; '.join(reasons)}."
            )
        try:
            # elevated: a portal user cannot cancel orders or their pickings
            order_sudo.with_context(disable_cancel_warning=True).action_cancel()
        except UserError as exc:
            raise errors.NotCancellable(
                f"Order {order_sudo.name} can no longer be cancelled: {exc.args[0]!s}"
            ) from exc
        if order_sudo.state != "cancel":
            raise errors.NotCancellable(
                f"Order {order_sudo.name} can no longer be cancelled through the "
                "API: ask your sales contact to cancel it."
            )
        _logger.info(
            "Partner Order API: %s cancelled by user #%s",
            order_sudo.name,
            self.env.uid,
        )
        return reader._serialize(order_sudo)[0]

    def _cancel_blockers(self, order_sudo):
        """Why the API refuses to cancel ``order_sudo`` (see
        ``_cancel_order``), each reason naming its documents; empty: nothing
        stands in the way."""
        reasons = []
        if order_sudo.locked:
            reasons.append("it is locked")
        posted = order_sudo.invoice_ids.filtered(lambda move: move.state == "posted")
        for move_type, label in (
            ("out_invoice", "invoice"),
            ("out_refund", "credit note"),
        ):
            moves = posted.filtered(lambda move, t=move_type: move.move_type == t)
            if moves:
                reasons.append(_documents(label, moves, "posted"))
        done = order_sudo.picking_ids.filtered(lambda picking: picking.state == "done")
        if done:
            reasons.append(_documents("transfer", done, "done"))
        return reasons

    def _get_order_status(self, identified_by, order_id):
        """The partner's order (its object), found by the reader
        (``_find``: another partner's order is 404 ``not_found``)."""
        self._partner_sudo()  # enabled?
        reader = self.env["partner.order.api.order.reader"]
        order_sudo = reader._find(self._caller(), identified_by, order_id)
        return reader._serialize(order_sudo)[0]
