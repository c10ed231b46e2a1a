# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Rate limiting, shared by every worker and server.

Token buckets in PostgreSQL, named by a SHA-256 (never a key, never an
address in clear):

- one per **partner** (the commercial partner: all its users and keys
  together): capacity ``burst_for(limit)``, refilled at ``limit`` tokens a
  minute; every request of a valid key takes a token, whatever its answer
  (a 403 of a partner that is not enabled included);
- one per **client address** for failed authentications: capacity and
  refill ``partner_order_api.auth_failure_limit_per_minute``; every refused
  key takes a token, and an address whose bucket is empty is answered 429
  before any key it sends is looked at (Odoo's pbkdf2 check is what an
  attacker would make us pay).

Each call runs in its own short READ COMMITTED transaction on its own cursor
(committed without waiting for the disk): GET routes run on read-only
cursors (or a replica), a rejected request rolls its transaction back, and
the count must hold anyway.
"""

import contextlib
import hashlib
import ipaddress
import math
from typing import NamedTuple

from odoo import api, fields, models
from odoo.sql_db import db_connect

from ..lib import errors

DEFAULT_LIMIT = 120
MIN_BURST = 30
DEFAULT_AUTH_FAILURE_LIMIT = 30
IPV6_PREFIX = 64  # one host usually holds a whole /64
AUTH_BLOCKED_MESSAGE = (
    "Too many failed authentications from this address: retry after the time "
    "in Retry-After."
)

_TAKE_TOKEN = """
INSERT INTO partner_order_api_rate_bucket AS b (bucket, tokens, refreshed_at)
     VALUES (%(bucket)s, %(burst)s - 1, clock_timestamp())
ON CONFLICT (bucket) DO UPDATE
        SET tokens = GREATEST(-1, LEAST(
                %(burst)s,
                b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.refreshed_at) * %(per_second)s
            ) - 1),
            refreshed_at = clock_timestamp()
  RETURNING tokens
"""

# the tokens a bucket holds now, without taking one (no row: it is full)
_PEEK_TOKENS = """
SELECT LEAST(
           %(burst)s,
           tokens + EXTRACT(EPOCH FROM clock_timestamp() - refreshed_at) * %(per_second)s
       )
  FROM partner_order_api_rate_bucket
 WHERE bucket = %(bucket)s
"""


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


def _retry_after(tokens, per_second):
    """Whole seconds until the bucket holds one token again."""
    return max(1, math.ceil((1 - tokens) / per_second))


class RequestBudget(NamedTuple):
    """What a request of a valid key got: the partner's ``limit`` (None:
    rate limiting is off), the tokens ``remaining`` after this request's,
    and when refused the seconds until a token is back."""

    allowed: bool
    limit: int | None
    remaining: int | None
    retry_after: int


class PartnerOrderApiRateBucket(models.Model):
    _name = "partner.order.api.rate.bucket"
    _description = "Partner Order API: rate limit bucket"
    _log_access = False

    bucket = fields.Char(required=True, index=True)
    tokens = fields.Float(required=True)
    refreshed_at = fields.Datetime(required=True)

    _sql_constraints = [("bucket_uniq", "UNIQUE(bucket)", "One bucket per key.")]

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
        """Requests a minute for this partner: its own setting, else the
        system parameter (0 turns limiting off)."""
        if partner_sudo.order_api_rate_limit_per_minute:
            return partner_sudo.order_api_rate_limit_per_minute
        return self._int_param("partner_order_api.rate_limit_per_minute", DEFAULT_LIMIT)

    @api.model
    def _auth_failure_limit(self):
        """Failed authentications a minute one client address may make (0:
        no limit)."""
        return self._int_param(
            "partner_order_api.auth_failure_limit_per_minute",
            DEFAULT_AUTH_FAILURE_LIMIT,
        )

    # ------------------------------------------------------------------
    # Buckets
    # ------------------------------------------------------------------

    @contextlib.contextmanager
    def _bucket_cursor(self):
        with db_connect(self.env.cr.dbname).cursor() as cr:
            # no wait for the WAL flush at commit: a crash may forget the
            # last milliseconds of buckets (a few tokens given back), never
            # corrupt them; the request does not pay a disk sync
            cr.execute(
                "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; "
                "SET LOCAL synchronous_commit TO OFF"
            )
            yield cr
            cr.commit()  # pylint: disable=invalid-commit  # its own cursor, not the request's

    @staticmethod
    def _bucket_params(name, limit, burst):
        return {
            "bucket": _bucket_name(name),
            "burst": burst,
            "per_second": limit / 60.0,
        }

    def _take_token(self, cr, name, limit, burst):
        """``(allowed, remaining, retry_after)`` after taking one token."""
        params = self._bucket_params(name, limit, burst)
        cr.execute(_TAKE_TOKEN, params)
        tokens = cr.fetchone()[0]
        if tokens >= 0:
            return True, int(tokens), 0
        return False, 0, _retry_after(tokens, params["per_second"])

    def _blocked_for(self, cr, name, limit, burst):
        """Seconds until the bucket holds a token again (0: it holds one)."""
        params = self._bucket_params(name, limit, burst)
        cr.execute(_PEEK_TOKENS, params)
        row = cr.fetchone()
        if row is None or row[0] >= 1:
            return 0
        return _retry_after(row[0], params["per_second"])

    @api.model
    def _take(self, name, limit, burst=None):
        """Take one token from the bucket ``name`` (``limit`` tokens a
        minute, ``burst`` at most, by default ``burst_for(limit)``):
        ``(allowed, remaining, retry_after_seconds)``."""
        with self._bucket_cursor() as cr:
            return self._take_token(
                cr, name, limit, burst_for(limit) if burst is None else burst
            )

    # ------------------------------------------------------------------
    # What the API asks
    # ------------------------------------------------------------------

    @api.model
    def _take_request_token(self, partner_id, limit, address=None):
        """One request of a valid key of ``partner_id`` from ``address``:
        429 while the address is blocked for failed authentications (no
        token taken), else one token of the partner's budget (when
        ``limit``)."""
        failure_limit = self._auth_failure_limit() if address else 0
        if not limit and not failure_limit:
            return RequestBudget(True, None, None, 0)
        with self._bucket_cursor() as cr:
            if failure_limit:
                self._raise_if_blocked(cr, address, failure_limit)
            if not limit:
                return RequestBudget(True, None, None, 0)
            allowed, remaining, retry_after = self._take_token(
                cr, ("partner", partner_id), limit, burst_for(limit)
            )
        return RequestBudget(allowed, limit, remaining, retry_after)

    def _raise_if_blocked(self, cr, address, failure_limit):
        blocked_for = self._blocked_for(
            cr,
            ("auth_failures", client_network(address)),
            failure_limit,
            failure_limit,
        )
        if blocked_for:
            raise errors.RateLimited(blocked_for, AUTH_BLOCKED_MESSAGE)

    @api.model
    def _check_auth_allowed(self, address):
        """429 while ``address`` is blocked for failed authentications:
        called before a key it sends is checked."""
        failure_limit = self._auth_failure_limit() if address else 0
        if failure_limit:
            with self._bucket_cursor() as cr:
                self._raise_if_blocked(cr, address, failure_limit)

    @api.model
    def _count_auth_failure(self, address):
        """A key sent from ``address`` was refused: one token of its failure
        budget."""
        failure_limit = self._auth_failure_limit() if address else 0
        if failure_limit:
            with self._bucket_cursor() as cr:
                self._take_token(
                    cr,
                    ("auth_failures", client_network(address)),
                    failure_limit,
                    failure_limit,
                )

    @api.autovacuum
    def _gc_buckets(self):
        """Buckets untouched for a day are full again: forget them."""
        self.env.cr.execute(
            "DELETE FROM partner_order_api_rate_bucket WHERE refreshed_at < now() - INTERVAL '1 day'"
        )
