# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who is asking, on a streaming standby (``--db_replica_host``): the
caller's reads see its own writes. Part of ``partner.order.api.caller``
(``partner_order_api_caller.py``), called by its ``_admit``.

Odoo 18 serves ``readonly=True`` routes (every GET of the API) on a cursor
of the replica when one is configured. A streaming standby replays the
primary's commits some time after they happen, so a partner that has just
created an order, or a user made a moment ago, would not find it there.
The rule, checked by ``_admit`` on the standby's cursor before
anything is answered:

- every write request of a partner (any authenticated route that is not a
  GET) leaves a marker on the primary once it has committed: the time
  (``clock_timestamp()``, the primary's clock) after its commit, in a row of
  ``partner_order_api_rate_bucket`` named after the partner, written by the
  bucket's own statement (``partner.order.api.rate.bucket._mark``: no schema
  of its own; its daily clean-up forgets markers older than a day, long
  replayed);
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
  ``_verified_key``) is rerun on the primary too
  (the same statement on the standby tells both).

Rerunning is Odoo's own: a ``ReadOnlySqlTransaction`` escaping a read-only
request makes ``http._transactioning`` run it again on a read/write cursor
(``UsePrimary``, logged at INFO by ``lib/log_filters.py``'s
``UsePrimaryFilter`` rather than as Odoo's warning, since it is the rule
working, not a write on a replica; attached by ``_register_hook`` below).

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
from ..lib import errors, log_filters
from .partner_order_api_rate_limit import _bucket_name

_logger = logging.getLogger(__name__)

_LAST_WRITE = (
    "SELECT refreshed_at FROM partner_order_api_rate_bucket WHERE bucket = %(bucket)s"
)

# in the request's snapshot of the standby: the caller's user, the marker
_ON_STANDBY = f"""
SELECT EXISTS(SELECT 1 FROM res_users WHERE id = %(uid)s), ({_LAST_WRITE})
"""


class PartnerOrderApiCaller(models.AbstractModel):
    _inherit = "partner.order.api.caller"  # pylint: disable=consider-merging-classes-inherited

    def _register_hook(self):
        super()._register_hook()
        log_filters.install("odoo.http", log_filters.UsePrimaryFilter(UsePrimary))

    @api.model
    def _standby_in_use(self):
        """A replica is configured (Odoo opens a read-only pool for it)."""
        return (
            config["db_replica_host"] is not False
            and not self.env.registry.in_test_mode()
        )

    @api.model
    def _route_on_standby(self, read):
        """Called by ``_admit`` once the caller's key is verified: a
        ``read`` request on the standby raises ``UsePrimary`` when the
        standby cannot answer it yet; a write request leaves the partner's
        marker on the primary once it commits."""
        if not self._standby_in_use():
            return
        cr = self.env.cr
        if not read:
            partner_id = self._partner_id()
            cr.postcommit.add(lambda: self._mark_write(partner_id))
            return
        if not cr.readonly:
            return  # already on the primary
        try:
            partner_id = self._partner_id()
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
        row = self.env["partner.order.api.rate.bucket"]._fetchone(_LAST_WRITE, bucket)
        if row is not None and (seen is None or seen < row[0]):
            self._use_primary(
                "the partner's last write is not replayed on the standby yet"
            )

    def _use_primary(self, reason):
        """Rerun the request on the primary; what was learnt on the standby
        (the caller's partner, see ``_partner_id``) is forgotten."""
        if request:
            request._order_api_caller = None
        raise UsePrimary(reason)

    def _mark_write(self, partner_id):
        """After the commit of a write request of ``partner_id``: its marker
        on the primary."""
        try:
            self.env["partner.order.api.rate.bucket"]._mark(("write", partner_id))
        except Exception:  # pylint: disable=broad-except
            # the write is committed: answer it; the partner may read the
            # standby's older state until it has replayed the write
            _logger.warning(
                "Partner Order API: the last write of partner %s could not be "
                "marked on the primary",
                partner_id,
                exc_info=True,
            )
