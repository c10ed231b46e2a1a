# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The use cases of the Partner Order API.

Controllers parse and answer; this service holds the rules. It runs in the
environment of the user whose API key authenticated the request. A partner
sees exactly the orders of ``_orders_where``: those it owns (placed by its
contacts), in the caller's API company (``_caller_company``; README,
"Several companies"), once sent or confirmed. That domain is searched
elevated and is the whole confinement: Odoo's follower-based portal rule
would also open other customers' orders the partner was made to follow, and
costs a scan of every followed order on each request (see the README,
"Performance and limits"). What a portal user may
not do itself (create and confirm the order, create the delivery contact) is
done in ``_create_order_sudo`` only, after the caller and its input were
checked.
"""

import datetime
import hashlib
import logging
import math
import re
import time
import uuid

import psycopg2.errors
from markupsafe import Markup

from odoo import Command, _, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import SQL

from odoo.addons.base.models.res_users import INDEX_SIZE

from ..error_handlers import logged_api_error
from ..lib import errors
from ..lib.json_text import RawJSON
from .partner_order_api_rate_limit import AUTH_BLOCKED_MESSAGE
from .sale_order import ORDER_API_STATES
from .sale_order_object import ORDER_API_HEADER_COLUMNS, ORDER_API_HEADER_FROM, utc_iso

_logger = logging.getLogger(__name__)

API_KEY_SCOPE = "partner_order_api"
API_KEY_SCOPE_READONLY = "partner_order_api.readonly"
SYNC_SAFETY_WINDOW = 120  # seconds; see _list_orders
KEY_CACHE_SECONDS = 60  # how long a verified key is remembered; see _verified_key
_UNCERTAIN = object()  # see _check_key
_FORGET_KEYS = "partner_order_api.forget_verified_keys"
_BEARER_RE = re.compile(r"^[Bb][Ee][Aa][Rr][Ee][Rr] +([\x21-\x7e]{1,512})$")
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
# read with the partner on every request (see _caller)
_PARTNER_SWITCHES = ("order_api_enabled", "order_api_rate_limit_per_minute")
_SWITCHES_AT = 4  # where _caller_facts holds them
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


class _NotCached(Exception):
    """Raised through ``_verified_key``'s ormcache, which stores no
    exception: ``verified`` is what ``_authenticate`` answers (None: the key
    is refused); ``checked``: whether a stored key shares its prefix (Odoo
    ran its pbkdf2 check, which the failure budget bounds)."""

    def __init__(self, verified=None, checked=True):
        super().__init__()
        self.verified = verified
        self.checked = checked


def _is_live(verified):
    expires_at = verified[2]
    return expires_at is None or expires_at > time.time()


class PartnerOrderApiService(models.AbstractModel):
    _name = "partner.order.api.service"
    _description = "Partner Order API: use cases"

    # ------------------------------------------------------------------
    # Who is asking
    # ------------------------------------------------------------------

    @api.model
    def _authenticate(self, authorization, address=None):
        """``(uid, read_only)`` for the active user owning the bearer key of
        ``authorization``, sent from the client address ``address``.

        Keys scoped to this API and global (unscoped) keys open everything,
        keys scoped ``partner_order_api.readonly`` the GET routes only;
        revoked, expired and inactive users' keys are refused (401). Each
        refused key whose prefix matches a stored key counts against the
        failure budget of that prefix from ``address``; while it is spent,
        such keys from there are not checked (429). The key itself is never
        logged.
        """
        if not authorization:
            raise errors.Unauthorized(
                "Missing Authorization header: send 'Authorization: Bearer <key>'."
            )
        match = _BEARER_RE.match(authorization.strip())
        if not match:
            raise errors.Unauthorized(
                "The Authorization header must be 'Bearer <key>'."
            )
        key = match.group(1)
        digest = hashlib.sha256(key.encode()).hexdigest()
        window = int(time.time() // KEY_CACHE_SECONDS)
        # read BEFORE the key is checked (see _verified_key)
        generation = self.env.registry.cache_sequences.get("default")
        checked = True
        try:
            verified = self._verified_key(digest, window, generation, key, address)
        except _NotCached as not_cached:
            verified, checked = not_cached.verified, not_cached.checked
        if verified and _is_live(verified):
            return verified[:2]
        Buckets = self.env["partner.order.api.rate.bucket"].sudo()
        if verified:  # remembered, and expired since
            blocked_for = Buckets._auth_blocked_for(address, key)
            if blocked_for:
                raise errors.RateLimited(blocked_for, AUTH_BLOCKED_MESSAGE)
        if checked:
            Buckets._count_auth_failure(address, key)
        raise errors.Unauthorized("The API key is unknown, revoked or expired.")

    @api.model
    @tools.ormcache("digest", "window", "generation")
    def _verified_key(self, digest, window, generation, key, address):
        """``(uid, read_only, expires_at)`` of a valid key (``expires_at``: a
        POSIX timestamp, or None for a key that does not expire).

        Odoo hashes API keys with pbkdf2 (milliseconds of CPU a check), so a
        verified key is remembered in this process, by a SHA-256 of the key
        (never the key), in Odoo's ORM cache. Only valid keys are: an
        unknown key raises ``_NotCached`` (ormcache stores no exception), so
        random bearer tokens cannot evict other entries of the cache.

        An entry lives at most KEY_CACHE_SECONDS (``window``), and
        ``_authenticate`` compares its expiry on every hit. Revoking a key,
        changing it, or deactivating or deleting a user invalidates the ORM
        cache of every worker after the commit (``_forget_verified_keys``):
        that moves ``generation``, the registry's sequence of the "default"
        cache, which ``_authenticate`` read before calling. The key is
        checked on a cursor of its own opened after that read, on the
        primary: a check whose snapshot predates a revocation is stored
        under the old generation, which no later request looks up.

        A key whose prefix (Odoo's key index) matches no stored key is
        refused at once, uncounted: it costs no pbkdf2 check. Before the
        check of any other, a prefix whose failure budget from ``address``
        is spent is answered 429: a stream of invalid keys costs no pbkdf2
        check, and other keys from the same address are not held back.
        """
        registry = self.env.registry
        Buckets = self.env["partner.order.api.rate.bucket"].sudo()
        # read on the request's cursor before the key's own one is opened (a
        # test cursor opened inside another one may not be used first)
        failure_limit = Buckets._auth_failure_limit()
        # (a test cursor cannot open a read/write cursor inside a read-only one)
        readonly = registry.in_test_mode() and self.env.cr.readonly
        with registry.cursor(readonly=readonly) as cr:
            cr.execute(
                "SELECT 1 FROM res_users_apikeys WHERE index = %s LIMIT 1",
                [key[:INDEX_SIZE]],
            )
            known = bool(cr.fetchone())
            blocked_for = known and Buckets._auth_blocked_for(
                address, key, failure_limit
            )
            if known and not blocked_for:
                verified = self.env(cr=cr, su=True)[self._name]._check_key(key)
        if not known:
            raise _NotCached(None, checked=False)
        if blocked_for:
            raise errors.RateLimited(blocked_for, AUTH_BLOCKED_MESSAGE)
        if verified is None or verified[2] is _UNCERTAIN:
            # refused, or accepted for this request only
            raise _NotCached(verified and (*verified[:2], None))
        return verified

    @api.model
    def _check_key(self, key):
        """``(uid, read_only, expires_at)`` of a valid key, else None: Odoo's
        own check (``res.users.apikeys._check_credentials``), and the expiry
        of the key it matched."""
        Keys = self.env["res.users.apikeys"]
        for scope in (API_KEY_SCOPE, API_KEY_SCOPE_READONLY):
            uid = Keys._check_credentials(scope=scope, key=key)
            if uid:
                break
        else:
            return None
        read_only = scope == API_KEY_SCOPE_READONLY
        # the key's row: its user, its index, a scope it was accepted with
        # and not expired; two such rows of one user share an index once in
        # 4 billion keys: then nothing is remembered
        self.env.cr.execute(
            SQL(
                """
                SELECT expiration_date
                  FROM res_users_apikeys
                 WHERE user_id = %s
                   AND index = %s
                   AND (scope IS NULL OR scope = %s)
                   AND (expiration_date IS NULL
                        OR expiration_date >= now() AT TIME ZONE 'utc')
                """,
                uid,
                key[:INDEX_SIZE],
                scope,
            )
        )
        rows = self.env.cr.fetchall()
        if len(rows) != 1:
            return uid, read_only, _UNCERTAIN
        expiration = rows[0][0]
        if expiration is None:
            return uid, read_only, None
        return (
            uid,
            read_only,
            expiration.replace(tzinfo=datetime.UTC).timestamp(),
        )

    @api.model
    def _forget_verified_keys(self):
        """Every worker forgets the keys it verified, once the current
        transaction commits, and what they remember of callers
        (``_caller_facts``): called when keys are revoked or changed, when
        users are deactivated, deleted or given another partner or company,
        when a partner's API switches or allowed products change, and when a
        partner above a user's contact moves.

        Before the commit the local cache is cleared and marked for
        signalling (so that a simulated commit, in tests, signals it too);
        after the commit it is cleared again, and signalled to the other
        workers through the database at once (Odoo's request and cron
        runners signal after the post-commit hooks; a script or shell that
        commits does not). A request that verified the key on a snapshot
        older than the commit stored it under the previous generation (see
        ``_verified_key``).
        """
        cr = self.env.cr
        registry = self.env.registry

        def forget_after_commit():
            registry.clear_cache()
            if registry.ready:
                registry.signal_changes()

        if not cr.precommit.data.get(_FORGET_KEYS):
            cr.precommit.data[_FORGET_KEYS] = True
            cr.precommit.add(registry.clear_cache)
        if not cr.postcommit.data.get(_FORGET_KEYS):
            cr.postcommit.data[_FORGET_KEYS] = True
            cr.postcommit.add(forget_after_commit)

    def _caller(self):
        """The id of the commercial partner of the calling user
        (``env.uid``): its contacts' orders are the partner's (see
        ``sale.order._order_api_partner_domain``). A subsidiary that is a
        company of its own is a commercial entity of its own: its orders are
        not the parent's.

        Every request asks, so the answer costs no query once a worker knows
        it (``_caller_facts``); the partner's API switches go to the ORM
        cache with it. It is remembered on the HTTP request object too, for
        this uid only. It is never read from the context nor from anything
        else a client can send: the context is client input on Odoo's RPC
        routes."""
        memo = getattr(request, "_order_api_caller", None) if request else None
        if memo and memo[0] == self.env.uid:
            return memo[1]
        facts = self._caller_facts_now()
        partner_sudo = self.env["res.partner"].sudo().browse(facts[0])
        for name, value in zip(_PARTNER_SWITCHES, facts[_SWITCHES_AT:], strict=True):
            self._order_api_cache(partner_sudo, name, value)
        if request:
            request._order_api_caller = (self.env.uid, facts[0])
        return facts[0]

    def _caller_company(self):
        """The caller's API company (``res.company``, sudo): the one company
        its orders belong to and every request of it works in (README,
        "Several companies"). It is the company of the caller's partner when
        the partner is restricted to one (``res.partner.company_id``), the
        user's default company (``res.users.company_id``) otherwise. A user
        not allowed in its partner's company works in its default company,
        where ``_partner_sudo`` refuses it (403 naming the partner's
        company). Read, like the partner, from ``_caller_facts``: never from
        the context."""
        company_id = self._caller_facts_now()[1]
        return self.env["res.company"].sudo().browse(company_id)

    def _caller_facts_now(self):
        """``_caller_facts`` of the calling user, as this worker remembers
        them now."""
        window = int(time.time() // KEY_CACHE_SECONDS)
        # read BEFORE the facts are (see _verified_key)
        generation = self.env.registry.cache_sequences.get("default")
        return self._caller_facts(self.env.uid, window, generation)

    def _caller_has_products(self):
        """Whether the caller's partner has allowed products (its rows of
        the relation, whatever the products' state), as ``_caller_facts``
        remember it."""
        return self._caller_facts_now()[3]

    @api.model
    @tools.ormcache("uid", "window", "generation")
    def _caller_facts(self, uid, window, generation):
        """``(commercial partner id, API company id, the partner's company
        the user may not act in or None, whether the partner has allowed
        products, *the partner's _PARTNER_SWITCHES)`` of the user ``uid``
        (the API company: see ``_caller_company``), remembered by this worker
        as verified keys are (``_verified_key``): at most KEY_CACHE_SECONDS
        (``window``), and forgotten by every worker once a change to them
        commits (``_forget_verified_keys``: the switches and the company of a
        partner, a partner moved in the tree of a user's contact, the
        partner, default company and allowed companies of a user, products
        allowed to a partner; see res.partner's, res.users' and
        product.product's ``write``). Read on a cursor of its own, on the
        primary: a lagging replica cannot bring back what a change made the
        workers forget."""
        self.env["res.users"].flush_model(["partner_id", "company_id", "company_ids"])
        self.env["res.partner"].flush_model(
            ["parent_id", "commercial_partner_id", "company_id", *_PARTNER_SWITCHES]
        )
        registry = self.env.registry
        # (a test cursor cannot open a read/write cursor inside a read-only one)
        readonly = registry.in_test_mode() and self.env.cr.readonly
        with registry.cursor(readonly=readonly) as cr:
            cr.execute(
                SQL(
                    """
                    SELECT company.id,
                           CASE WHEN bound.refused THEN usr.company_id
                                ELSE COALESCE(company.company_id, usr.company_id) END,
                           CASE WHEN bound.refused THEN company.company_id END,
                           EXISTS (SELECT 1 FROM res_partner_order_api_product_rel rel
                                    WHERE rel.partner_id = company.id),
                           %s
                      FROM res_users usr
                      JOIN res_partner contact ON contact.id = usr.partner_id
                      JOIN res_partner company
                        ON company.id = COALESCE(contact.commercial_partner_id, contact.id)
                     CROSS JOIN LATERAL (
                           SELECT company.company_id IS NOT NULL AND NOT EXISTS (
                                  SELECT 1 FROM res_company_users_rel allowed
                                   WHERE allowed.user_id = usr.id
                                     AND allowed.cid = company.company_id) AS refused
                           ) bound
                     WHERE usr.id = %s
                    """,
                    SQL(", ").join(
                        SQL.identifier("company", name) for name in _PARTNER_SWITCHES
                    ),
                    uid,
                )
            )
            row = cr.fetchone()
        if not row:
            raise errors.Forbidden()
        return tuple(row)

    @api.model
    def _order_api_cache(self, record, name, value):
        """Put a value read by SQL into the ORM cache, unless it holds one."""
        field = record._fields[name]
        self.env.cache.insert_missing(
            record, field, [field.convert_to_cache(value, record)]
        )

    def _partner_sudo(self):
        """The commercial partner of the calling user, checked to be enabled."""
        partner_sudo = self.env["res.partner"].sudo().browse(self._caller())
        if not partner_sudo.order_api_enabled:
            raise errors.Forbidden()
        refused_company_id = self._caller_facts_now()[2]
        if refused_company_id:
            company = self.env["res.company"].sudo().browse(refused_company_id)
            raise errors.Forbidden(
                f"This partner is a customer of {company.name} only, and this "
                f"user may not work in {company.name}: ask the seller to allow "
                "it there."
            )
        return partner_sudo

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

    def _orders_where(self):
        """The SQL condition (on ``sale_order``) of the orders the partner
        may read through the API, searched elevated: the partner's orders as
        ``sale.order._order_api_partner_domain`` defines them for the API
        and the portal alike (those it owns, sent, confirmed or cancelled),
        in the caller's API company (the request's only company: see
        ``_caller_company``), compiled by the ORM."""
        self.env["sale.order"].flush_model(_ORDER_SEARCH_FIELDS)
        SaleOrder = self.env["sale.order"].sudo().with_context(active_test=False)
        domain = SaleOrder._order_api_partner_domain(self._caller())
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
        self._partner_sudo()  # enabled?
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
                [self._caller()], ORDER_STATES, self.env.companies.ids
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
        self._partner_sudo()  # enabled?
        return self._find_order(identified_by, order_id)._order_api_serialize()[0]

    # ------------------------------------------------------------------
    # POST order
    # ------------------------------------------------------------------

    def _create_order(self, payload):
        """Create and confirm the order described by a parsed body
        (``lib.validation.parse_order_payload``) and return its order object."""
        return self._create_order_record(payload)._order_api_serialize()[0]

    def _create_order_record(self, payload, committed=None):
        """The order of ``_create_order``, created and confirmed (in sudo).
        ``committed``: see ``_check_external_id_free``."""
        partner_sudo, lines, country = self._order_input(payload)
        external_id = payload["external_order_id"]
        if external_id:
            self._check_external_id_free(partner_sudo, external_id, committed)
        return self._create_order_sudo(
            partner_sudo,
            lines,
            payload["delivery_address"],
            country,
            external_id,
            payload.get("note"),
        )

    def _order_input(self, payload):
        """``(partner_sudo, [(product, amount)], country)`` of a parsed order
        body, checked as ``POST order`` checks it: 403 ``forbidden`` for a
        partner not enabled, 403 ``product_not_allowed`` for an EAN unknown or
        not allowed, 400 for a country Odoo does not have, then 409
        ``not_configured`` for an API company not set up for the order
        (``partner.order.api.company.setup``)."""
        partner_sudo = self._partner_sudo()
        allowed = self._allowed_products_sudo(partner_sudo)
        by_ean = {}
        for product in allowed.sorted("id"):
            by_ean.setdefault(product.barcode, product)
        lines = []
        for line in payload["lines"]:
            product = by_ean.get(line["ean"])
            if not product:
                # Unknown and not allowed answer alike: the catalogue does not leak.
                raise errors.ProductNotAllowed(
                    f"EAN {line['ean']} is unknown or not allowed for this partner."
                )
            lines.append((product, line["amount"]))
        address = payload["delivery_address"]
        country = (
            self.env["res.country"]
            .sudo()
            .search([("code", "=", address["country_code"])], limit=1)
        )
        if not country:
            raise errors.ValidationError.from_details(
                [
                    {
                        "field": "delivery_address.country_code",
                        "message": f"Unknown country code {address['country_code']!r}.",
                    }
                ]
            )
        # the seller's setup (409 not_configured), before anything is written
        self.env["partner.order.api.company.setup"]._check_order_setup(partner_sudo)
        return partner_sudo, lines, country

    def _check_external_id_free(self, partner_sudo, external_id, committed=None):
        """409 when the partner already used ``external_id``, decided before
        the INSERT ever meets the unique index: a failed INSERT is logged by
        PostgreSQL and by Odoo as an ERROR ("bad query"), for what is only a
        client's duplicate. Requests with the same external id queue on a
        transaction-scoped advisory lock (``_lock_external_ids``); the one
        that holds it looks for the order in its own snapshot, then in a
        fresh one (``_external_ids_used``).

        ``committed``: the caller took the lock and made the fresh check
        already (``POST orders/batch``, for all its orders at once): the
        external ids found then; only this transaction's snapshot is looked
        at again (it holds the orders the caller created since)."""
        if committed is None:
            self._lock_external_ids(partner_sudo, [external_id])
            used = self._external_ids_used(partner_sudo, [external_id])
        else:
            used = committed | self._external_ids_used(
                partner_sudo, [external_id], fresh=False
            )
        if external_id in used:
            raise errors.DuplicateExternalOrderId(
                f"external_order_id {external_id!r} is already used by this partner."
            )

    @api.model
    def _external_id_lock_key(self, partner_sudo, external_id):
        company_id = self.env.company.id
        digest = hashlib.sha256(
            f"partner_order_api:external:{partner_sudo.id}:{company_id}:{external_id}".encode()
        ).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    def _lock_external_ids(self, partner_sudo, external_ids):
        """Take the transaction-scoped advisory locks of the partner's
        ``external_ids``, in one fixed order (two batches sharing external
        ids wait for each other, they never deadlock)."""
        keys = sorted(
            {self._external_id_lock_key(partner_sudo, eid) for eid in external_ids}
        )
        if keys:
            self.env.cr.execute(
                SQL(
                    "SELECT pg_advisory_xact_lock(key) "
                    "FROM unnest(%s::bigint[]) WITH ORDINALITY AS k(key, n) ORDER BY n",
                    keys,
                )
            )
            self.env.cr.fetchall()

    def _external_ids_used(self, partner_sudo, external_ids, fresh=True):
        """The set of ``external_ids`` the partner already used in the API
        company (unique per partner and company, as the orders it can read
        are): in this transaction's snapshot, then (``fresh``) in a new
        transaction, which sees what a request that held the lock before
        committed."""
        self.env["sale.order"].flush_model(
            ["order_api_partner_id", "company_id", "order_api_external_id"]
        )
        query = SQL(
            "SELECT order_api_external_id FROM sale_order "
            "WHERE order_api_partner_id = %s AND company_id = %s"
            " AND order_api_external_id = ANY(%s)",
            partner_sudo.id,
            self.env.company.id,
            list(external_ids),
        )
        self.env.cr.execute(query)
        used = {row[0] for row in self.env.cr.fetchall()}
        registry = self.env.registry
        if fresh and set(external_ids) - used and not registry.in_test_mode():
            # (a test cursor shares the test's transaction: nothing to add)
            with registry.cursor() as cr_fresh:
                cr_fresh.execute(query)
                used |= {row[0] for row in cr_fresh.fetchall()}
        return used

    def _create_order_sudo(
        self, partner_sudo, lines, address, country, external_id, note=None
    ):
        """The elevated part of ``POST order``: the caller and its input were
        checked; a portal user has no right to create or confirm orders nor
        to create contacts, so this runs as superuser."""
        env_sudo = self.sudo().with_company(self.env.company).env
        shipping = self._delivery_contact_sudo(env_sudo, partner_sudo, address, country)
        vals = self._prepare_order_vals(
            partner_sudo, lines, shipping, external_id, note
        )
        try:
            with env_sudo.cr.savepoint():
                order_sudo = env_sudo["sale.order"].create(vals)
                order_sudo.with_context(
                    order_api_defer_reservation=True
                ).action_confirm()
                order_sudo.picking_ids._order_api_defer_reservation()
                if note:
                    # shown to the salesperson in the order's chatter
                    order_sudo.message_post(
                        body=Markup("<p><b>%s</b></p><p>%s</p>")
                        % (_("Note from the partner (Partner Order API):"), note),
                        message_type="comment",
                        subtype_xmlid="mail.mt_note",
                    )
        except psycopg2.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "sale_order_order_api_external_id_uniq":
                raise
            # A concurrent request with the same external id committed first.
            raise errors.DuplicateExternalOrderId(
                f"external_order_id {external_id!r} is already used by this partner."
            ) from None
        _logger.info(
            "Partner Order API: %s created for partner #%s by user #%s",
            order_sudo.name,
            partner_sudo.id,
            self.env.uid,
        )
        return order_sudo

    def _prepare_order_vals(self, partner_sudo, lines, shipping, external_id, note):
        """The values of the ``sale.order`` of ``POST order`` (and of the
        in-memory order of ``POST order/quote``)."""
        vals = {
            "partner_id": self.env.user.partner_id.id,
            "partner_shipping_id": shipping.id,
            "order_api_partner_id": partner_sudo.id,
            "order_api_external_id": external_id,
            "client_order_ref": external_id,
            "order_api_note": note,
            "company_id": self.env.company.id,
            # the portal's token made now, in the order's own transaction: the
            # partner's first look at the order on the portal would write it
            # otherwise, and race the crons touching the order (reservation)
            "access_token": str(uuid.uuid4()),
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": amount})
                for product, amount in lines
            ],
        }
        Setup = self.env["partner.order.api.company.setup"]
        pricelist = Setup._check_order_setup(partner_sudo)
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        return vals

    def _delivery_contact_sudo(
        self, env_sudo, partner_sudo, address, country, create=True
    ):
        """The delivery contact of ``partner_sudo`` at ``address``: an
        identical existing one is reused, otherwise a new one is created (or,
        without ``create``, made in memory only: ``res.partner.new``)."""
        values = {
            "name": address["name"],
            "street": address["street"],
            "street2": address["street2"] or False,
            "zip": address["zip"],
            "city": address["city"],
            "country_id": country.id,
        }
        domain = [("parent_id", "=", partner_sudo.id), ("type", "=", "delivery")]
        domain += [(field, "=", value) for field, value in values.items()]
        contact = env_sudo["res.partner"].search(domain, order="id", limit=1)
        if not contact:
            values = dict(values, parent_id=partner_sudo.id, type="delivery")
            if create:
                contact = env_sudo["res.partner"].create(values)
            else:
                contact = env_sudo["res.partner"].new(values)
        return contact

    # ------------------------------------------------------------------
    # POST order/quote
    # ------------------------------------------------------------------

    def _quote_order(self, payload):
        """What ``POST order`` would answer for the same parsed body, with
        the same checks and errors (a used ``external_order_id`` included),
        and whether each line's quantity is free in stock now, without
        writing anything: the order, its lines and, when no identical one
        exists, its delivery contact are ``new()`` records that Odoo prices
        (the partner's pricelist, taxes of the fiscal position) as it prices
        the order it creates. It runs on a read-only cursor."""
        partner_sudo, lines, country = self._order_input(payload)
        external_id = payload["external_order_id"]
        if external_id and self._external_ids_used(
            partner_sudo, [external_id], fresh=False
        ):
            raise errors.DuplicateExternalOrderId(
                f"external_order_id {external_id!r} is already used by this partner."
            )
        address = payload["delivery_address"]
        env_sudo = self.sudo().with_company(self.env.company).env
        shipping = self._delivery_contact_sudo(
            env_sudo, partner_sudo, address, country, create=False
        )
        order = env_sudo["sale.order"].new(
            self._prepare_order_vals(
                partner_sudo, lines, shipping, external_id, payload.get("note")
            )
        )
        return self.env["sale.order"]._prepare_order_api_quote_values(
            order,
            self._free_quantities(order.order_line.product_id),
            external_id,
            address,
            payload.get("note"),
        )

    # ------------------------------------------------------------------
    # POST orders/batch
    # ------------------------------------------------------------------

    def _create_orders_batch(self, items):
        """Create the orders of ``POST orders/batch``, each on its own:
        ``items`` holds, in the request's order, a parsed order body
        (``lib.validation.parse_order_payload``) or the ``ValidationError``
        of an invalid one. Returns ``{"results": [{index, status, order |
        error}]}``, ``status`` being what ``POST order`` would have answered
        for that order alone.

        Each order runs in a savepoint of its own: one that fails is rolled
        back (nothing of it stays, the transaction stays usable) and the
        next one goes on. Its error becomes the contract's error object
        through the one map of ``error_handlers``. A concurrency failure
        (serialization, deadlock) is not caught: Odoo rolls the whole request
        back and runs it again, so nothing is created twice.

        External ids are protected as ``POST order`` protects them: the
        advisory locks of every external id of the batch are taken first, in
        one fixed order, then one fresh check finds those already committed;
        each order then looks at its own transaction too, so the second
        order of a batch with the same external id is a 409. The order
        objects are built at the end, all at once (the serializer's fixed
        number of queries)."""
        partner_sudo = self._partner_sudo()  # not enabled: 403 for the request
        external_ids = {
            item["external_order_id"]
            for item in items
            if isinstance(item, dict) and item["external_order_id"]
        }
        committed = set()
        if external_ids:
            self._lock_external_ids(partner_sudo, external_ids)
            committed = self._external_ids_used(partner_sudo, external_ids)
        outcomes = []
        for index, item in enumerate(items):
            try:
                if not isinstance(item, dict):
                    raise item
                with self.env.cr.savepoint():
                    outcomes.append(self._create_order_record(item, committed))
            except Exception as exc:  # pylint: disable=broad-except
                api_error = logged_api_error(exc, f"orders[{index}]")
                if api_error is None:
                    raise  # concurrency: Odoo retries the whole request
                outcomes.append(api_error)
        created = self.env["sale.order"].sudo()
        for outcome in outcomes:
            if not isinstance(outcome, errors.OrderApiError):
                created |= outcome
        objects = dict(zip(created.ids, created._order_api_serialize(), strict=True))
        results = []
        for index, outcome in enumerate(outcomes):
            if isinstance(outcome, errors.OrderApiError):
                results.append(
                    {
                        "index": index,
                        "status": outcome.status,
                        "error": outcome.to_dict()["error"],
                    }
                )
            else:
                results.append(
                    {"index": index, "status": 201, "order": objects[outcome.id]}
                )
        return {"results": results}

    # ------------------------------------------------------------------
    # Webhook management: GET, PUT, DELETE webhook, POST webhook/test,
    # POST webhook/rotate_secret. The settings are per company
    # (company_dependent): these are the API company's, read from the
    # caller's facts, never from the context (the portal's calls carry one of
    # the client's choosing, which sudo does not check).
    # ------------------------------------------------------------------

    def _webhook_partner_sudo(self):
        """The caller's partner (``_partner_sudo``) in its API company."""
        return self._partner_sudo().with_company(self._caller_company())

    def _webhook_info(self, partner_sudo, new_secret=None):
        expiry = partner_sudo.order_api_webhook_previous_secret_expiry
        if not (
            partner_sudo.order_api_webhook_previous_secret
            and expiry
            and expiry > fields.Datetime.now()
        ):
            expiry = None
        info = {
            "url": partner_sudo.order_api_webhook_url or None,
            "signing_secret_set": bool(partner_sudo.order_api_webhook_secret),
            "event_types": partner_sudo._order_api_webhook_event_types(),
            "previous_secret_expires_at": utc_iso(expiry),
        }
        if new_secret:
            # shown once, when it is created; admins can issue a new one
            info["signing_secret"] = new_secret
        return info

    def _get_webhook(self):
        return self._webhook_info(self._webhook_partner_sudo())

    def _set_webhook(self, url, event_types=None):
        """Set the URL and the events it receives (None: all)."""
        partner_sudo = self._webhook_partner_sudo()
        url = self.env["partner.order.api.webhook.event"]._check_url(url)
        had_secret = bool(partner_sudo.order_api_webhook_secret)
        partner_sudo.write(
            {
                "order_api_webhook_url": url,
                "order_api_webhook_event_types": partner_sudo._order_api_event_types_value(
                    event_types
                ),
            }
        )
        secret = partner_sudo._order_api_webhook_secret()
        return self._webhook_info(
            partner_sudo, new_secret=None if had_secret else secret
        )

    def _rotate_webhook_secret(self):
        """A new signing secret, answered once; the previous one keeps
        signing webhooks beside it for 24 hours."""
        partner_sudo = self._webhook_partner_sudo()
        partner_sudo._order_api_rotate_webhook_secret()
        return self._webhook_info(
            partner_sudo, new_secret=partner_sudo.order_api_webhook_secret
        )

    def _delete_webhook(self):
        partner_sudo = self._webhook_partner_sudo()
        partner_sudo.order_api_webhook_url = False
        return self._webhook_info(partner_sudo)

    def _test_webhook(self):
        partner_sudo = self._webhook_partner_sudo()
        if not partner_sudo.order_api_webhook_url:
            raise errors.ValidationError.from_details(
                [{"field": "url", "message": "No webhook URL is set: PUT one first."}]
            )
        Event = self.env["partner.order.api.webhook.event"]
        return Event._send_ping(partner_sudo)._ping_answer()
