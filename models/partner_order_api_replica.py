# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Read-your-writes on a streaming standby (``--db_replica_host``).

Odoo 18 serves ``readonly=True`` routes (every GET of the API) on a cursor
of the replica when one is configured. A streaming standby replays the
primary's commits some time after they happen, so a partner that has just
created an order, or a user made a moment ago, would not find it there.
The rule, checked by the auth method on the standby's cursor before
anything is answered:

- every write request of a partner (any authenticated route that is not a
  GET) leaves a marker on the primary once it has committed: the time
  (``clock_timestamp()``, the primary's clock) after its commit, in a row of
  ``partner_order_api_rate_bucket`` named after the partner (the rate
  limiter's table: no schema of its own; its daily clean-up forgets
  markers older than a day, long replayed);
- a GET of that partner reads the marker on the primary (on the rate
  limiter's own connection) and in its own snapshot of the standby (the
  request's cursor, REPEATABLE READ: every later query of the request sees
  the same snapshot). A standby replays commits in the order the primary
  made them, and the marker was committed after the write: a snapshot that
  holds the latest marker holds the write. One that does not cannot answer:
  the request is rerun on the primary. (The standby's replay position,
  ``pg_last_xact_replay_timestamp()``, would not do: it moves on after the
  request's snapshot was taken, and the tests caught that race.);
- a GET whose user the standby does not know yet (a user created a moment
  ago; its key is always checked on the primary, see
  ``partner.order.api.service._verified_key``) is rerun on the primary too
  (the same statement on the standby tells both).

Rerunning is Odoo's own: a ``ReadOnlySqlTransaction`` escaping a read-only
request makes ``http._transactioning`` run it again on a read/write cursor
(``UsePrimary``, logged at INFO by the filter below rather than as Odoo's
warning, since it is the rule working, not a write on a replica).

No window to tune: a partner's GETs go to the standby again as soon as it
has replayed the partner's last write, however long that takes. Cost: on a
server with a replica, one UPSERT on the primary per write request (after
its commit) and, per GET, one indexed read of the marker on the primary
and one statement on the standby (the user, and the marker). Without a
replica (or in tests) nothing of this runs.
"""

import logging

from odoo import api, models
from odoo.http import request
from odoo.tools import config

from ..error_handlers import UsePrimary
from ..lib import errors
from .partner_order_api_rate_limit import _bucket_name

_logger = logging.getLogger(__name__)

_MARK_WRITE = """
INSERT INTO partner_order_api_rate_bucket AS b (bucket, tokens, refreshed_at)
     VALUES (%(bucket)s, 0, clock_timestamp() AT TIME ZONE 'UTC')
ON CONFLICT (bucket) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at
  RETURNING refreshed_at
"""

_LAST_WRITE = (
    "SELECT refreshed_at FROM partner_order_api_rate_bucket WHERE bucket = %(bucket)s"
)

# in the request's snapshot of the standby: the caller's user, the marker
_ON_STANDBY = f"""
SELECT EXISTS(SELECT 1 FROM res_users WHERE id = %(uid)s), ({_LAST_WRITE})
"""


class _UsePrimaryLogFilter(logging.Filter):
    """Odoo logs the rerun of a read-only request on the primary as a
    WARNING with a traceback (a write on a replica is a bug); a
    ``UsePrimary`` is this module's rule at work: INFO, one line."""

    def filter(self, record):
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, UsePrimary):
            record.levelno = logging.INFO
            record.levelname = "INFO"
            record.msg = "Partner Order API: %s: the request runs on the primary"
            record.args = (exc.args[0] if exc.args else "standby behind",)
            record.exc_info = None
            record.exc_text = None
        return True


_FILTER = _UsePrimaryLogFilter()
logging.getLogger("odoo.http").addFilter(_FILTER)  # once: addFilter ignores doubles


class PartnerOrderApiReplica(models.AbstractModel):
    _name = "partner.order.api.replica"
    _description = "Partner Order API: read-your-writes on a standby"

    @api.model
    def _replica_in_use(self):
        """A replica is configured (Odoo opens a read-only pool for it)."""
        return (
            config["db_replica_host"] is not False
            and not self.env.registry.in_test_mode()
        )

    @api.model
    def _route_request(self, read):
        """Called by the auth method once the caller's key is verified:
        a ``read`` request on the standby raises ``UsePrimary`` when the
        standby cannot answer it yet; a write request leaves the partner's
        marker on the primary once it commits."""
        if not self._replica_in_use():
            return
        cr = self.env.cr
        if not read:
            partner_id = self._caller_partner_id()
            cr.postcommit.add(lambda: self._mark_write(partner_id))
            return
        if not cr.readonly:
            return  # already on the primary
        try:
            partner_id = self._caller_partner_id()
        except errors.Forbidden:
            partner_id = None  # the standby does not know the user
        bucket = {"bucket": _bucket_name(("write", partner_id))}
        # the request's own snapshot of the standby (REPEATABLE READ: every
        # later query of the request sees the same): the caller's user, and
        # the partner's marker (not the standby's replay position now: it
        # moves on after the snapshot was taken)
        cr.execute(_ON_STANDBY, dict(bucket, uid=self.env.uid))
        user_known, seen = cr.fetchone()
        if not user_known or partner_id is None:
            self._use_primary("user not replayed on the standby yet")
        row = self._primary_fetchone(_LAST_WRITE, bucket)
        if row is not None and (seen is None or seen < row[0]):
            self._use_primary(
                "the partner's last write is not replayed on the standby yet"
            )

    def _caller_partner_id(self):
        """The caller's commercial partner (``service._caller``)."""
        return self.env["partner.order.api.service"]._caller()

    def _primary_fetchone(self, query, params):
        """The first row of ``query`` on the primary, on the rate limiter's
        connection (never the request's: it may be the standby's)."""
        return self.env["partner.order.api.rate.bucket"]._fetchone(query, params)

    def _use_primary(self, reason):
        """Rerun the request on the primary; what was learnt on the standby
        (the caller's contacts, see ``service._caller``) is forgotten."""
        if request:
            request._order_api_caller = None
        raise UsePrimary(reason)

    def _mark_write(self, partner_id):
        """After the commit of a write request of ``partner_id``: its marker
        on the primary."""
        try:
            self._primary_fetchone(
                _MARK_WRITE, {"bucket": _bucket_name(("write", partner_id))}
            )
        except Exception:  # pylint: disable=broad-except
            # the write is committed: answer it; the partner may read the
            # standby's older state until it has replayed the write
            _logger.warning(
                "Partner Order API: the last write of partner %s could not be "
                "marked on the primary",
                partner_id,
                exc_info=True,
            )
