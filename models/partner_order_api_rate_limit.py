# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Rate limiting per API key, shared by every worker and server.

A token bucket per key (by a hash of the key, never the key) in PostgreSQL:
capacity ``burst``, refilled at ``limit`` tokens a minute. One statement
takes a token, in its own short READ COMMITTED transaction on its own cursor
(committed without waiting for the disk): GET routes run on read-only cursors
(or a replica), a rejected request rolls its transaction back, and the count
must hold anyway.
"""

import hashlib
import math

from odoo import api, fields, models
from odoo.sql_db import db_connect

DEFAULT_LIMIT = 120
MIN_BURST = 30

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


class PartnerOrderApiRateBucket(models.Model):
    _name = "partner.order.api.rate.bucket"
    _description = "Partner Order API: rate limit bucket"
    _log_access = False

    bucket = fields.Char(required=True, index=True)
    tokens = fields.Float(required=True)
    refreshed_at = fields.Datetime(required=True)

    _sql_constraints = [("bucket_uniq", "UNIQUE(bucket)", "One bucket per key.")]

    @api.model
    def _limit_for(self, partner_sudo):
        """Requests a minute for this partner: its own setting, else the
        system parameter (0 turns limiting off)."""
        if partner_sudo.order_api_rate_limit_per_minute:
            return partner_sudo.order_api_rate_limit_per_minute
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("partner_order_api.rate_limit_per_minute", DEFAULT_LIMIT)
        )
        try:
            return max(0, int(value))
        except (TypeError, ValueError):
            return DEFAULT_LIMIT

    @api.model
    def _take(self, api_key, limit):
        """Take one token from the key's bucket: ``(allowed, remaining,
        retry_after_seconds)``."""
        burst = min(limit, max(MIN_BURST, limit // 4))
        per_second = limit / 60.0
        bucket = hashlib.sha256(f"partner_order_api:{api_key}".encode()).hexdigest()
        with db_connect(self.env.cr.dbname).cursor() as cr:
            # no wait for the WAL flush at commit: a crash may forget the
            # last milliseconds of buckets (a few tokens given back), never
            # corrupt them; the request does not pay a disk sync
            cr.execute(
                "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; "
                "SET LOCAL synchronous_commit TO OFF"
            )
            cr.execute(
                _TAKE_TOKEN,
                {"bucket": bucket, "burst": burst, "per_second": per_second},
            )
            tokens = cr.fetchone()[0]
            cr.commit()  # pylint: disable=invalid-commit  # its own cursor, not the request's
        if tokens >= 0:
            return True, int(tokens), 0
        return False, 0, max(1, math.ceil((0 - tokens) / per_second))

    @api.autovacuum
    def _gc_buckets(self):
        """Buckets untouched for a day are full again: forget them."""
        self.env.cr.execute(
            "DELETE FROM partner_order_api_rate_bucket WHERE refreshed_at < now() - INTERVAL '1 day'"
        )
