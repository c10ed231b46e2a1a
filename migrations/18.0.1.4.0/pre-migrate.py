# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.4.0: the webhook's event types become a relation.

``res.partner.order_api_webhook_event_types`` (a company_dependent Char,
a jsonb ``{"<company id>": "order.shipped,order.invoiced"}`` column) is
replaced by the rows of ``partner.order.api.webhook.subscription``. Its
column is put aside here, before Odoo's schema update; ``post-migrate.py``
makes the rows from it, once the event types exist, and drops it.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists

OLD_COLUMN = "order_api_webhook_event_types"
SAVED_COLUMN = "order_api_webhook_event_types_pre_1_4"


def migrate(cr, version):
    if not version:
        return
    if column_exists(cr, "res_partner", OLD_COLUMN):
        cr.execute(
            SQL(
                "ALTER TABLE res_partner RENAME COLUMN %s TO %s",
                SQL.identifier(OLD_COLUMN),
                SQL.identifier(SAVED_COLUMN),
            )
        )
