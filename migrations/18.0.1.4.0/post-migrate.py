# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.4.0: the webhook's event types become a relation (see
``pre-migrate.py``).

Each partner's choice in each company (comma-separated codes, saved by
``pre-migrate.py``) becomes its ``partner.order.api.webhook.subscription``
row, with the same meaning: no choice, every event (no row); a choice, the
listed types (``ping`` always). Then the saved column goes.
"""

from collections import defaultdict

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists

from odoo.addons.partner_order_api.lib.events import EVENT_TYPES

SAVED_COLUMN = "order_api_webhook_event_types_pre_1_4"


def migrate(cr, version):
    if not version:
        return
    if not column_exists(cr, "res_partner", SAVED_COLUMN):
        return
    # (partner, company, value) of the companies that still exist
    cr.execute(
        SQL(
            """
            SELECT p.id, c.id, v.value
              FROM res_partner p
             CROSS JOIN LATERAL jsonb_each_text(p.%s) v
              JOIN res_company c ON c.id::text = v.key
             WHERE jsonb_typeof(p.%s) = 'object' AND v.value IS NOT NULL
            """,
            SQL.identifier(SAVED_COLUMN),
            SQL.identifier(SAVED_COLUMN),
        )
    )
    chosen = defaultdict(list)  # (company id, codes) -> partner ids
    for partner_id, company_id, value in cr.fetchall():
        names = {name.strip() for name in value.split(",") if name.strip()}
        if not names:
            continue
        # as 18.0.1.3.0 read it: the listed types, ping always
        codes = tuple(code for code in EVENT_TYPES if code in names) or ("ping",)
        chosen[company_id, codes].append(partner_id)
    env = api.Environment(cr, SUPERUSER_ID, {})
    Subscription = env["partner.order.api.webhook.subscription"]
    EventType = env["partner.order.api.event.type"]
    for (company_id, codes), partner_ids in chosen.items():
        Subscription._set_event_types(
            env["res.partner"].browse(partner_ids),
            env["res.company"].browse(company_id),
            EventType._of_codes(codes),
        )
    env.flush_all()
    cr.execute(
        SQL("ALTER TABLE res_partner DROP COLUMN %s", SQL.identifier(SAVED_COLUMN))
    )
