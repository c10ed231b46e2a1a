# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fair use, shared by every worker and server: what a request may take.

Token buckets in PostgreSQL, named by a SHA-256 (never a key, never an
address in clear):

- one per **partner** (the commercial partner: all its users and keys
  together): capacity ``burst_for(limit)``, refilled at ``limit`` tokens a
  minute. Every request of a valid key takes what it costs the server
  (``lib.costs``: 1 for a read, one per order of a batch, more for a PDF or a
  webhook test), whatever its answer (a 403 of a partner that is not enabled
  included). A request is let in when the bucket holds its cost, or is full
  for a cost beyond the capacity (a batch of 100 orders under a capacity of
  30): the bucket then goes below zero, and the partner waits until it has
  refilled. A refused request takes nothing.
- one per **client address and key prefix** for failed authentications
  (capacity and refill ``partner_order_api.auth_failure_limit_per_minute``):
  a key whose first characters (Odoo's key index) match a stored key costs
  a pbkdf2 check, and each such key that fails takes a token; while the
  bucket is empty, keys with that prefix from that address are answered 429
  before they are checked. A key that matches no stored key costs no check
  and is counted nowhere, and a key this worker has verified is never looked
  up: another client's failures never lock a valid key out.

Besides the budget, a partner's **requests in flight** are bounded, on every
worker and server together: ``partner_order_api.max_concurrent_requests``
(default: half the HTTP workers, at least one; 0 turns the bound off). Each
request holds one of the partner's slots (``lib/pg_slots.py``) until it
is answered; beyond them, 429 ``concurrency_limited``. The slot and the
budget are taken by one statement, on a connection of the API's own
(autocommit, the primary), never the request's: GET routes run on read-only
cursors (or a replica), a rejected request rolls its transaction back, and
the count must hold anyway. A request of a valid key costs two round trips:
that statement, and giving its slot back.
"""

import hashlib
import ipaddress
import math
import threading
from typing import NamedTuple

from odoo import api, fields, models
from odoo.sql_db import connection_info_for
from odoo.tools import config

from odoo.addons.base.models.res_users import INDEX_SIZE as KEY_PREFIX

from ..lib import errors
from ..lib.pg_slots import CONNECTIONS, TRY_SLOT, slot_params

DEFAULT_LIMIT = 120
MIN_BURST = 30
DEFAULT_AUTH_FAILURE_LIMIT = 30
IPV6_PREFIX = 64  # one host usually holds a whole /64
THREADED_CONCURRENCY = 4  # a partner's requests in flight without --workers
AUTH_BLOCKED_MESSAGE = (
    "Too many failed authentications of this key from this address: retry "
    "after the time in Retry-After."
)

# the bucket's tokens now (refilled since it was last seen, at most full)
_NOW = """LEAST(
    %(burst)s,
    b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.refreshed_at) * %(per_second)s
)"""
# what a request of %(cost)s needs in the bucket: its cost, at most the capacity
_NEED = "LEAST(%(cost)s, %(burst)s)"

# take %(cost)s tokens when the bucket holds what the request needs (no row
# yet: the bucket is full); ``granted`` says whether it did
_TAKE = f"""
INSERT INTO partner_order_api_rate_bucket AS b (bucket, tokens, refreshed_at, granted)
     SELECT %(bucket)s, %(burst)s - %(cost)s, clock_timestamp(), TRUE
      WHERE {{gate}}
ON CONFLICT (bucket) DO UPDATE
        SET tokens = {_NOW} - CASE WHEN {_NOW} >= {_NEED} THEN %(cost)s ELSE 0 END,
            granted = {_NOW} >= {_NEED},
            refreshed_at = clock_timestamp()
  RETURNING tokens, granted
"""
_TAKE_TOKENS = _TAKE.format(gate="TRUE")

# one of the partner's slots, and its tokens only when a slot was free
_SLOT_THEN_TAKE = f"""
WITH slot AS MATERIALIZED ({TRY_SLOT}),
taken AS ({_TAKE.format(gate="EXISTS (SELECT 1 FROM slot)")})
SELECT (SELECT s FROM slot), (SELECT tokens FROM taken), (SELECT granted FROM taken)
"""

# the tokens a bucket holds now, without taking one (no row: it is full)
_PEEK_TOKENS = f"""
SELECT {_NOW}
  FROM partner_order_api_rate_bucket AS b
 WHERE bucket = %(bucket)s
"""

# the request slots this thread holds (one request at a time per thread)
_HELD = threading.local()


def burst_for(limit):
    """The capacity of a partner's bucket: a quarter of the per-minute limit,
    at least MIN_BURST and at most the limit itself."""
    return min(limit, max(MIN_BURST, limit // 4))


def client_network(address):
    """The unit a failure budget is kept for: the IPv4 address, or the /64
    of an IPv6 address (an IPv4-mapped one counts as its IPv4 address)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return str(address or "unknown")
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False))
    return str(ip)


def _bucket_name(name):
    """The stored name of a bucket: a SHA-256 of ``name`` (a string, or a
    tuple of parts such as ``("partner", 42)``)."""
    parts = name if isinstance(name, tuple) else (name,)
    return hashlib.sha256(
        ":".join(["partner_order_api", *map(str, parts)]).encode()
    ).hexdigest()


class RequestBudget(NamedTuple):
    """What a request of a valid key got: the partner's ``limit`` (None:
    rate limiting is off), the tokens ``remaining`` after this request's
    ``cost``, and when refused the seconds until it would be let in."""

    allowed: bool
    limit: int | None
    remaining: int | None
    retry_after: int
    cost: int = 1


def _verdict(tokens, granted, params, limit):
    """The RequestBudget of a take that left ``tokens`` in the bucket."""
    if granted:
        return RequestBudget(True, limit, max(0, int(tokens)), 0, params["cost"])
    need = min(params["cost"], params["burst"])
    return RequestBudget(
        False,
        limit,
        max(0, int(tokens)),
        _retry_after(tokens, params["per_second"], need),
        params["cost"],
    )


def _retry_after(tokens, per_second, need=1):
    """Whole seconds until the bucket holds ``need`` tokens again."""
    return max(1, math.ceil((need - tokens) / per_second))


def release_request_slot():
    """Give back the slot this thread's request holds (if any): called when
    the request is answered, and before a request (or its retry) takes one,
    so that a slot never outlives its request in a living worker."""
    held = getattr(_HELD, "held", None)
    if held is not None:
        _HELD.held = None
        held.release()


class PartnerOrderApiRateBucket(models.Model):
    _name = "partner.order.api.rate.bucket"
    _description = "Partner Order API: rate limit bucket"
    _log_access = False

    bucket = fields.Char(required=True, index=True)
    tokens = fields.Float(required=True)
    refreshed_at = fields.Datetime(required=True)
    # whether the last request was let in (read back by the statement that
    # decides it: RETURNING sees only the new row)
    granted = fields.Boolean()

    _sql_constraints = [("bucket_uniq", "UNIQUE(bucket)", "One bucket per key.")]

    def _register_hook(self):
        """The API's own connections (``lib/pg_slots.py``) go where Odoo's
        do: its connection settings for the database asked."""
        super()._register_hook()
        CONNECTIONS.configure(lambda dbname: connection_info_for(dbname)[1])

    # ------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------

    def _int_param(self, name, default):
        value = self.env["ir.config_parameter"].sudo().get_param(name, default)
        try:
            return max(0, int(value))
        except (TypeError, ValueError):
            return default

    @api.model
    def _limit_for(self, partner_sudo):
        """Tokens a minute for this partner: its own setting, else the
        system parameter (0 turns limiting off)."""
        if partner_sudo.order_api_rate_limit_per_minute:
            return partner_sudo.order_api_rate_limit_per_minute
        return self._int_param("partner_order_api.rate_limit_per_minute", DEFAULT_LIMIT)

    @api.model
    def _max_concurrent_requests(self):
        """A partner's requests in flight, all workers and servers together
        (0: no bound): the system parameter, by default half the HTTP
        workers (at least one), so that no partner ever fills them all."""
        workers = config["workers"]
        default = max(1, workers // 2) if workers else THREADED_CONCURRENCY
        return self._int_param("partner_order_api.max_concurrent_requests", default)

    @api.model
    def _auth_failure_limit(self):
        """Failed authentications a minute one client address may make
        with keys of one prefix (0: no limit)."""
        return self._int_param(
            "partner_order_api.auth_failure_limit_per_minute",
            DEFAULT_AUTH_FAILURE_LIMIT,
        )

    # ------------------------------------------------------------------
    # Buckets
    # ------------------------------------------------------------------

    def _fetchone(self, query, params):
        """Run ``query`` on the API's own connection, committed at once."""
        return CONNECTIONS.fetchone(self.env.cr.dbname, query, params)

    @staticmethod
    def _bucket_params(name, limit, burst, cost=1):
        return {
            "bucket": _bucket_name(name),
            "burst": burst,
            "per_second": limit / 60.0,
            "cost": max(1, int(cost)),
        }

    @api.model
    def _take(self, name, limit, burst=None, cost=1):
        """Take ``cost`` tokens from the bucket ``name`` (``limit`` tokens a
        minute, ``burst`` at most, by default ``burst_for(limit)``):
        a RequestBudget."""
        params = self._bucket_params(
            name, limit, burst_for(limit) if burst is None else burst, cost
        )
        tokens, granted = self._fetchone(_TAKE_TOKENS, params)
        return _verdict(tokens, granted, params, limit)

    @api.model
    def _mark(self, name):
        """The bucket ``name`` touched now, by the take's own statement with
        nothing to take: a bucket that never fills, whose ``refreshed_at`` is
        the time of the last mark (the caller's last write, read back on a
        standby: ``partner_order_api_caller_standby.py``)."""
        self._fetchone(
            _TAKE_TOKENS,
            {"bucket": _bucket_name(name), "burst": 0, "per_second": 0, "cost": 0},
        )

    # ------------------------------------------------------------------
    # What the API asks
    # ------------------------------------------------------------------

    @api.model
    def _admit_request(self, partner_id, cost):
        """Let a request of a valid key of ``partner_id`` in: one of the
        partner's slots (429 ``concurrency_limited`` when all are held),
        then ``cost`` tokens of its budget (a RequestBudget; not allowed:
        the slot is given back). The slot stays held by this thread until
        ``release_request_slot()``. One statement."""
        release_request_slot()
        slots = self._max_concurrent_requests()
        if not slots:
            return self._take_partner_tokens(partner_id, cost)
        limit = self._limit_for(self.env["res.partner"].sudo().browse(partner_id))
        held = CONNECTIONS.hold(self.env.cr.dbname)
        _HELD.held = held
        params = slot_params("partner_requests", partner_id, slots)
        if not limit:
            row = held.fetchone(TRY_SLOT, params)
            budget = RequestBudget(row is not None, None, None, 0, cost)
            slot = row and row[0]
        else:
            params.update(
                self._bucket_params(
                    ("partner", partner_id), limit, burst_for(limit), cost
                )
            )
            slot, tokens, granted = held.fetchone(_SLOT_THEN_TAKE, params)
            budget = slot is not None and _verdict(tokens, granted, params, limit)
        if slot is None:
            release_request_slot()
            raise errors.ConcurrencyLimited(1)
        if not budget.allowed:
            release_request_slot()
        return budget

    @api.model
    def _take_partner_tokens(self, partner_id, cost):
        """``cost`` tokens of the budget of ``partner_id``, no slot: a
        RequestBudget (requests when the bound on requests in flight is
        off, and the portal's test event)."""
        partner_sudo = self.env["res.partner"].sudo().browse(partner_id)
        limit = self._limit_for(partner_sudo)
        if not limit:
            return RequestBudget(True, None, None, 0, cost)
        return self._take(("partner", partner_id), limit, cost=cost)

    def _failure_params(self, address, key, failure_limit):
        return self._bucket_params(
            ("auth_failures", client_network(address), key[:KEY_PREFIX]),
            failure_limit,
            failure_limit,
        )

    @api.model
    def _auth_blocked_for(self, address, key, failure_limit=None):
        """Seconds keys with the prefix of ``key`` from ``address`` stay
        blocked for failed authentications (0: not blocked): asked before
        such a key is checked (a pbkdf2 check)."""
        if failure_limit is None:
            failure_limit = self._auth_failure_limit()
        if not (address and failure_limit):
            return 0
        params = self._failure_params(address, key, failure_limit)
        row = self._fetchone(_PEEK_TOKENS, params)
        if row and row[0] < 1:
            return _retry_after(row[0], params["per_second"])
        return 0

    @api.model
    def _count_auth_failure(self, address, key):
        """``key``, whose prefix matched a stored key, was refused: one
        token of the failure budget of its prefix from ``address``."""
        failure_limit = self._auth_failure_limit() if address else 0
        if failure_limit:
            self._take(
                ("auth_failures", client_network(address), key[:KEY_PREFIX]),
                failure_limit,
                failure_limit,
            )

    @api.autovacuum
    def _gc_buckets(self):
        """Buckets untouched for a day are full again: forget them."""
        self.env.cr.execute(
            "DELETE FROM partner_order_api_rate_bucket WHERE refreshed_at < now() - INTERVAL '1 day'"
        )
