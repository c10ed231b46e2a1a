# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""How many orders each owner has (``sale.order.order_api_owner_id``: the
commercial partner an order belongs to for the API), by company and state,
kept by PostgreSQL itself, so that ``total_count`` of GET orders does not
scan the partner's history.

A trigger on ``sale_order`` appends a +1/-1 row for every order created,
deleted or moved to another owner, company or state, in the transaction
that makes the change: a count read from this table is exactly the count of
``sale_order`` rows the reading transaction sees, whatever wrote them (ORM,
raw SQL, imports). Test orders (``sale.order.order_api_test``) are not
counted: a live key never lists them, a test key counts them itself
(``order_reader._page_count``). Rows are only ever inserted by the trigger, so concurrent
orders never wait on each other; the cron folds them into one row per key.
"""

import logging

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

TABLE = "partner_order_api_order_tally"
TRIGGER = "partner_order_api_order_tally_trg"

_CREATE_TRIGGER = """
CREATE OR REPLACE FUNCTION partner_order_api_order_tally_fn() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.order_api_owner_id IS NOT NULL
       AND NOT COALESCE(OLD.order_api_test, false) THEN
        INSERT INTO partner_order_api_order_tally (partner_id, company_id, state, delta)
             VALUES (OLD.order_api_owner_id, OLD.company_id, OLD.state, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.order_api_owner_id IS NOT NULL
       AND NOT COALESCE(NEW.order_api_test, false) THEN
        INSERT INTO partner_order_api_order_tally (partner_id, company_id, state, delta)
             VALUES (NEW.order_api_owner_id, NEW.company_id, NEW.state, 1);
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS partner_order_api_order_tally_trg ON sale_order;
CREATE TRIGGER partner_order_api_order_tally_trg
    AFTER INSERT OR DELETE ON sale_order
    FOR EACH ROW EXECUTE FUNCTION partner_order_api_order_tally_fn();
DROP TRIGGER IF EXISTS partner_order_api_order_tally_trg_upd ON sale_order;
CREATE TRIGGER partner_order_api_order_tally_trg_upd
    AFTER UPDATE OF order_api_owner_id, company_id, state ON sale_order
    FOR EACH ROW
    WHEN (OLD.order_api_owner_id IS DISTINCT FROM NEW.order_api_owner_id
          OR OLD.company_id IS DISTINCT FROM NEW.company_id
          OR OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION partner_order_api_order_tally_fn();
"""


class PartnerOrderApiOrderTally(models.Model):
    _name = "partner.order.api.order.tally"
    _description = "Partner Order API: order counts per customer"
    _log_access = False

    # the owner (sale_order.order_api_owner_id), a commercial partner
    partner_id = fields.Integer(required=True, index=True)
    company_id = fields.Integer()
    state = fields.Char()
    delta = fields.Integer(required=True)

    def init(self):
        """(Re)create the trigger; on install, or on upgrade from a release
        that counted by customer contact, count the existing orders by owner
        in the same transaction, so no change can fall between the two."""
        cr = self.env.cr
        cr.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal",
            [TRIGGER],
        )
        installed = bool(cr.fetchone())
        cr.execute(
            "SELECT 1 FROM pg_proc WHERE proname = 'partner_order_api_order_tally_fn'"
            " AND prosrc LIKE '%%order_api_owner_id%%'"
        )
        by_owner = bool(cr.fetchone())
        cr.execute(_CREATE_TRIGGER)
        if not (installed and by_owner):
            self.env["sale.order"]._order_api_fill_owners()
            cr.execute(
                "LOCK TABLE sale_order IN SHARE MODE; "
                "DELETE FROM partner_order_api_order_tally"
            )
            self._backfill()

    def _backfill(self):
        self.env.cr.execute(
            """
            INSERT INTO partner_order_api_order_tally (partner_id, company_id, state, delta)
                 SELECT order_api_owner_id, company_id, state, COUNT(*)
                   FROM sale_order
                  WHERE order_api_owner_id IS NOT NULL
                    AND NOT COALESCE(order_api_test, false)
               GROUP BY order_api_owner_id, company_id, state
            """
        )

    @api.model
    def _count_sql(self, partner_ids, states, company_ids):
        """SQL answering the number of orders owned by ``partner_ids`` (ids,
        or an SQL query of them) in ``states`` and ``company_ids``, as
        ``SELECT COUNT(*) FROM sale_order`` would."""
        self.env["sale.order"].flush_model(
            ["order_api_owner_id", "company_id", "state"]
        )
        return SQL(
            "SELECT COALESCE(SUM(delta), 0) FROM %s "
            "WHERE partner_id = ANY(%s) AND state IN %s AND company_id IN %s",
            SQL.identifier(TABLE),
            # an array, not IN (subquery): the index on partner_id, not a
            # scan of the tally joined to the partners
            SQL("ARRAY(%s)", partner_ids)
            if isinstance(partner_ids, SQL)
            else SQL("%s::int[]", list(partner_ids)),
            tuple(states),
            tuple(company_ids),
        )

    @api.model
    def _count(self, partner_ids, states, company_ids):
        self.env.cr.execute(self._count_sql(partner_ids, states, company_ids))
        return int(self.env.cr.fetchone()[0])

    @api.model
    def _cron_compact(self):
        """Fold the rows of each (customer, company, state) into one. Rows
        inserted by transactions this one does not see are left as they are,
        so no change is lost."""
        self.env.cr.execute(
            """
            WITH folded AS (DELETE FROM partner_order_api_order_tally RETURNING partner_id, company_id, state, delta)
            INSERT INTO partner_order_api_order_tally (partner_id, company_id, state, delta)
                 SELECT partner_id, company_id, state, SUM(delta)
                   FROM folded
               GROUP BY partner_id, company_id, state
                 HAVING SUM(delta) <> 0
            """
        )
        _logger.debug("Partner Order API: order tally compacted")


def drop_trigger(cr):
    """Uninstall: the trigger would write into a dropped table."""
    cr.execute(
        "DROP TRIGGER IF EXISTS partner_order_api_order_tally_trg ON sale_order; "
        "DROP TRIGGER IF EXISTS partner_order_api_order_tally_trg_upd ON sale_order; "
        "DROP FUNCTION IF EXISTS partner_order_api_order_tally_fn()"
    )
