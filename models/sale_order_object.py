# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order object of the Partner Order API: what it shows, and how it
is read and shaped.

``_order_api_serialize`` is the one serializer (orders list, order_status,
the create response, webhooks). ``_order_api_fetch`` reads what the object
shows, and only that, in a fixed number of statements whatever the number
of orders (the SQL below and ``sale_order_line.LINES_QUERY``); the
``_prepare_order_api_*`` methods shape it. When the object changes, and
what each worker keeps of it, is ``sale_order_freshness.py``'s concern;
its coverage test reads these statements.
"""

from odoo import api, models
from odoo.tools import SQL, float_compare, float_round

from .sale_order_line import LINES_QUERY, ordered_values


class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def _order_api_sent_lots(self):
        """{order id: [lot labels]}: the lots and serials that left for the
        customer in done moves of the order's transfers, less those that came
        back through a done return, each once, in the order they were first
        shipped. A lot shows its kit barcode where it has one. One query for
        all the orders of ``self``, through the transfers' ``sale_id``
        (deliveries and their returns share the order's procurement group)."""
        if not self:
            return {}
        self.env.flush_all()
        result = {order_id: [] for order_id in self.ids}
        self.env.cr.execute(SQL(_SENT_LOTS, list(self.ids)))
        for order_id, label in self.env.cr.fetchall():
            if label not in result[order_id]:
                result[order_id].append(label)
        return result

    def _order_api_query(self, query, *params):
        """The rows of the fixed query ``query`` of the order object (text
        with a ``%s`` per parameter) run with ``params``, as dicts."""
        self.env.cr.execute(SQL(query, *params))
        return self.env.cr.dictfetchall()

    def _order_api_serialize(self, headers=None):
        """The contract's order object for every order of ``self``, in order.

        One serializer for the orders list, ``order_status``, the create
        response and the webhook. Call it on records the caller was allowed
        to read. The changes of this transaction are settled first
        (``_order_api_settle``): the objects show the ``updated_at`` they
        will be committed with. ``headers``: the orders' rows of
        ``ORDER_API_HEADER_COLUMNS`` when the caller read them already
        (``_list_orders`` reads them with the page), by order id.
        """
        if not self:
            return []
        self._order_api_settle()
        return self._order_api_objects(headers)

    def _order_api_objects(self, headers=None, all_languages=False):
        """The order objects of ``self``, in order, made from what
        ``_order_api_fetch`` reads (a page of 100 orders is the API's hot
        path: see the README, "Performance and limits"); the
        ``_prepare_order_api_*`` helpers shape them. ``all_languages``: the
        carriers' names in every language at once (their translations as one
        text), as the objects' digest compares them."""
        data = self._order_api_fetch(headers, all_languages=all_languages)
        rounders = {}
        result = []
        for order in self:
            header = data["headers"][order.id]
            rounding = header["rounding"]
            if rounding not in rounders:
                rounders[rounding] = _rounder(rounding)
            result.append(order._prepare_order_api_values(data, rounders[rounding]))
        return result

    def _order_api_fetch(self, headers=None, all_languages=False):
        """What the order objects of ``self`` show, in five queries whatever
        the number of orders (four when the headers are given; one more for
        carrier integrations): orders with their address and currency
        (unless given: ``headers``), lines with their products as ordered
        (``LINES_QUERY``: stored on the lines), outgoing deliveries with
        their carriers, products and lots (``_DELIVERIES``), lots
        (``_order_api_sent_lots``), posted invoices and credit notes
        (``_order_api_invoices``). Carriers' names are read in the
        environment's language as the ORM reads them; the tracking link of a
        carrier integration (not a fixed or rule-based carrier) comes from
        the ORM. Returns ``{"headers": {order id: row}, "lines": {order id:
        [rows]}, "deliveries": {order id: [rows]}, "delivery_lines":
        {picking id: [rows]}, "delivery_lots": {picking id: [labels]},
        "sent_lots": {order id: [labels]}, "invoices": {order id: [rows]},
        "tracking_urls": {picking id: url}}``. ``all_languages``: carriers
        named by their translations as one text (``_order_api_objects``)."""
        self.env.flush_all()
        cr = self.env.cr
        lang = None if all_languages else self.env.lang or "en_US"
        order_ids = list(self.ids)
        if headers is None:
            cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE sale_order.id = ANY(%s)",
                    ORDER_API_HEADER_COLUMNS,
                    ORDER_API_HEADER_FROM,
                    order_ids,
                )
            )
            headers = {row["id"]: row for row in cr.dictfetchall()}
        lines = {}
        for row in self._order_api_query(LINES_QUERY, order_ids):
            lines.setdefault(row["order_id"], []).append(row)
        deliveries = {}
        delivery_lines = {}
        delivery_lots = {}
        for row in self._order_api_query(_DELIVERIES, order_ids, lang, lang):
            deliveries.setdefault(row["sale_id"], []).append(row)
            delivery_lines[row["id"]] = row.pop("move_lines") or []
            # a label once, whichever lots bear it
            delivery_lots[row["id"]] = list(dict.fromkeys(row.pop("lot_labels") or []))
        pickings = [row for rows in deliveries.values() for row in rows]
        return {
            "headers": headers,
            "lines": lines,
            "deliveries": deliveries,
            "delivery_lines": delivery_lines,
            "delivery_lots": delivery_lots,
            "sent_lots": self._order_api_sent_lots(),
            "invoices": self._order_api_invoices(),
            "tracking_urls": self._order_api_tracking_urls(pickings),
            "qty_digits": self.env["decimal.precision"].precision_get(
                "Product Unit of Measure"
            ),
        }

    def _order_api_invoices(self):
        """{order id: [rows]}: the posted customer invoices and credit notes
        of the orders of ``self`` (their ``invoice_ids``: the moves of their
        lines' invoice lines), oldest first, in one query."""
        if not self:
            return {}
        invoices = {}
        for row in self._order_api_query(_INVOICES, list(self.ids)):
            invoices.setdefault(row["order_id"], []).append(row)
        return invoices

    def _order_api_tracking_urls(self, pickings):
        """{picking id: tracking URL} for the deliveries (rows of
        ``_order_api_fetch``) whose carrier is an integration (not a fixed or
        rule-based price: the query builds their link from the carrier's
        ``tracking_url``) and that have a tracking reference: the carrier
        computes the link (Odoo's ``carrier_tracking_url``)."""
        picking_ids = [
            row["id"]
            for row in pickings
            if row["delivery_type"]
            and row["delivery_type"] not in ("fixed", "base_on_rule")
            and row["carrier_tracking_ref"]
        ]
        if not picking_ids:
            return {}
        urls = {}
        for picking in self.env["stock.picking"].sudo().browse(picking_ids):
            url = picking.carrier_tracking_url
            # several parcels: a JSON list of [reference, link] pairs
            links = picking.get_multiple_carrier_tracking()
            if isinstance(links, list):
                url = links[0][1] if links and len(links[0]) > 1 else None
            urls[picking.id] = url or None
        return urls

    def _prepare_order_api_values(self, data, rounded):
        """The order object of this order from ``_order_api_fetch``'s
        ``data``; ``rounded`` rounds an amount in the order's currency."""
        self.ensure_one()
        header = data["headers"][self.id]
        deliveries = data["deliveries"].get(self.id, [])
        line_values = self.env["sale.order.line"]._prepare_order_api_values
        return {
            "biomes_order_id": header["name"],
            "external_order_id": header["external_id"] or None,
            "status": header["status"] or self._order_api_compute_status(),
            "delivery_order_name": deliveries[0]["name"] if deliveries else None,
            "total_cost": rounded(header["amount_total"]),
            "total_tax": rounded(header["amount_tax"]),
            "currency": header["currency"],
            "sent_lots": data["sent_lots"].get(self.id, []),
            "created_at": utc_iso(header["create_date"]),
            "updated_at": utc_iso(header["updated_at"], microseconds=True),
            "note": header["note"] or None,
            "delivery_address": self._prepare_order_api_address_values(header),
            "lines": [
                line_values(
                    line,
                    rounded,
                    cancelled=header["state"] == "cancel",
                    digits=data["qty_digits"],
                )
                for line in data["lines"].get(self.id, [])
            ],
            "tracking": [
                self._prepare_order_api_tracking_values(picking)
                for picking in deliveries
                if picking["state"] == "done"
            ],
            "deliveries": [
                self._prepare_order_api_delivery_values(picking, data)
                for picking in deliveries
            ],
            "invoices": [
                self._prepare_order_api_invoice_values(invoice)
                for invoice in data["invoices"].get(self.id, [])
            ],
        }

    @api.model
    def _prepare_order_api_address_values(self, header):
        return {
            "name": header["ship_name"] or None,
            "street": header["street"] or None,
            "street2": header["street2"] or None,
            "zip": header["zip"] or None,
            "city": header["city"] or None,
            "country_code": header["country_code"] or None,
        }

    @api.model
    def _prepare_order_api_tracking_values(self, picking):
        return {
            "delivery_order_name": picking["name"],
            "carrier": picking["carrier"] or None,
            "tracking_ref": picking["carrier_tracking_ref"] or None,
            "date_done": utc_iso(picking["date_done"]),
        }

    @api.model
    def _prepare_order_api_delivery_values(self, picking, data):
        """One outgoing delivery (a row of ``_order_api_fetch``)."""
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
            "lines": data["delivery_lines"].get(picking["id"], []),
            "lots": data["delivery_lots"].get(picking["id"], []),
        }

    @api.model
    def _prepare_order_api_invoice_values(self, invoice):
        """One posted invoice or credit note (a row of
        ``_order_api_invoices``), its amounts in its own currency."""
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
        }

    @api.model
    def _prepare_order_api_quote_values(self, order, free, external_id, address, note):
        """The quote of ``POST order/quote`` from ``order``, an in-memory
        (``new()``) order that Odoo priced as the order ``POST order`` would
        create: the amounts are read from the same fields, in the same
        rounding, as the order object shows them. ``free``: {product id:
        free quantity or None} (``_free_quantities``); a line is
        ``available`` when its product is not kept in stock or its free
        quantity covers the line."""
        currency = order.currency_id
        order_lines = order.order_line.filtered(lambda line: not line.display_type)
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
                }
            )
        return {
            "external_order_id": external_id or None,
            "total_cost": currency.round(order.amount_total),
            "total_tax": currency.round(order.amount_tax),
            "currency": currency.name,
            "available": all(line["available"] for line in lines),
            "note": note or None,
            "delivery_address": {
                key: address.get(key) or None
                for key in ("name", "street", "street2", "zip", "city", "country_code")
            },
            "lines": lines,
        }


# the outgoing deliveries of the orders (parameters: order ids, language
# twice: NULL for every translation as one text) with their carriers, named
# in that language, and, as JSON columns, what each holds in the order object's
# ``deliveries``: a line per product, in the order of the moves, for a done
# delivery what it shipped (its done moves' quantities), for a cancelled one
# what it was to ship, for an open one what it is to ship (its moves that
# are not cancelled), in the unit of the order line, each with the EAN its
# move stored when it was made (``stock_move.py``: as shipped); and the lots that left
# in a done delivery (none for the others: reservations change until then),
# a kit's barcode in place of its lot name as in ``sent_lots``. Set-based:
# the moves and move lines of all the deliveries in one pass each.
_DELIVERIES = """
    WITH picks AS (
        SELECT picking.id, picking.sale_id, picking.name, picking.state,
               picking.carrier_tracking_ref, picking.date_done,
               picking.scheduled_date, picking.carrier_id
          FROM stock_picking picking
          JOIN stock_picking_type type ON type.id = picking.picking_type_id
         WHERE picking.sale_id = ANY(%s) AND type.code = 'outgoing'
    ), moves AS (
        SELECT m.picking_id,
               json_agg(json_build_object('ean', m.barcode, 'quantity', m.quantity)
                        ORDER BY m.first_move) AS move_lines
          FROM (SELECT move.picking_id, NULLIF(move.order_api_ean, '') AS barcode,
                       MIN(move.id) AS first_move,
                       SUM(CASE WHEN picks.state = 'done'
                                THEN CASE WHEN move.state = 'done'
                                          THEN move.quantity ELSE 0 END
                                WHEN picks.state = 'cancel' OR move.state <> 'cancel'
                                THEN move.product_uom_qty
                                ELSE 0 END) AS quantity
                  FROM picks
                  JOIN stock_move move ON move.picking_id = picks.id
              GROUP BY move.picking_id, move.product_id, move.order_api_ean) m
         WHERE m.quantity > 0
      GROUP BY m.picking_id
    ), lots AS (
        SELECT l.picking_id,
               json_agg(l.label ORDER BY l.first_line, l.lot_id) AS lot_labels
          FROM (SELECT sml.picking_id,
                       COALESCE(NULLIF(lot.kit_barcode, ''), lot.name) AS label,
                       MIN(sml.id) AS first_line, lot.id AS lot_id
                  FROM picks
                  JOIN stock_move_line sml ON sml.picking_id = picks.id
                  JOIN stock_lot lot ON lot.id = sml.lot_id
                 WHERE sml.state = 'done' AND picks.state = 'done'
              GROUP BY sml.picking_id, lot.id, lot.kit_barcode, lot.name) l
      GROUP BY l.picking_id
    )
    SELECT picks.sale_id, picks.id, picks.name, picks.state,
           picks.carrier_tracking_ref, picks.date_done,
           picks.scheduled_date, carrier.delivery_type,
           CASE WHEN NULLIF(picks.carrier_tracking_ref, '') IS NULL
                THEN NULL
                ELSE REPLACE(carrier.tracking_url, '<shipmenttrackingnumber>',
                             picks.carrier_tracking_ref)
            END AS tracking_url,
           CASE WHEN %s::text IS NULL THEN carrier.name::text
                ELSE COALESCE(carrier.name->>%s, carrier.name->>'en_US')
            END AS carrier,
           moves.move_lines, lots.lot_labels
      FROM picks
 LEFT JOIN delivery_carrier carrier ON carrier.id = picks.carrier_id
 LEFT JOIN moves ON moves.picking_id = picks.id
 LEFT JOIN lots ON lots.picking_id = picks.id
  ORDER BY picks.id
"""
# sale.order._order_api_sent_lots: (order id, label) of the orders (ids)
_SENT_LOTS = """
    SELECT picking.sale_id,
           COALESCE(NULLIF(lot.kit_barcode, ''), lot.name) AS label
      FROM stock_picking picking
      JOIN stock_move_line sml ON sml.picking_id = picking.id
      JOIN stock_location src ON src.id = sml.location_id
      JOIN stock_location dst ON dst.id = sml.location_dest_id
      JOIN stock_lot lot ON lot.id = sml.lot_id
     WHERE picking.sale_id = ANY(%s)
       AND sml.state = 'done'
       AND (src.usage = 'customer') <> (dst.usage = 'customer')
  GROUP BY picking.sale_id, lot.id, lot.kit_barcode, lot.name
    HAVING SUM(CASE WHEN dst.usage = 'customer' THEN sml.quantity
                    ELSE -sml.quantity END) > 0
  ORDER BY picking.sale_id, MIN(sml.id), lot.id
"""
# sale.order._order_api_invoices: the posted invoices of the orders (ids)
_INVOICES = """
    SELECT DISTINCT sol.order_id, move.id, move.name, move.move_type,
           move.state, move.payment_state, move.invoice_date,
           move.invoice_date_due, move.amount_total,
           move.amount_residual, currency.name AS currency,
           currency.rounding
      FROM sale_order_line sol
      JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
      JOIN account_move_line aml ON aml.id = rel.invoice_line_id
      JOIN account_move move ON move.id = aml.move_id
 LEFT JOIN res_currency currency ON currency.id = move.currency_id
     WHERE sol.order_id = ANY(%s)
       AND move.move_type IN ('out_invoice', 'out_refund')
       AND move.state = 'posted'
  ORDER BY sol.order_id, move.invoice_date, move.id
"""
# what the order object shows of the order, its currency and delivery address:
# the columns (``id`` first) and the tables, on ``sale_order`` by its name (a
# WHERE clause the ORM compiled applies as it is)
ORDER_API_HEADER_COLUMNS = SQL(
    """
    sale_order.id, sale_order.name, sale_order.order_api_external_id AS external_id,
    sale_order.order_api_status AS status, sale_order.order_api_note AS note,
    sale_order.state, sale_order.order_api_updated_at AS updated_at, sale_order.create_date,
    sale_order.amount_total, sale_order.amount_tax, currency.name AS currency,
    currency.rounding, ship.name AS ship_name, ship.street,
    ship.street2, ship.zip, ship.city, country.code AS country_code
    """
)
ORDER_API_HEADER_FROM = SQL(
    """
    sale_order
    LEFT JOIN res_currency currency ON currency.id = sale_order.currency_id
    LEFT JOIN res_partner ship ON ship.id = sale_order.partner_shipping_id
    LEFT JOIN res_country country ON country.id = ship.country_id
    """
)


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


def utc_iso(value, microseconds=False):
    """A naive UTC datetime (as Odoo stores them) in ISO 8601 with ``Z``."""
    if not value:
        return None
    if not microseconds:
        value = value.replace(microsecond=0)
    return value.isoformat(timespec="microseconds" if microseconds else "seconds") + "Z"
