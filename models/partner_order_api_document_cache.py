# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The PDFs ``GET order/document`` rendered, shared by every worker and
server, so that a document that did not change is served again without
rendering (see ``partner_order_api_document``).

A row per SHA-256 of what the PDF may change with (the key changes with the
document, so a row is never updated, only added and pruned). Rows are read
and written through the API's own autocommit connection to the primary
(``lib/pg_slots.py``: ``CONNECTIONS``), never the request's cursor: GET
routes run on a read-only cursor (or a standby, which may lag behind the
row the previous request wrote), and a PDF rendered for a request whose
transaction rolls back is still the right PDF for its key. Should that
connection fail, the document is rendered (and not kept): the cache never
makes a request fail.
"""

import base64
import logging

import psycopg2

from odoo import api, fields, models

from ..lib.pg_slots import CONNECTIONS

_logger = logging.getLogger(__name__)

MAX_AGE_DAYS = 7
MAX_ROWS = 500  # the newest kept by the autovacuum (~50 MB of PDFs at most)

_LOOKUP = "SELECT content FROM partner_order_api_document_cache WHERE key = %(key)s"
_STORE = """
INSERT INTO partner_order_api_document_cache (key, content, created_at)
     VALUES (%(key)s, %(content)s, now() AT TIME ZONE 'UTC')
ON CONFLICT (key) DO NOTHING
  RETURNING id
"""


class PartnerOrderApiDocumentCache(models.Model):
    _name = "partner.order.api.document.cache"
    _description = "Partner Order API: rendered document (PDF)"
    _log_access = False
    _order = "created_at DESC, id DESC"

    key = fields.Char(
        required=True,
        readonly=True,
        help="SHA-256 of the report, the record and what its PDF may change with.",
    )
    # base64 in a bytea column, as Odoo keeps a binary field without attachment
    content = fields.Binary(attachment=False, readonly=True)
    created_at = fields.Datetime(required=True, readonly=True, index=True)

    _sql_constraints = [
        ("key_uniq", "UNIQUE(key)", "A document is kept once per key."),
    ]

    @api.model
    def _lookup(self, key):
        """The PDF kept for ``key``, or None."""
        try:
            row = CONNECTIONS.fetchone(self.env.cr.dbname, _LOOKUP, {"key": key})
        except psycopg2.Error as exc:
            _logger.warning("Partner Order API: document cache not read: %s", exc)
            return None
        return base64.b64decode(bytes(row[0])) if row and row[0] else None

    @api.model
    def _store(self, key, content):
        """Keep ``content``, the PDF for ``key`` (committed at once)."""
        params = {"key": key, "content": psycopg2.Binary(base64.b64encode(content))}
        try:
            CONNECTIONS.fetchone(self.env.cr.dbname, _STORE, params)
        except psycopg2.Error as exc:
            _logger.warning("Partner Order API: document cache not written: %s", exc)

    @api.autovacuum
    def _gc_documents(self):
        """Forget PDFs older than ``MAX_AGE_DAYS`` days, and all but the
        newest ``MAX_ROWS``."""
        self.env.cr.execute(
            "DELETE FROM partner_order_api_document_cache "
            "WHERE created_at < (now() AT TIME ZONE 'UTC') - make_interval(days => %s)",
            [MAX_AGE_DAYS],
        )
        self.env.cr.execute(
            """
            DELETE FROM partner_order_api_document_cache
             WHERE id NOT IN (SELECT id FROM partner_order_api_document_cache
                               ORDER BY created_at DESC, id DESC LIMIT %s)
            """,
            [MAX_ROWS],
        )
