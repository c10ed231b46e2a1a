# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a partner reads and cancels: ``GET available_products``, ``GET
orders``, ``GET order_status``, ``POST order/cancel`` (and the idempotent
run the writing routes share). Confinement: ``_orders_where``."""

import datetime
import logging
import math

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib import errors
from ..lib.json_text import RawJSON
from .sale_order import ORDER_API_STATES
from .sale_order_object import ORDER_API_HEADER_COLUMNS, ORDER_API_HEADER_FROM, utc_iso

_logger = logging.getLogger(__name__)

SYNC_SAFETY_WINDOW = 120  # seconds; see _list_orders
ORDER_STATES = ORDER_API_STATES  # see sale.order._order_api_partner_domain
# what _orders_where and _list_orders compare in SQL
_ORDER_SEARCH_FIELDS = [
    "name",
    "order_api_owner_id",
    "state",
    "company_id",
    "create_date",
    "order_api_external_id",
    "order_api_status",
    "order_api_updated_at",
]
ORDER_SORTS = {
    "created_desc": ("create_date", "DESC"),
    "created_asc": ("create_date", "ASC"),
    "updated_asc": ("order_api_updated_at", "ASC"),
}


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
        caller = self.env["partner.order.api.caller"]
        if partner_sudo.id == caller._partner_id() and not caller._has_products():
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

    def _orders_where(self):
        """The SQL condition (on ``sale_order``) of the orders the partner
        may read through the API, searched elevated: the partner's orders as
        ``sale.order._order_api_partner_domain`` defines them for the API
        and the portal alike (those it owns, sent, confirmed or cancelled),
        in the caller's API company (the request's only company: see
        ``partner.order.api.caller._company``), compiled by the ORM."""
        self.env["sale.order"].flush_model(_ORDER_SEARCH_FIELDS)
        SaleOrder = self.env["sale.order"].sudo().with_context(active_test=False)
        domain = SaleOrder._order_api_partner_domain(
            self.env["partner.order.api.caller"]._partner_id()
        )
        query = SaleOrder._search(
            [*domain, ("company_id", "in", self.env.companies.ids)]
        )
        return query.where_clause

    def _list_orders(self, page, page_size, filters=None):
        """A page of the partner's orders with the pagination.

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
        COUNT in the same statement as the page.
        """
        filters = filters or {"sort": "created_desc"}
        safe_limit = fields.Datetime.now() - datetime.timedelta(
            seconds=SYNC_SAFETY_WINDOW
        )
        self.env["partner.order.api.caller"]._partner_sudo()  # enabled?
        conditions = [self._orders_where()]
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
        where = SQL(" AND ").join(conditions)
        if len(conditions) == 1:
            # no filter: the count is kept per owner, company and state
            count = self.env["partner.order.api.order.tally"]._count_sql(
                [self.env["partner.order.api.caller"]._partner_id()],
                ORDER_STATES,
                self.env.companies.ids,
            )
        else:
            count = SQL("SELECT COUNT(*) FROM sale_order WHERE %s", where)
        sort_field, direction = ORDER_SORTS[filters["sort"]]
        cr = self.env.cr
        # the page and what the order objects show of the orders themselves,
        # in one statement: the page is chosen first, on sale_order alone (its
        # sort index and LIMIT, whatever the partner's history), then joined
        # to the currency and the delivery address
        cr.execute(
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
        rows = cr.dictfetchall()
        if rows:
            total_count = int(rows[0]["total_count"])
        else:  # beyond the last page
            cr.execute(count)
            total_count = int(cr.fetchone()[0])
        total_pages = math.ceil(total_count / page_size)
        pagination = {
            "page": page,
            "page_size": page_size,
            "total_count": total_count,
            "total_pages": total_pages,
            "has_next": page < total_pages,
            "has_previous": page > 1 and total_count > 0,
        }
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
        texts = orders._order_api_json({row["id"]: row for row in rows})
        return {
            "orders": RawJSON(b"[" + b",".join(texts) + b"]"),
            "pagination": pagination,
        }

    def _find_order(self, identified_by, order_id):
        """The partner's order (in sudo), or NotFound: another partner's
        order is answered exactly like one that does not exist."""
        field = "name" if identified_by == "biomes" else "order_api_external_id"
        self.env.cr.execute(
            SQL(
                "SELECT sale_order.id FROM sale_order WHERE %s = %s AND %s "
                "ORDER BY sale_order.id DESC LIMIT 1",
                SQL.identifier("sale_order", field),
                order_id,
                self._orders_where(),
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            raise errors.NotFound(f"No order with {identified_by} id {order_id!r}.")
        return self.env["sale.order"].sudo().browse(row[0])

    def _run_idempotent(self, idempotency_key, route, data, func):
        """``func()`` -> (payload, status), at most once per partner, API
        company and ``Idempotency-Key``; returns ``((payload, status),
        replayed)``."""
        if idempotency_key is None:
            return func(), False
        partner_sudo = self.env["partner.order.api.caller"]._partner_sudo()
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
        partner_sudo = self.env["partner.order.api.caller"]._partner_sudo()
        order_sudo = self._find_order(identified_by, order_id)
        if order_sudo.order_api_partner_id != partner_sudo:
            raise errors.NotCancellable(
                f"Order {order_sudo.name} was not placed through the Partner "
                "Order API by this partner: only orders placed through the API "
                "can be cancelled through it; ask your sales contact to cancel it."
            )
        if order_sudo.state == "cancel":
            return order_sudo._order_api_serialize()[0]
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
        return order_sudo._order_api_serialize()[0]

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
        self.env["partner.order.api.caller"]._partner_sudo()  # enabled?
        return self._find_order(identified_by, order_id)._order_api_serialize()[0]
