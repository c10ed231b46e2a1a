# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order object: what a partner's order looks like to it, and how it
is read. One model, ``partner.order.api.order.reader``, the one way every
read of an order goes:

- which orders a partner reads: ``_where`` (the whole confinement, compiled
  from ``sale.order._order_api_partner_domain``), a page of them
  (``_page``: ``GET orders``) and one of them (``_find``: ``order_status``,
  ``order/cancel``, ``order/document``);
- what the object shows, read in a fixed number of statements whatever the
  number of orders (``_fetch``: the statements below and ``_LINES``), and
  shaped (``order_reader_shape.py``: ``_objects`` and the ``_prepare_*``
  helpers);
- ``_serialize``: the objects as a use case answers them (``order_status``,
  ``order/cancel``, ``POST order``, ``POST orders/batch``, the webhook
  payloads), this transaction's changes settled first; ``GET orders``
  answers the same objects from each worker's cache (``_json``).

One way through: a use case (``partner_order_api_orders*.py``,
``partner_order_api_document.py``, the webhook outbox) checks who is asking
and calls the reader with the caller's commercial partner id; the reader
does not know who is asking, and the companies are the request's
(``self.env.companies``: the caller's API company). When an object changes
is the order record's concern (``sale_order_freshness.py``): it makes the
objects it digests here (``_objects``), and its coverage test
(``tests/test_order_object_coverage.py``) reads the statements of this
file.
"""

import datetime

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import errors
from ..lib.byte_lru import ByteLRU
from ..lib.json_text import RawJSON, json_text
from ..lib.pagination import page_of
from .sale_order import ORDER_API_STATES

SYNC_SAFETY_WINDOW = 120  # seconds; see _page
ORDER_STATES = ORDER_API_STATES  # see sale.order._order_api_partner_domain
# what _where and _page compare in SQL
_ORDER_SEARCH_FIELDS = [
    "name",
    "order_api_owner_id",
    "state",
    "company_id",
    "create_date",
    "order_api_external_id",
    "order_api_status",
    "order_api_updated_at",
    "order_api_test",
]
ORDER_SORTS = {
    "created_desc": ("create_date", "DESC"),
    "created_asc": ("create_date", "ASC"),
    "updated_asc": ("order_api_updated_at", "ASC"),
}
# the bytes of order objects each worker process keeps (``_json``): about
# 10,000 objects of two lines, a few hundred of a hundred lines
OBJECT_CACHE_BYTES = 16 * 1024 * 1024


class PartnerOrderApiOrderReader(models.AbstractModel):
    _name = "partner.order.api.order.reader"
    _description = "Partner Order API: the order object a partner reads"

    # ------------------------------------------------------------------
    # Which orders: the confinement, a page, one order
    # ------------------------------------------------------------------

    @api.model
    def _where(self, partner_id):
        """The SQL condition (on ``sale_order``) of the orders the commercial
        partner ``partner_id`` may read through the API, searched elevated:
        its orders as ``sale.order._order_api_partner_domain`` defines them
        for the API and the portal alike (those it owns, sent, confirmed or
        cancelled), in the request's companies (the caller's one API
        company: see ``partner.order.api.caller._company``),
        compiled by the ORM; in the request key's mode: a test key's test
        orders only, any other key's real orders only
        (``partner.order.api.caller._test_mode``)."""
        self.env["sale.order"].flush_model(_ORDER_SEARCH_FIELDS)
        SaleOrder = self.env["sale.order"].sudo().with_context(active_test=False)
        test = self.env["partner.order.api.caller"]._test_mode()
        domain = SaleOrder._order_api_partner_domain(partner_id, test)
        query = SaleOrder._search(
            [*domain, ("company_id", "in", self.env.companies.ids)]
        )
        return query.where_clause

    @api.model
    def _find(self, partner_id, identified_by, order_id):
        """The order (in sudo) of the commercial partner ``partner_id`` named
        ``order_id`` by its ``identified_by`` (``biomes``: its name;
        ``external``: the partner's id), or NotFound: another partner's order
        is answered exactly like one that does not exist."""
        field = "name" if identified_by == "biomes" else "order_api_external_id"
        self.env.cr.execute(
            SQL(
                "SELECT sale_order.id FROM sale_order WHERE %s = %s AND %s "
                "ORDER BY sale_order.id DESC LIMIT 1",
                SQL.identifier("sale_order", field),
                order_id,
                self._where(partner_id),
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            raise errors.NotFound(f"No order with {identified_by} id {order_id!r}.")
        return self.env["sale.order"].sudo().browse(row[0])

    @api.model
    def _page(self, partner_id, page, page_size, filters=None):
        """A page of the orders of the commercial partner ``partner_id``,
        with the pagination: ``{"orders": RawJSON, "pagination": dict}``.

        ``filters`` (``lib.validation.parse_orders_query``): statuses,
        created_from/created_to and updated_since (all inclusive) and sort.

        Sync: with ``sort=updated_asc`` the pagination also holds
        ``next_updated_since``, the value for the next request (keyset
        paging: page 1 each time). It is the ``updated_at`` of the last order
        returned (inclusive, so that order comes again, and so do orders
        changed in the same microsecond), and never later than now minus a
        safety window: a change whose transaction commits late, after a poll
        already saw later changes, is still returned by the next poll. A
        client that follows it sees every change at least once.

        Without a filter the total count comes from the order tally
        (``partner.order.api.order.tally``, kept by PostgreSQL), so a page
        costs the same whatever the partner's history; with filters it is a
        COUNT in the same statement as the page. The objects come from the
        worker's cache (``_json``), made for the orders it misses.
        """
        filters = filters or {"sort": "created_desc"}
        safe_limit = fields.Datetime.now() - datetime.timedelta(
            seconds=SYNC_SAFETY_WINDOW
        )
        conditions = self._page_conditions(partner_id, filters)
        where = SQL(" AND ").join(conditions)
        count = self._page_count(partner_id, conditions, where)
        rows = self._page_rows(where, count, page, page_size, filters["sort"])
        if rows:
            total_count = int(rows[0]["total_count"])
        else:  # beyond the last page
            self.env.cr.execute(count)
            total_count = int(self.env.cr.fetchone()[0])
        pagination = page_of(page, page_size, total_count)
        if filters["sort"] == "updated_asc":
            last = (
                (rows and rows[-1]["updated_at"])
                or filters.get("updated_since")
                or safe_limit
            )
            pagination["next_updated_since"] = utc_iso(
                min(last, safe_limit), microseconds=True
            )
        orders = self.env["sale.order"].sudo().browse([row["id"] for row in rows])
        texts = self._json(orders, {row["id"]: row for row in rows})
        return {
            "orders": RawJSON(b"[" + b",".join(texts) + b"]"),
            "pagination": pagination,
        }

    @api.model
    def _page_conditions(self, partner_id, filters):
        """[SQL conditions on ``sale_order``] of ``_page``: the confinement
        (``_where``) first, then one per filter given."""
        conditions = [self._where(partner_id)]
        if filters.get("statuses"):
            conditions.append(
                SQL("sale_order.order_api_status IN %s", tuple(filters["statuses"]))
            )
        if filters.get("created_from"):
            conditions.append(
                SQL("sale_order.create_date >= %s", filters["created_from"])
            )
        if filters.get("created_to"):
            conditions.append(
                SQL("sale_order.create_date <= %s", filters["created_to"])
            )
        if filters.get("updated_since"):
            # microseconds kept: a domain would round them away
            conditions.append(
                SQL("sale_order.order_api_updated_at >= %s", filters["updated_since"])
            )
        return conditions

    @api.model
    def _page_count(self, partner_id, conditions, where):
        """The statement counting the orders of ``_page`` (``where``, made
        of ``conditions``): from the order tally without a filter (the
        confinement alone), kept per owner, company and state for real
        orders; a COUNT of ``where`` otherwise (and for test orders)."""
        test = self.env["partner.order.api.caller"]._test_mode()
        if len(conditions) == 1 and not test:
            return self.env["partner.order.api.order.tally"]._count_sql(
                [partner_id], ORDER_STATES, self.env.companies.ids
            )
        return SQL("SELECT COUNT(*) FROM sale_order WHERE %s", where)

    @api.model
    def _page_rows(self, where, count, page, page_size, sort):
        """The rows of page ``page`` of the orders of ``where`` in the order
        ``sort`` (``ORDER_SORTS``): ``ORDER_API_HEADER_COLUMNS`` and
        ``total_count`` (``count``), in one statement: the page is chosen
        first, on sale_order alone (its sort index and LIMIT, whatever the
        partner's history), then joined to the currency and the delivery
        address."""
        sort_field, direction = ORDER_SORTS[sort]
        self.env.cr.execute(
            SQL(
                """
                SELECT page.total_count, %s
                  FROM (SELECT sale_order.id AS page_id, %s AS page_key,
                               (%s) AS total_count
                          FROM sale_order
                         WHERE %s
                      ORDER BY %s %s, sale_order.id %s
                         LIMIT %s OFFSET %s) page,
                       %s
                 WHERE sale_order.id = page.page_id
              ORDER BY page.page_key %s, page.page_id %s
                """,
                ORDER_API_HEADER_COLUMNS,
                SQL.identifier("sale_order", sort_field),
                count,
                where,
                SQL.identifier("sale_order", sort_field),
                SQL(direction),
                SQL(direction),
                page_size,
                (page - 1) * page_size,
                ORDER_API_HEADER_FROM,
                SQL(direction),
                SQL(direction),
            )
        )
        return self.env.cr.dictfetchall()

    # ------------------------------------------------------------------
    # The objects: serialized, cached, read
    # ------------------------------------------------------------------

    @api.model
    def _serialize(self, orders):
        """The contract's order object for every order of ``orders``, in
        order: the one serializer of ``order_status``, ``order/cancel``,
        ``POST order``, ``POST orders/batch`` and the webhook payloads
        (``GET orders`` answers the same objects through ``_json``). Call it
        on orders the caller was allowed to read (``_find``, or created or
        changed by the transaction). The changes of this transaction are
        settled first (``sale.order._order_api_settle``): the objects show
        the ``updated_at`` they will be committed with."""
        if not orders:
            return []
        orders._order_api_settle()
        return self._objects(orders)

    @api.model
    def _json(self, orders, headers):
        """The order objects of ``orders``, in order, as JSON texts (UTF-8).

        ``headers``: the orders' rows of ``ORDER_API_HEADER_COLUMNS``, by
        order id, read in the reader's snapshot. A worker makes an object
        again (``_objects``, for all the missing ones at once) only when its
        key is new: order, ``updated_at`` (new whenever the object changes,
        ``sale_order_freshness.py``) and language. The key is read with the
        data, so a cached object is never older than what the reader's
        transaction sees."""
        cache = _object_cache(self.env.registry)
        lang = self.env.lang or "en_US"
        keys = {
            order_id: (order_id, headers[order_id]["updated_at"], lang)
            for order_id in orders.ids
        }
        texts = {}
        for order_id, key in keys.items():
            text = cache.get(key)
            if text is not None:
                texts[order_id] = text
        missing = orders.browse(
            [order_id for order_id in orders.ids if order_id not in texts]
        )
        if missing:
            objects = self._objects(
                missing, {order_id: headers[order_id] for order_id in missing.ids}
            )
            for order_id, order_object in zip(missing.ids, objects, strict=True):
                text = json_text(order_object)
                cache[keys[order_id]] = text
                texts[order_id] = text
        return [texts[order_id] for order_id in orders.ids]

    @api.model
    def _fetch(self, orders, headers=None, all_languages=False):
        """What the order objects of ``orders`` show, in six queries
        whatever the number of orders (five when the headers are given; one
        more for carrier integrations): orders with their address and
        currency (unless given: ``headers``), lines with their products as
        ordered (``_LINES``: stored on the lines, ``sale_order_line.py``),
        outgoing deliveries with their carriers, products and lots
        (``_DELIVERIES``), lots (``_sent_lots``), posted invoices and credit
        notes (``_invoices``), returns (``_returns``), and one more for
        the deliveries' packages, weights and lots' expiry (``_despatch``,
        ``order_reader_despatch.py``). Carriers' names are
        read in the environment's language as the ORM reads them; the
        tracking link of a carrier integration (not a fixed or rule-based
        carrier) comes from the ORM. Returns ``{"headers": {order id: row},
        "lines": {order id: [rows]}, "deliveries": {order id: [rows]},
        "delivery_lines": {picking id: [rows]}, "delivery_lots": {picking
        id: [labels]}, "sent_lots": {order id: [labels]}, "invoices": {order
        id: [rows]}, "returns": {order id: [rows]}, "despatch": {picking id:
        row}, "tracking_urls":
        {picking id: url}}``. ``all_languages``: carriers
        named by their translations as one text (``_objects``)."""
        self.env.flush_all()
        cr = self.env.cr
        lang = None if all_languages else self.env.lang or "en_US"
        order_ids = list(orders.ids)
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
        for row in self._query(_LINES, order_ids):
            lines.setdefault(row["order_id"], []).append(row)
        deliveries = {}
        delivery_lines = {}
        delivery_lots = {}
        for row in self._query(_DELIVERIES, order_ids, lang, lang):
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
            "sent_lots": self._sent_lots(orders),
            "invoices": self._invoices(orders),
            "returns": self._returns(orders),
            "despatch": self._despatch(order_ids),  # order_reader_despatch.py
            "tracking_urls": self._tracking_urls(pickings),
            "forecasts": self._line_forecasts(order_ids),
            "lang": lang,  # None: every language (carriers' names, shipping)
            "qty_digits": self.env["decimal.precision"].precision_get(
                "Product Unit of Measure"
            ),
        }

    @api.model
    def _query(self, query, *params):
        """The rows of the fixed query ``query`` of the order object (text
        with a ``%s`` per parameter) run with ``params``, as dicts."""
        self.env.cr.execute(SQL(query, *params))
        return self.env.cr.dictfetchall()

    @api.model
    def _sent_lots(self, orders):
        """{order id: [lot labels]}: the lots and serials that left for the
        customer in done moves of the transfers of ``orders``, less those
        that came back through a done return, each once, in the order they
        were first shipped. A lot shows its kit barcode where it has one.
        One query for all the orders, through the transfers' ``sale_id``
        (deliveries and their returns share the order's procurement
        group)."""
        if not orders:
            return {}
        self.env.flush_all()
        result = {order_id: [] for order_id in orders.ids}
        self.env.cr.execute(SQL(_SENT_LOTS, list(orders.ids)))
        for order_id, label in self.env.cr.fetchall():
            if label not in result[order_id]:
                result[order_id].append(label)
        return result

    @api.model
    def _tracking_urls(self, pickings):
        """{picking id: tracking URL} for the deliveries (rows of
        ``_fetch``) whose carrier is an integration (not a fixed or
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


def utc_iso(value, microseconds=False):
    """A naive UTC datetime (as Odoo stores them) in ISO 8601 with ``Z``,
    as the contract writes timestamps."""
    if not value:
        return None
    if not microseconds:
        value = value.replace(microsecond=0)
    return value.isoformat(timespec="microseconds" if microseconds else "seconds") + "Z"


def _object_cache(registry):
    """The order objects' cache of this process for ``registry`` (a new
    registry, after an upgrade, starts a new one): JSON texts,
    ``OBJECT_CACHE_BYTES`` of them at most (``lib.byte_lru``)."""
    cache = registry.__dict__.get("_partner_order_api_objects")
    if cache is None:
        cache = registry.__dict__.setdefault(
            "_partner_order_api_objects", ByteLRU(OBJECT_CACHE_BYTES)
        )
    return cache


# what the order object shows of the order, its currency and delivery address:
# the columns (``id`` first) and the tables, on ``sale_order`` by its name (a
# WHERE clause the ORM compiled applies as it is)
ORDER_API_HEADER_COLUMNS = SQL(
    """
    sale_order.id, sale_order.name, sale_order.order_api_external_id AS external_id,
    sale_order.order_api_status AS status, sale_order.order_api_note AS note,
    sale_order.state, sale_order.order_api_updated_at AS updated_at, sale_order.create_date,
    sale_order.order_api_test AS test,
    sale_order.amount_total, sale_order.amount_tax, currency.name AS currency,
    currency.rounding, ship.name AS ship_name, ship.street,
    ship.street2, ship.zip, ship.city, country.code AS country_code,
    sale_order.commitment_date, sale_order.picking_policy,
    ship.company_name AS ship_company_name, ship.phone AS ship_phone,
    ship.email AS ship_email, ship_state.code AS ship_state_code,
    ship_carrier.order_api_code AS ship_carrier_code,
    ship_carrier.name AS ship_carrier_names,
    (SELECT SUM(dl.price_subtotal) FROM sale_order_line dl
      WHERE dl.order_id = sale_order.id AND dl.is_delivery) AS shipping_price
    """
)
ORDER_API_HEADER_FROM = SQL(
    """
    sale_order
    LEFT JOIN res_currency currency ON currency.id = sale_order.currency_id
    LEFT JOIN res_partner ship ON ship.id = sale_order.partner_shipping_id
    LEFT JOIN res_country country ON country.id = ship.country_id
    LEFT JOIN res_country_state ship_state ON ship_state.id = ship.state_id
    LEFT JOIN delivery_carrier ship_carrier ON ship_carrier.id = sale_order.carrier_id
    """
)
# the lines of the orders (parameter: order ids), as they were ordered: the
# product's name, EAN and internal reference stored on each line
# (``sale_order_line.py``), never the product as it is now; the partner's
# products only: a carrier's delivery line is the header's ``shipping_price``
_LINES = """
    SELECT sol.order_id, sol.id, sol.name, sol.product_uom_qty,
           sol.qty_delivered, sol.price_reduce_taxexcl, sol.price_subtotal,
           sol.order_api_product_name AS product_name,
           sol.order_api_ean AS barcode,
           sol.order_api_default_code AS default_code,
           sol.order_api_customer_reference AS customer_reference
      FROM sale_order_line sol
     WHERE sol.order_id = ANY(%s) AND sol.display_type IS NULL
       AND sol.is_delivery IS NOT TRUE
  ORDER BY sol.order_id, sol.sequence, sol.id
"""

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
               json_agg(json_build_object('ean', m.barcode, 'quantity', m.quantity,
                        'product_id', m.product_id) ORDER BY m.first_move) AS move_lines
          FROM (SELECT move.picking_id, move.product_id, NULLIF(move.order_api_ean, '') AS barcode,
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
# _sent_lots: (order id, label) of the orders (ids)
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
