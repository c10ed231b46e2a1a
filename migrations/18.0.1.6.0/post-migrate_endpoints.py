# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.6.0: several webhook endpoints per partner (issue 29).

The webhook of a partner in a company (the company_dependent URL, secrets
and previous secret's expiry, jsonb ``{"<company id>": value}`` columns of
``res_partner``, and its choice of event types,
``partner.order.api.webhook.subscription``, as 18.0.1.5.0's migration
pinned it) becomes that partner's first endpoint there
(``partner.order.api.webhook.endpoint``), the one home of these settings
from now on; every event already logged names the endpoint it went to. The
old columns and rows are left as they were (read by nothing any more).
"""

from odoo.tools import SQL

OLD_COLUMNS = (
    "order_api_webhook_secret",
    "order_api_webhook_previous_secret",
    "order_api_webhook_previous_secret_expiry",
)


def _jsonb_columns(cr):
    cr.execute(
        """
        SELECT column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'res_partner'
           AND data_type = 'jsonb' AND column_name LIKE 'order_api_webhook_%%'
        """
    )
    return {row[0] for row in cr.fetchall()}


def migrate(cr, version):
    if not version:
        return
    columns = _jsonb_columns(cr)
    if "order_api_webhook_url" not in columns:
        return
    # each old setting, or NULL when the upgraded release had no such column
    value = {
        col: SQL("p.%s ->> v.key", SQL.identifier(col))
        if col in columns
        else SQL("NULL")
        for col in OLD_COLUMNS
    }
    cr.execute(
        SQL(
            """
            INSERT INTO partner_order_api_webhook_endpoint
                   (partner_id, company_id, url, secret, previous_secret,
                    previous_secret_expiry, state,
                    create_uid, write_uid, create_date, write_date)
            SELECT p.id, c.id, v.value, %s, %s, (%s)::timestamp, 'enabled',
                   1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM res_partner p
             CROSS JOIN LATERAL jsonb_each_text(p.order_api_webhook_url) v
              JOIN res_company c ON c.id::text = v.key
             WHERE jsonb_typeof(p.order_api_webhook_url) = 'object'
               AND coalesce(v.value, '') <> ''
               AND NOT EXISTS (
                   SELECT 1 FROM partner_order_api_webhook_endpoint e
                    WHERE e.partner_id = p.id AND e.company_id = c.id)
             ORDER BY p.id, c.id
            """,
            value["order_api_webhook_secret"],
            value["order_api_webhook_previous_secret"],
            value["order_api_webhook_previous_secret_expiry"],
        )
    )
    # the choice of event types of each (partner, company): its endpoint's
    cr.execute(
        """
        INSERT INTO partner_order_api_webhook_endpoint_event_type_rel
               (endpoint_id, event_type_id)
        SELECT e.id, r.event_type_id
          FROM partner_order_api_webhook_subscription s
          JOIN partner_order_api_webhook_subscription_event_type_rel r
            ON r.subscription_id = s.id
          JOIN partner_order_api_webhook_endpoint e
            ON e.partner_id = s.partner_id AND e.company_id = s.company_id
        ON CONFLICT DO NOTHING
        """
    )
    # the events logged (pending ones included): their partner's endpoint
    cr.execute(
        """
        UPDATE partner_order_api_webhook_event ev
           SET endpoint_id = e.id
          FROM partner_order_api_webhook_endpoint e
         WHERE ev.endpoint_id IS NULL
           AND e.partner_id = ev.partner_id AND e.company_id = ev.company_id
        """
    )
