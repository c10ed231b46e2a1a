# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order object, shaped: the contract's order object (and the quote of
``POST order/quote``) from what ``partner.order.api.order.reader`` read
(``order_reader.py``: ``_fetch``). ``_objects`` is where every order object
is made: the answers (``_serialize``), each worker's cache (``_json``) and
the digests that decide when an object changed
(``sale_order_freshness.py``).
"""

import json

from odoo import api, models
from odoo.tools import float_compare, float_round

from ..lib import gs1
from ..lib.einvoice import available_formats
from .order_reader import utc_iso
from .sale_order_line import ordered_values

# a return transfer's state -> the order object's ``returns[].state``
RETURN_STATES = {"done": "received", "cancel": "cancelled"}


class PartnerOrderApiOrderReader(models.AbstractModel):
    _inherit = "partner.order.api.order.reader"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _objects(self, orders, headers=None, all_languages=False):
        """The order objects of ``orders``, in order, made from what
        ``_fetch`` reads (a page of 100 orders is the API's hot path: see
        the README, "Performance and limits"); the ``_prepare_*`` helpers
        shape them. ``headers``: the orders' rows of
        ``ORDER_API_HEADER_COLUMNS`` when the caller read them already (a
        page reads them with the page), by order id. ``all_languages``: the
        carriers' names in every language at once (their translations as one
        text), as the objects' digest compares them. It settles nothing:
        answers go through ``_serialize``."""
        data = self._fetch(orders, headers, all_languages=all_languages)
        rounders = {}
        result = []
        for order in orders:
            header = data["headers"][order.id]
            rounding = header["rounding"]
            if rounding not in rounders:
                rounders[rounding] = _rounder(rounding)
            result.append(self._prepare_order_values(order, data, rounders[rounding]))
        return result

    @api.model
    def _prepare_order_values(self, order, data, rounded):
        """The order object of ``order`` from ``_fetch``'s ``data``;
        ``rounded`` rounds an amount in the order's currency."""
        order.ensure_one()
        header = data["headers"][order.id]
        deliveries = data["deliveries"].get(order.id, [])
        returns = data["returns"].get(order.id, [])
        returned = returned_by_line(returns)
        return {
            "biomes_order_id": header["name"],
            "external_order_id": header["external_id"] or None,
            "status": header["status"] or order._order_api_compute_status(),
            "delivery_order_name": deliveries[0]["name"] if deliveries else None,
            "total_cost": rounded(header["amount_total"]),
            "total_tax": rounded(header["amount_tax"]),
            "currency": header["currency"],
            "sent_lots": data["sent_lots"].get(order.id, []),
            "created_at": utc_iso(header["create_date"]),
            "updated_at": utc_iso(header["updated_at"], microseconds=True),
            "note": header["note"] or None,
            # placed with a test key (README, "Test keys")
            "test": bool(header["test"]),
            "delivery_address": self._prepare_address_values(header),
            "requested_delivery_date": _iso_date(
                header["commitment_date"] and header["commitment_date"].date()
            ),
            "ship_complete": header["picking_policy"] == "one",
            "shipping": self._prepare_shipping_values(header, data, rounded),
            "lines": [
                self._prepare_line_values(
                    line,
                    rounded,
                    cancelled=header["state"] == "cancel",
                    digits=data["qty_digits"],
                    forecast=data["forecasts"].get(line["id"]),
                    returned=returned.get(line["id"], 0.0),
                )
                for line in data["lines"].get(order.id, [])
            ],
            "tracking": [
                self._prepare_tracking_values(picking)
                for picking in deliveries
                if picking["state"] == "done"
            ],
            "deliveries": [
                self._prepare_delivery_values(picking, data) for picking in deliveries
            ],
            "invoices": [
                self._prepare_invoice_values(invoice)
                for invoice in data["invoices"].get(order.id, [])
            ],
            "returns": [self._prepare_return_values(row) for row in returns],
        }

    @api.model
    def _prepare_address_values(self, header):
        return {
            "name": header["ship_name"] or None,
            "street": header["street"] or None,
            "street2": header["street2"] or None,
            "zip": header["zip"] or None,
            "city": header["city"] or None,
            "country_code": header["country_code"] or None,
            "state_code": header["ship_state_code"] or None,
            "phone": header["ship_phone"] or None,
            "email": header["ship_email"] or None,
            "company_name": header["ship_company_name"] or None,
        }

    @api.model
    def _prepare_shipping_values(self, header, data, rounded):
        """The order's carrier (``carrier_id``, chosen by ``carrier_code``)
        and the price of its delivery lines, taxes excluded; None without a
        carrier. The carrier's name in the reader's language (every
        translation as one text for the digest: ``data["lang"]`` None)."""
        if not header["ship_carrier_names"]:
            return None
        names = header["ship_carrier_names"]
        if data.get("lang") is None:
            carrier = json.dumps(names, sort_keys=True)
        else:
            carrier = names.get(data["lang"]) or names.get("en_US")
        return {
            "carrier_code": header["ship_carrier_code"] or None,
            "carrier": carrier or None,
            "price": rounded(header["shipping_price"]),
        }

    @api.model
    def _prepare_line_values(
        self, row, rounded, cancelled=False, digits=None, forecast=None, returned=0.0
    ):
        """One line of the order object from a row of ``_LINES``: the
        product as it was ordered (``sale_order_line.py``); ``rounded``
        rounds an amount in the order's currency; ``forecast``: the line's
        ``(expected date, available now)`` (``order_reader_forecast.py``),
        None without open moves; ``returned``: what came back of it in
        received returns (``returned_by_line``)."""
        open_quantity = _open_quantity(row, cancelled, digits, returned)
        expected, available = (forecast if open_quantity > 0 else None) or (None, False)
        return {
            "ean": row["barcode"] or None,
            "product_name": row["product_name"] or row["name"],
            "default_code": row["default_code"] or None,
            "quantity": row["product_uom_qty"],
            "delivered_quantity": row["qty_delivered"],
            "open_quantity": open_quantity,
            "unit_price": rounded(row["price_reduce_taxexcl"]),
            "subtotal": rounded(row["price_subtotal"]),
            "customer_reference": row["customer_reference"] or None,
            "expected_date": _iso_date(expected),
            "available_now": available,
        }

    @api.model
    def _prepare_tracking_values(self, picking):
        return {
            "delivery_order_name": picking["name"],
            "carrier": picking["carrier"] or None,
            "tracking_ref": picking["carrier_tracking_ref"] or None,
            "date_done": utc_iso(picking["date_done"]),
        }

    @api.model
    def _prepare_delivery_values(self, picking, data):
        """One outgoing delivery (a row of ``_fetch``), with its despatch
        data (``order_reader_despatch.py``): weight, packages, and per line
        the lots shipped with their expiry date."""
        despatch = data["despatch"].get(picking["id"]) or {}
        line_lots = despatch.get("line_lots") or {}
        return {
            "name": picking["name"],
            "state": picking["state"],
            "scheduled_date": utc_iso(picking["scheduled_date"]),
            "date_done": utc_iso(picking["date_done"]),
            "carrier": picking["carrier"] or None,
            "tracking_ref": picking["carrier_tracking_ref"] or None,
            "tracking_url": data["tracking_urls"].get(picking["id"])
            or picking["tracking_url"]
            or None,
            "lines": [
                {
                    "ean": line["ean"],
                    "quantity": line["quantity"],
                    "lots": [
                        {
                            "name": lot["name"],
                            "expiry_date": _json_utc(lot["expiry_date"]),
                        }
                        for lot in line_lots.get(
                            (line.get("product_id"), line["ean"]), []
                        )
                    ],
                }
                for line in data["delivery_lines"].get(picking["id"], [])
            ],
            "lots": data["delivery_lots"].get(picking["id"], []),
            "weight": _weight(despatch.get("weight")),
            "packages": [
                {
                    "name": package["name"],
                    "sscc": gs1.sscc(package["name"]),
                    "package_type": package["package_type"] or None,
                    "weight": _weight(package["weight"]),
                }
                for package in despatch.get("packages") or []
            ],
        }

    @api.model
    def _prepare_invoice_values(self, invoice):
        """One posted invoice or credit note (a row of ``_invoices``), its
        amounts in its own currency."""
        rounded = _rounder(invoice["rounding"])
        return {
            "number": invoice["name"],
            "move_type": invoice["move_type"],
            "state": invoice["state"],
            "payment_state": invoice["payment_state"] or None,
            "invoice_date": _iso_date(invoice["invoice_date"]),
            "due_date": _iso_date(invoice["invoice_date_due"]),
            "amount_total": rounded(invoice["amount_total"]),
            "amount_residual": rounded(invoice["amount_residual"]),
            "currency": invoice["currency"],
            "formats": available_formats(
                invoice["buyer_country_code"], invoice["buyer_edi_format"]
            ),
        }

    @api.model
    def _prepare_return_values(self, row):
        """One return of the order (a row of ``_returns``,
        ``order_reader_returns.py``): its transfer's state mapped to
        ``requested`` (open), ``received`` (done) or ``cancelled``."""
        return {
            "name": row["name"],
            "state": RETURN_STATES.get(row["state"], "requested"),
            "reason": row["reason"] or None,
            "lines": row["move_lines"] or [],
            "lots": list(dict.fromkeys(row["lot_labels"] or [])),
            "credit_note": row["credit_note"],
        }

    @api.model
    def _prepare_quote_values(self, order, free, external_id, shipping, note):
        """The quote of ``POST order/quote`` from ``order``, an in-memory
        (``new()``) order that Odoo priced as the order ``POST order`` would
        create: the amounts are read from the same fields, in the same
        rounding, as the order object shows them. ``free``: {product id:
        free quantity or None} (``_free_quantities``); a line is
        ``available`` when its product is not kept in stock or its free
        quantity covers the line. ``shipping``: the delivery contact (saved,
        or in memory); a carrier's delivery line is ``shipping``, not a
        line."""
        currency = order.currency_id
        order_lines = order.order_line.filtered(
            lambda line: not line.display_type and not line.is_delivery
        )
        # the values its lines would store (sale_order_line.py)
        lang = order.partner_id.lang or "en_US"
        ordered = ordered_values(
            self.env, [(lang, product.id) for product in order_lines.product_id]
        )
        lines = []
        for line in order_lines:
            product = line.product_id
            free_qty = free.get(product.id)
            stored = ordered[lang, product.id]
            lines.append(
                {
                    "ean": stored["order_api_ean"] or None,
                    "product_name": stored["order_api_product_name"],
                    "default_code": stored["order_api_default_code"] or None,
                    "quantity": line.product_uom_qty,
                    "unit_price": currency.round(line.price_reduce_taxexcl),
                    "subtotal": currency.round(line.price_subtotal),
                    "available": free_qty is None
                    or float_compare(
                        free_qty,
                        line.product_uom_qty,
                        precision_rounding=line.product_uom.rounding,
                    )
                    >= 0,
                    "available_quantity": free_qty,
                    "customer_reference": line.order_api_customer_reference or None,
                }
            )
        return {
            "external_order_id": external_id or None,
            "total_cost": currency.round(order.amount_total),
            "total_tax": currency.round(order.amount_tax),
            "currency": currency.name,
            "available": all(line["available"] for line in lines),
            "note": note or None,
            "delivery_address": self._prepare_contact_address_values(shipping),
            "requested_delivery_date": _iso_date(
                order.commitment_date and order.commitment_date.date()
            ),
            "ship_complete": order.picking_policy == "one",
            "shipping": self._prepare_quote_shipping_values(order),
            "lines": lines,
        }

    @api.model
    def _prepare_contact_address_values(self, contact):
        """A quote's ``delivery_address`` from its delivery contact, as the
        order object shows it (``_prepare_address_values``)."""
        return {
            "name": contact.name or None,
            "street": contact.street or None,
            "street2": contact.street2 or None,
            "zip": contact.zip or None,
            "city": contact.city or None,
            "country_code": contact.country_id.code or None,
            "state_code": contact.state_id.code or None,
            "phone": contact.phone or None,
            "email": contact.email or None,
            "company_name": contact.company_name or None,
        }

    @api.model
    def _prepare_quote_shipping_values(self, order):
        """A quote's ``shipping``, as ``_prepare_shipping_values``."""
        if not order.carrier_id:
            return None
        delivery = order.order_line.filtered("is_delivery")
        return {
            "carrier_code": order.carrier_id.order_api_code or None,
            "carrier": order.carrier_id.name or None,
            "price": order.currency_id.round(sum(delivery.mapped("price_subtotal"))),
        }


def _open_quantity(line, cancelled, digits, returned=0.0):
    """What is still to deliver of an order line: ordered minus delivered,
    never below zero; zero on a cancelled order (nothing more will come).
    Goods that came back (``returned``, received returns) were shipped:
    Odoo no longer counts them delivered, but nothing more will come for
    them."""
    if cancelled:
        return 0.0
    remaining = (
        (line["product_uom_qty"] or 0.0) - (line["qty_delivered"] or 0.0) - returned
    )
    if digits is not None:
        remaining = float_round(remaining, precision_digits=digits)
    return max(remaining, 0.0)


def returned_by_line(returns):
    """{order line id: quantity} that came back in the received returns of
    ``returns`` (rows of ``_returns``) and that Odoo took off the line's
    delivered quantity (moves that update the order)."""
    returned = {}
    for row in returns:
        if row["state"] != "done":
            continue
        for refunded in row["refunded"] or []:
            line_id = refunded["sale_line_id"]
            returned[line_id] = returned.get(line_id, 0.0) + refunded["quantity"]
    return returned


def _rounder(rounding):
    """``amount -> amount`` rounded to ``rounding`` as ``res.currency.round``
    rounds (as is without a rounding), memoized: a page of orders repeats the
    same prices."""
    memo = {}

    def rounded(amount):
        amount = amount or 0.0
        if amount not in memo:
            memo[amount] = (
                float_round(amount, precision_rounding=rounding) if rounding else amount
            )
        return memo[amount]

    return rounded


def _iso_date(value):
    return value.isoformat() if value else None


def _weight(value):
    """A weight as the database holds it (its weight unit), float noise of
    sums rounded away; 0.0 when unknown."""
    return round(float(value or 0.0), 6)


def _json_utc(value):
    """A timestamp PostgreSQL wrote into JSON (``2027-06-30T10:00:00``, UTC
    as Odoo stores it) as the contract writes timestamps, or None."""
    if not value:
        return None
    return value[:19] + "Z"
