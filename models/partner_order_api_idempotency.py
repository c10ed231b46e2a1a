# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Idempotency-Key: a write request runs at most once per partner, company
and key (the caller's API company: a key used in one company is unknown in
another, as that company's orders are; README, "Several companies").

The key's row is written in the same transaction as the order it creates,
so it exists exactly when the order does. A transaction-scoped advisory lock
on (partner, company, key) makes a concurrent repeat answer 409
``idempotency_in_progress`` at once instead of waiting; a repeat after the
first committed replays its stored answer.
"""

import hashlib
import json
from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import errors

TTL = timedelta(hours=24)


# before the Idempotency-Key of a test key (README, "Test keys")
TEST_KEY_PREFIX = "test\u00b7"


class PartnerOrderApiIdempotency(models.Model):
    _name = "partner.order.api.idempotency"
    _description = "Partner Order API: idempotency key"
    _log_access = False

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, ondelete="cascade", help="The API company."
    )
    key = fields.Char(required=True)
    fingerprint = fields.Char(
        required=True, help="SHA-256 of the route and the canonical JSON body."
    )
    response_status = fields.Integer()
    response_body = fields.Text()
    created_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    _sql_constraints = [
        (
            "partner_key_uniq",
            "UNIQUE(partner_id, company_id, key)",
            "An idempotency key is used once per partner and company.",
        ),
    ]

    @api.model
    def _fingerprint(self, route, data):
        """SHA-256 of the route and the canonical JSON of ``data``. The body
        parser refuses lone surrogates; were one to come this far, it is
        hashed as it is (``surrogatepass``) rather than failing."""
        canonical = json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(
            f"{route}\n{canonical}".encode("utf-8", "surrogatepass")
        ).hexdigest()

    @api.model
    def _lock_id(self, partner_id, company_id, key):
        """The advisory lock of (partner, company, key): 64 bits of their
        SHA-256."""
        digest = hashlib.sha256(f"{partner_id}:{company_id}:{key}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    @api.model
    def _run_for_caller(self, key, route, data, func):
        """``func()`` -> (payload, status), at most once per partner of the
        caller (``partner.order.api.caller``), API company and
        ``Idempotency-Key`` ``key`` (None: run, no key); returns
        ``((payload, status), replayed)``."""
        if key is None:
            return func(), False
        caller = self.env["partner.order.api.caller"]
        partner_sudo = caller._partner_sudo()
        if caller._test_mode():
            # a test key's keys are apart from the real ones: never a real
            # answer replayed to a test request, nor the reverse (the prefix
            # is not printable ASCII: no client key can be it)
            key = f"{TEST_KEY_PREFIX}{key}"
        Idempotency = self.sudo()
        return Idempotency._run(
            partner_sudo,
            self.env.company,
            key,
            Idempotency._fingerprint(route, data),
            func,
        )

    @api.model
    def _run(self, partner, company, key, fingerprint, func):
        """``func()`` -> (payload, status) at most once for (partner,
        company, key); returns ``((payload, status), replayed)``."""
        self.env.cr.execute(
            SQL(
                "SELECT pg_try_advisory_xact_lock(%s)",
                self._lock_id(partner.id, company.id, key),
            )
        )
        if not self.env.cr.fetchone()[0]:
            raise errors.IdempotencyInProgress()
        record = self.sudo().search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("key", "=", key),
            ]
        )
        if record and record.created_at < fields.Datetime.now() - TTL:
            record.unlink()
            record = self.browse()
        if record:
            if record.fingerprint != fingerprint:
                raise errors.IdempotencyKeyReused()
            return (json.loads(record.response_body), record.response_status), True
        try:
            with self.env.cr.savepoint():
                record = self.sudo().create(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "key": key,
                        "fingerprint": fingerprint,
                    }
                )
        except psycopg2.errors.UniqueViolation:
            # The first request committed after this transaction began: its
            # row is not visible here yet, a retry will replay it.
            raise errors.IdempotencyInProgress() from None
        payload, status = func()
        record.write({"response_status": status, "response_body": json.dumps(payload)})
        return (payload, status), False

    @api.autovacuum
    def _gc_expired(self):
        self.sudo().search(
            [("created_at", "<", fields.Datetime.now() - TTL)], limit=100000
        ).unlink()
