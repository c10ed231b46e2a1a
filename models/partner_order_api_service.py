# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The use cases of the Partner Order API, and who is asking.

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

The service is one model in four files, one per concern: who is asking
(here: the key, the caller, its partner and company), what a partner reads
and cancels (``partner_order_api_service_orders.py``), what it creates
(``partner_order_api_service_create.py``) and its webhook settings
(``partner_order_api_service_webhook.py``).
"""

import datetime
import hashlib
import re
import time

from odoo import api, models, tools
from odoo.http import request
from odoo.tools import SQL

from odoo.addons.base.models.res_users import INDEX_SIZE

from ..lib import errors
from .partner_order_api_rate_limit import AUTH_BLOCKED_MESSAGE

API_KEY_SCOPE = "partner_order_api"
API_KEY_SCOPE_READONLY = "partner_order_api.readonly"
KEY_CACHE_SECONDS = 60  # how long a verified key is remembered; see _verified_key
_UNCERTAIN = object()  # see _check_key
_FORGET_KEYS = "partner_order_api.forget_verified_keys"
_BEARER_RE = re.compile(r"^[Bb][Ee][Aa][Rr][Ee][Rr] +([\x21-\x7e]{1,512})$")
# read with the partner on every request (see _caller)
_PARTNER_SWITCHES = ("order_api_enabled", "order_api_rate_limit_per_minute")
_SWITCHES_AT = 4  # where _caller_facts holds them


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
