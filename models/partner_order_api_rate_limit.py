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

Each call is one statement of its own, committed at once (autocommit), on a
connection of this module to the primary (``_BucketConnections``), never the
request's: GET routes run on read-only cursors (or a replica), a rejected
request rolls its transaction back, and the count must hold anyway. A
request of a valid key costs one round trip to PostgreSQL for its budget.
"""

import hashlib
import ipaddress
import logging
import math
import os
import threading
import time
from typing import NamedTuple

import psycopg2

from odoo import api, fields, models
from odoo.sql_db import connection_info_for

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


class _BucketConnections:
    """Autocommit connections to the primary, one per database and thread
    at a time, kept by this process for the buckets.

    Odoo's pooled cursor would cost five round trips for one bucket
    statement (``DISCARD ALL`` on borrowing, ``BEGIN``, the settings,
    ``COMMIT``); a connection of our own, in autocommit with
    ``synchronous_commit`` off for its session (it never serves anything
    else), costs one. Each statement is counted in the request's query count
    as Odoo's cursors count theirs (the access log stays truthful), and
    logged as theirs (``odoo.sql_db`` at DEBUG, without parameters). A
    connection that fails is dropped and the statement tried once on a new
    one; connections inherited through a fork are never used."""

    def __init__(self):
        self._lock = threading.Lock()
        self._idle = {}  # dbname -> [connection]
        self._pid = os.getpid()

    def _connect(self, dbname):
        __, info = connection_info_for(dbname)
        cnx = psycopg2.connect(**info)
        cnx.autocommit = True
        with cnx.cursor() as cur:
            # a crash may forget the last milliseconds of buckets (a few
            # tokens given back), never corrupt them; no disk sync to wait
            cur.execute("SET synchronous_commit TO OFF")
        return cnx

    def _borrow(self, dbname):
        with self._lock:
            if self._pid != os.getpid():  # forked: not ours
                self._idle, self._pid = {}, os.getpid()
            idle = self._idle.get(dbname)
            if idle:
                return idle.pop()
        return self._connect(dbname)

    def _give_back(self, dbname, cnx):
        with self._lock:
            if self._pid == os.getpid() and not cnx.closed:
                self._idle.setdefault(dbname, []).append(cnx)
                return
        cnx.close()

    def _fetchone(self, dbname, query, params):
        """The first row of ``query``, run and committed on its own."""
        for attempt in (1, 2):
            cnx = self._borrow(dbname)
            try:
                started = time.time()
                with cnx.cursor() as cur:
                    cur.execute(query, params)
                    row = cur.fetchone()
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                cnx.close()  # lost (server restarted, idle timeout): a new one
                if attempt == 2:
                    raise
                continue
            except Exception:
                cnx.close()
                raise
            delay = time.time() - started
            thread = threading.current_thread()
            if hasattr(thread, "query_count"):
                thread.query_count += 1
                thread.query_time += delay
            if _sql_logger.isEnabledFor(logging.DEBUG):
                _sql_logger.debug(
                    "[%.3f ms] query (rate limit buckets): %s",
                    1000 * delay,
                    query.strip(),
                )
            self._give_back(dbname, cnx)
            return row


_CONNECTIONS = _BucketConnections()
# the bucket statements are logged where Odoo logs its own (--log-sql)
_sql_logger = logging.getLogger("odoo.sql_db")


# the address's failure bucket looked at, and the partner's token taken only
# when the address is not blocked (the INSERT's SELECT yields no row then)
_PEEK_THEN_TAKE = """
WITH failures AS (
    SELECT LEAST(
               %(failure_burst)s,
               tokens + EXTRACT(EPOCH FROM clock_timestamp() - refreshed_at)
                        * %(failure_per_second)s
           ) AS tokens
      FROM partner_order_api_rate_bucket
     WHERE bucket = %(failure_bucket)s
), taken AS (
    INSERT INTO partner_order_api_rate_bucket AS b (bucket, tokens, refreshed_at)
         SELECT %(bucket)s, %(burst)s - 1, clock_timestamp()
          WHERE NOT EXISTS (SELECT 1 FROM failures WHERE tokens < 1)
    ON CONFLICT (bucket) DO UPDATE
            SET tokens = GREATEST(-1, LEAST(
                    %(burst)s,
                    b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.refreshed_at) * %(per_second)s
                ) - 1),
                refreshed_at = clock_timestamp()
      RETURNING tokens
)
SELECT (SELECT tokens FROM failures), (SELECT tokens FROM taken)
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

    def _fetchone(self, query, params):
        """Run ``query`` on the buckets' own connection, committed at once."""
        return _CONNECTIONS._fetchone(self.env.cr.dbname, query, params)

    @staticmethod
    def _bucket_params(name, limit, burst):
        return {
            "bucket": _bucket_name(name),
            "burst": burst,
            "per_second": limit / 60.0,
        }

    def _take_token(self, name, limit, burst):
        """``(allowed, remaining, retry_after)`` after taking one token."""
        params = self._bucket_params(name, limit, burst)
        tokens = self._fetchone(_TAKE_TOKEN, params)[0]
        return self._token_verdict(tokens, params)

    @staticmethod
    def _token_verdict(tokens, params):
        if tokens >= 0:
            return True, int(tokens), 0
        return False, 0, _retry_after(tokens, params["per_second"])

    @staticmethod
    def _blocked_verdict(peeked, params):
        """Seconds until the bucket holds a token again (0: it holds one;
        ``peeked``: its tokens, None when it has no row: full)."""
        if peeked is None or peeked >= 1:
            return 0
        return _retry_after(peeked, params["per_second"])

    @api.model
    def _take(self, name, limit, burst=None):
        """Take one token from the bucket ``name`` (``limit`` tokens a
        minute, ``burst`` at most, by default ``burst_for(limit)``):
        ``(allowed, remaining, retry_after_seconds)``."""
        return self._take_token(
            name, limit, burst_for(limit) if burst is None else burst
        )

    # ------------------------------------------------------------------
    # What the API asks
    # ------------------------------------------------------------------

    @api.model
    def _take_request_token(self, partner_id, limit, address=None):
        """One request of a valid key of ``partner_id`` from ``address``:
        429 while the address is blocked for failed authentications (no
        token taken), else one token of the partner's budget (when
        ``limit``). One statement: the address's bucket is looked at, and
        the partner's token taken only if it is not blocked."""
        failure_limit = self._auth_failure_limit() if address else 0
        if not limit and not failure_limit:
            return RequestBudget(True, None, None, 0)
        failures = self._failure_params(address, failure_limit)
        if not limit:
            self._raise_if_blocked(address, failure_limit)
            return RequestBudget(True, None, None, 0)
        budget = self._bucket_params(("partner", partner_id), limit, burst_for(limit))
        if not failure_limit:
            allowed, remaining, retry_after = self._take_token(
                ("partner", partner_id), limit, burst_for(limit)
            )
            return RequestBudget(allowed, limit, remaining, retry_after)
        peeked, tokens = self._fetchone(
            _PEEK_THEN_TAKE,
            {
                **budget,
                "failure_bucket": failures["bucket"],
                "failure_burst": failures["burst"],
                "failure_per_second": failures["per_second"],
            },
        )
        blocked_for = self._blocked_verdict(peeked, failures)
        if blocked_for:
            raise errors.RateLimited(blocked_for, AUTH_BLOCKED_MESSAGE)
        allowed, remaining, retry_after = self._token_verdict(tokens, budget)
        return RequestBudget(allowed, limit, remaining, retry_after)

    @api.model
    def _take_partner_tokens(self, partner_id, cost):
        """Take ``cost`` tokens of the partner's budget: a RequestBudget.
        TEMPORARY (branch wip-hooks): one token at a time through ``_take``,
        until the cost-counting rewrite of this module replaces it."""
        partner_sudo = self.env["res.partner"].sudo().browse(partner_id)
        limit = self._limit_for(partner_sudo)
        if not limit:
            return RequestBudget(True, None, None, 0)
        remaining = None
        for __ in range(max(1, int(cost))):
            allowed, remaining, retry_after = self._take(("partner", partner_id), limit)
            if not allowed:
                return RequestBudget(False, limit, 0, retry_after)
        return RequestBudget(True, limit, remaining, 0)

    def _failure_params(self, address, failure_limit):
        return self._bucket_params(
            ("auth_failures", client_network(address)), failure_limit, failure_limit
        )

    def _raise_if_blocked(self, address, failure_limit):
        params = self._failure_params(address, failure_limit)
        row = self._fetchone(_PEEK_TOKENS, params)
        blocked_for = self._blocked_verdict(row and row[0], params)
        if blocked_for:
            raise errors.RateLimited(blocked_for, AUTH_BLOCKED_MESSAGE)

    @api.model
    def _check_auth_allowed(self, address):
        """429 while ``address`` is blocked for failed authentications:
        called before a key it sends is checked."""
        failure_limit = self._auth_failure_limit() if address else 0
        if failure_limit:
            self._raise_if_blocked(address, failure_limit)

    @api.model
    def _count_auth_failure(self, address):
        """A key sent from ``address`` was refused: one token of its failure
        budget."""
        failure_limit = self._auth_failure_limit() if address else 0
        if failure_limit:
            self._take_token(
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
