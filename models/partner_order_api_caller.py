# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who is asking: the caller of the Partner Order API, in one model.

``partner.order.api.caller`` is the one home of everything the API knows
about the client of a request before a use case runs, and the only door to
it:

- ``_admit`` is what the auth method (``ir.http._auth_method_partner_order_api``,
  ``auth="partner_order_api"`` on every route but the public ones) calls: the
  bearer key is verified (``_authenticate``: 401, or 429 while the failure
  budget of its prefix from the client's address is spent), the request runs
  as the key's user in its API company (``_company``; README, "Several
  companies"), a GET the standby cannot answer yet is rerun on the primary
  (``partner_order_api_caller_standby.py``), the partner's slot and the
  request's cost are taken from its budget (``partner.order.api.rate.bucket``:
  429), a key used outside its allowed networks is refused (403), its use
  is recorded (``_record_use``: at most once a minute per key), and a
  read-only key is refused on a route that writes (403);
- the caller's facts (its commercial partner, API company, whether it has
  allowed products, its switches) are read once per worker and remembered
  (``_facts``), like verified keys (``_verified_key``); every change that
  must make the workers forget them calls ``_forget`` (API keys, users,
  partners, allowed products);
- the use cases ask it ``_partner_id()``, ``_company()`` and
  ``_partner_sudo()`` (the partner, checked to be enabled): never the
  context, which is client input on Odoo's RPC routes.
"""

import datetime
import hashlib
import ipaddress
import logging
import re
import time

import psycopg2

from odoo import api, models, tools
from odoo.http import request
from odoo.tools import SQL

from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT

from ..lib import costs, errors, networks, openapi
from .partner_order_api_rate_limit import AUTH_BLOCKED_MESSAGE, release_request_slot

_logger = logging.getLogger(__name__)

API_KEY_SCOPE = "partner_order_api"
API_KEY_SCOPE_READONLY = "partner_order_api.readonly"
# test mode (README, "Test keys"): the key's orders are test orders
API_KEY_SCOPE_TEST = "partner_order_api.test"
KEY_CACHE_SECONDS = 60  # how long a verified key is remembered; see _verified_key
_UNCERTAIN = object()  # see _check_key
_FORGET = "partner_order_api.forget_callers"
_BEARER_RE = re.compile(r"^[Bb][Ee][Aa][Rr][Ee][Rr] +([\x21-\x7e]{1,512})$")
# read with the partner on every request (see _partner_id)
_PARTNER_SWITCHES = ("order_api_enabled", "order_api_rate_limit_per_minute")
_SWITCHES_AT = 4  # where _facts holds them
# methods of the routes a read-only key opens
_READ_METHODS = ("GET", "HEAD")


class _NotCached(Exception):
    """Raised through ``_verified_key``'s ormcache, which stores no
    exception: ``verified`` is what ``_authenticate`` answers (None: the key
    is refused); ``checked``: whether a stored key shares its prefix (Odoo
    ran its pbkdf2 check, which the failure budget bounds)."""

    def __init__(self, verified=None, checked=True):
        super().__init__()
        self.verified = verified
        self.checked = checked


def _parse_networks(text):
    """A key's stored allowed networks, parsed; one that no longer parses
    (written around ``res.users.apikeys.write``) allows nothing."""
    try:
        return networks.parse(text)
    except networks.NetworksError:
        return (ipaddress.ip_network("0.0.0.0/32"),)


def _is_live(verified):
    expires_at = verified[2]
    return expires_at is None or expires_at > time.time()


# a key's last use is recorded to this many seconds (see _record_use)
LAST_USED_SECONDS = 60
_LAST_USED_MEMO_SIZE = 10000
# (dbname, key id) -> time.monotonic() this worker last recorded its use
_last_recorded = {}
# one statement: a key used less than LAST_USED_SECONDS ago, or whose row
# another transaction holds (SKIP LOCKED: never waited for), is left alone
RECORD_USE_SQL = """
    UPDATE res_users_apikeys
       SET order_api_last_used_at = now() AT TIME ZONE 'utc',
           order_api_last_used_ip = %(address)s
     WHERE id = (SELECT id FROM res_users_apikeys
                  WHERE id = %(key_id)s
                    AND (order_api_last_used_at IS NULL
                         OR order_api_last_used_at
                            < now() AT TIME ZONE 'utc' - %(seconds)s * interval '1 second')
                    FOR UPDATE SKIP LOCKED)
"""


class PartnerOrderApiCaller(models.AbstractModel):
    _name = "partner.order.api.caller"
    _description = "Partner Order API: who is asking"

    # ------------------------------------------------------------------
    # Admission: what the auth method calls
    # ------------------------------------------------------------------

    @api.model
    def _admit(self):
        """Let the current HTTP request in as its bearer key's caller, or
        raise the contract's error (``ir.http._auth_method_partner_order_api``
        answers it). In this order: the key (``_authenticate``), the request's
        user and its one company (``_company``), the standby's turn
        (``_route_on_standby``), the partner's slot and budget
        (``_take_budget``), and a read-only key's scope, so that a refused
        scope is counted in the budget as any other answer. The slot taken
        is held until the answer (``controllers/routing.py``), and given
        back here when the request is refused."""
        release_request_slot()  # a retry of this request takes it again
        try:
            httprequest = request.httprequest
            # the client's address; behind a proxy, Odoo's proxy_mode puts
            # the X-Forwarded-For address here
            address = httprequest.remote_addr
            uid, read_only, test, key_id, allowed = self._authenticate(
                httprequest.headers.get("Authorization"), address, details=True
            )
            # the key's mode, for this request only (see _test_mode)
            request._order_api_test = test
            request.update_env(user=uid)
            # the one company the request works in (README, "Several
            # companies"): env.company and env.companies are it
            company = request.env[self._name]._company()
            request.update_context(allowed_company_ids=company.ids)
            caller = request.env[self._name]
            reads_only = caller._route_reads_only()
            caller._route_on_standby(reads_only)
            caller._take_budget()
            if not networks.allows(allowed, address):
                # after the budget: this refusal costs it, as others do
                raise errors.Forbidden(
                    "This API key may not be used from this address."
                )
            caller._record_use(key_id, address)
            if read_only and not reads_only:
                raise errors.InsufficientScope()
        except Exception:
            release_request_slot()
            raise

    @api.model
    def _test_mode(self):
        """Whether the current request came with a test key (scope
        ``partner_order_api.test``): its orders are test orders, and it
        reads and acts on test orders only (README, "Test keys"). Set by
        ``_admit`` from the verified key, never from client input; False
        outside an API request."""
        return bool(request and getattr(request, "_order_api_test", False))

    @api.model
    def _route_reads_only(self):
        """Whether the requested route writes nothing: GET routes, and the
        read-only POST routes of ``lib.openapi`` (``POST order/quote``)."""
        method = request.httprequest.method
        path = request.httprequest.path.rstrip("/")
        return method in _READ_METHODS or (path, method) in openapi.READ_ONLY_POSTS

    @api.model
    def _take_budget(self):
        """One of the slots of the caller's partner, and the request's cost
        (``lib.costs``) from its budget, whether the partner is enabled or
        not; 429 when refused. Sets the X-RateLimit-* headers of the answer,
        whatever it is (not on ``concurrency_limited``: nothing was taken)."""
        httprequest = request.httprequest
        operation = openapi.operation_at(
            httprequest.path.rstrip("/"), httprequest.method
        )
        cost = costs.request_cost(
            operation and operation.operation_id,
            httprequest.args,
            httprequest.get_data(cache=True)
            if operation and operation.operation_id in costs.BODY_COSTS
            else b"",
        )
        Buckets = self.env["partner.order.api.rate.bucket"].sudo()
        budget = Buckets._admit_request(self._partner_id(), cost)
        if budget.limit:
            request._order_api_rate_headers = {
                "X-RateLimit-Limit": str(budget.limit),
                "X-RateLimit-Remaining": str(budget.remaining),
                "X-RateLimit-Cost": str(budget.cost if budget.allowed else 0),
            }
        if not budget.allowed:
            raise errors.RateLimited(budget.retry_after)

    @api.model
    def _record_use(self, key_id, address):
        """Record that the key ``key_id`` was just used from ``address``
        (``order_api_last_used_at``/``_ip``), to LAST_USED_SECONDS: a worker
        tries once per key in that time (``_last_recorded``), by one
        conditional UPDATE (``RECORD_USE_SQL``) in a short transaction of
        its own on the primary, committed at once: no lock is held until
        the request's commit, none is waited for, and a read-only route
        (or a replica) records it too."""
        if not key_id:
            return
        registry = self.env.registry
        memo_key = (self.env.cr.dbname, key_id)
        now = time.monotonic()
        if now - _last_recorded.get(memo_key, -LAST_USED_SECONDS) < LAST_USED_SECONDS:
            return
        if registry.in_test_mode() and self.env.cr.readonly:
            # a test's read-only cursor cannot open a read/write one
            return
        if len(_last_recorded) >= _LAST_USED_MEMO_SIZE:
            _last_recorded.clear()
        _last_recorded[memo_key] = now
        params = {
            "key_id": key_id,
            "address": (address or "")[:64] or None,
            "seconds": LAST_USED_SECONDS,
        }
        try:
            with registry.cursor() as cr:
                cr.execute(RECORD_USE_SQL, params, log_exceptions=False)
        except psycopg2.errors.SerializationFailure:
            # another worker recorded it between this statement's snapshot
            # and its row lock (repeatable read): recorded, then
            _logger.debug(
                "Partner Order API: key %s's use recorded by another worker", key_id
            )

    # ------------------------------------------------------------------
    # The key
    # ------------------------------------------------------------------

    @api.model
    def _authenticate(self, authorization, address=None, details=False):
        """``(uid, read_only, test)`` for the active user owning the bearer
        key of ``authorization``, sent from the client address ``address``;
        with ``details``, ``(uid, read_only, test, key id, allowed
        networks)`` (the networks: ``lib.networks.parse``'s, checked by
        ``_admit``).

        Keys scoped to this API and global (unscoped) keys open everything,
        keys scoped ``partner_order_api.readonly`` the GET routes only, keys
        scoped ``partner_order_api.test`` everything in test mode;
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
            return (
                (*verified[:2], *verified[3:])
                if details
                else (*verified[:2], verified[3])
            )
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
        """``(uid, read_only, expires_at, test, key id, allowed networks)``
        of a valid key (``expires_at``: a POSIX timestamp, or None for a key
        that does not expire; ``test``: a test key; the networks:
        ``lib.networks.parse``'s, so that a change of them, which
        ``_forget``s, takes effect at once).

        Odoo hashes API keys with pbkdf2 (milliseconds of CPU a check), so a
        verified key is remembered in this process, by a SHA-256 of the key
        (never the key), in Odoo's ORM cache. Only valid keys are: an
        unknown key raises ``_NotCached`` (ormcache stores no exception), so
        random bearer tokens cannot evict other entries of the cache.

        An entry lives at most KEY_CACHE_SECONDS (``window``), and
        ``_authenticate`` compares its expiry on every hit. Revoking a key,
        changing it, or deactivating or deleting a user invalidates the ORM
        cache of every worker after the commit (``_forget``):
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
            raise _NotCached(verified and (*verified[:2], None, *verified[3:]))
        return verified

    @api.model
    def _check_key(self, key):
        """``(uid, read_only, expires_at, test, key id, allowed networks)``
        of a valid key, else None: Odoo's own check
        (``res.users.apikeys._check_credentials``), and the row it matched."""
        Keys = self.env["res.users.apikeys"]
        for scope in (API_KEY_SCOPE, API_KEY_SCOPE_READONLY, API_KEY_SCOPE_TEST):
            uid = Keys._check_credentials(scope=scope, key=key)
            if uid:
                break
        else:
            return None
        read_only = scope == API_KEY_SCOPE_READONLY
        test = scope == API_KEY_SCOPE_TEST
        # the key's row: its user, its index, a scope it was accepted with
        # and not expired; two such rows of one user share an index once in
        # 4 billion keys: then the row is the one whose hash matches, and
        # nothing is remembered
        self.env.cr.execute(
            SQL(
                """
                SELECT expiration_date, id, order_api_allowed_networks, key
                  FROM res_users_apikeys
                 WHERE user_id = %s
                   AND index = %s
                   AND (scope IS NULL OR scope = %s)
                   AND (expiration_date IS NULL
                        OR expiration_date >= now() AT TIME ZONE 'utc')
                 ORDER BY id
                """,
                uid,
                key[:INDEX_SIZE],
                scope,
            )
        )
        rows = self.env.cr.fetchall()
        if len(rows) != 1:
            rows = [r for r in rows if KEY_CRYPT_CONTEXT.verify(key, r[3])][:1]
            if not rows:
                return None
            networks_ = _parse_networks(rows[0][2])
            return uid, read_only, _UNCERTAIN, test, rows[0][1], networks_
        expiration, key_id, allowed = rows[0][:3]
        if expiration is not None:
            expiration = expiration.replace(tzinfo=datetime.UTC).timestamp()
        return uid, read_only, expiration, test, key_id, _parse_networks(allowed)

    @api.model
    def _forget(self):
        """Every worker forgets the keys it verified, once the current
        transaction commits, and what they remember of callers
        (``_facts``): called when keys are revoked or changed, when
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

        if not cr.precommit.data.get(_FORGET):
            cr.precommit.data[_FORGET] = True
            cr.precommit.add(registry.clear_cache)
        if not cr.postcommit.data.get(_FORGET):
            cr.postcommit.data[_FORGET] = True
            cr.postcommit.add(forget_after_commit)

    # ------------------------------------------------------------------
    # The caller's facts
    # ------------------------------------------------------------------

    def _partner_id(self):
        """The id of the commercial partner of the calling user
        (``env.uid``): its contacts' orders are the partner's (see
        ``sale.order._order_api_partner_domain``). A subsidiary that is a
        company of its own is a commercial entity of its own: its orders are
        not the parent's.

        Every request asks, so the answer costs no query once a worker knows
        it (``_facts``); the partner's API switches go to the ORM
        cache with it. It is remembered on the HTTP request object too, for
        this uid only. It is never read from the context nor from anything
        else a client can send: the context is client input on Odoo's RPC
        routes."""
        memo = getattr(request, "_order_api_caller", None) if request else None
        if memo and memo[0] == self.env.uid:
            return memo[1]
        facts = self._facts_now()
        partner_sudo = self.env["res.partner"].sudo().browse(facts[0])
        for name, value in zip(_PARTNER_SWITCHES, facts[_SWITCHES_AT:], strict=True):
            self._cache_value(partner_sudo, name, value)
        if request:
            request._order_api_caller = (self.env.uid, facts[0])
        return facts[0]

    def _company(self):
        """The caller's API company (``res.company``, sudo): the one company
        its orders belong to and every request of it works in (README,
        "Several companies"). It is the company of the caller's partner when
        the partner is restricted to one (``res.partner.company_id``), the
        user's default company (``res.users.company_id``) otherwise. A user
        not allowed in its partner's company works in its default company,
        where ``_partner_sudo`` refuses it (403 naming the partner's
        company). Read, like the partner, from ``_facts``: never from
        the context."""
        company_id = self._facts_now()[1]
        return self.env["res.company"].sudo().browse(company_id)

    def _facts_now(self):
        """``_facts`` of the calling user, as this worker remembers
        them now."""
        window = int(time.time() // KEY_CACHE_SECONDS)
        # read BEFORE the facts are (see _verified_key)
        generation = self.env.registry.cache_sequences.get("default")
        return self._facts(self.env.uid, window, generation)

    def _has_products(self):
        """Whether the caller's partner has allowed products (its rows of
        the relation, whatever the products' state), as ``_facts``
        remember it."""
        return self._facts_now()[3]

    @api.model
    @tools.ormcache("uid", "window", "generation")
    def _facts(self, uid, window, generation):
        """``(commercial partner id, API company id, the partner's company
        the user may not act in or None, whether the partner has allowed
        products, *the partner's _PARTNER_SWITCHES)`` of the user ``uid``
        (the API company: see ``_company``), remembered by this worker
        as verified keys are (``_verified_key``): at most KEY_CACHE_SECONDS
        (``window``), and forgotten by every worker once a change to them
        commits (``_forget``: the switches and the company of a
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
    def _cache_value(self, record, name, value):
        """Put a value read by SQL into the ORM cache, unless it holds one."""
        field = record._fields[name]
        self.env.cache.insert_missing(
            record, field, [field.convert_to_cache(value, record)]
        )

    def _partner_sudo(self):
        """The commercial partner of the calling user, checked to be enabled."""
        partner_sudo = self.env["res.partner"].sudo().browse(self._partner_id())
        if not partner_sudo.order_api_enabled:
            raise errors.Forbidden()
        refused_company_id = self._facts_now()[2]
        if refused_company_id:
            company = self.env["res.company"].sudo().browse(refused_company_id)
            raise errors.Forbidden(
                f"This partner is a customer of {company.name} only, and this "
                f"user may not work in {company.name}: ask the seller to allow "
                "it there."
            )
        return partner_sudo
