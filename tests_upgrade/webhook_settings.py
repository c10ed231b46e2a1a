# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook settings of a partner across the upgrade (test_upgrade.py):
18.0.1.2.0 made them per company (jsonb ``{"<company id>": value}``
columns), 18.0.1.4.0 moved the event types into rows of
``partner.order.api.webhook.subscription``. ``webhook_before`` reads them
before the upgrade, ``check_webhook_per_company`` after it, each value keyed
by each of its partner's companies. ``psql(sql)`` runs a query on the
database and answers its text."""

import json

# 18.0.1.2.0: the webhook settings become per company (company_dependent:
# jsonb {"<company id>": value}); checked by check_webhook_per_company.
WEBHOOK_COLUMNS = (
    "order_api_webhook_url",
    "order_api_webhook_secret",
    "order_api_webhook_event_types",
    "order_api_webhook_previous_secret",
    "order_api_webhook_previous_secret_expiry",
)
# 18.0.1.4.0: the event types of a partner ({"<company id>": "a,b"}, as the
# column held them), read from its subscription rows
EVENT_TYPES_OF_1_4 = """
    (SELECT jsonb_object_agg(company_id::text, codes) FROM (
        SELECT s.company_id, string_agg(t.code, ',' ORDER BY t.sequence) AS codes
          FROM partner_order_api_webhook_subscription s
          JOIN partner_order_api_webhook_subscription_event_type_rel r
            ON r.subscription_id = s.id
          JOIN partner_order_api_event_type t ON t.id = r.event_type_id
         WHERE s.partner_id = p.id
         GROUP BY s.company_id) chosen)
"""
# The webhook columns 18.0.1.1.0 added (its users upgrade too): added here
# as that release made them, before the upgrade, and filled for the demo
# partner (event types that keep the old answer, a rotation's previous
# secret valid one more day).
COLUMNS_OF_1_1 = """
    ALTER TABLE res_partner
        ADD COLUMN order_api_webhook_event_types varchar,
        ADD COLUMN order_api_webhook_previous_secret varchar,
        ADD COLUMN order_api_webhook_previous_secret_expiry timestamp;
    UPDATE res_partner
       SET order_api_webhook_event_types = 'order.updated,order.cancelled',
           order_api_webhook_previous_secret = 'whsec_cHJldmlvdXMtc2VjcmV0LW9mLTEuMQ==',
           order_api_webhook_previous_secret_expiry =
               date_trunc('second', now() AT TIME ZONE 'UTC') + interval '1 day'
     WHERE order_api_webhook_url IS NOT NULL
"""


def webhook_before(psql):
    """The partners holding webhook settings before the upgrade: their
    values (datetimes as Odoo writes them) and the companies these must be
    keyed by after it: the partner's company, else the default companies of
    its contacts' active users, else the main company."""
    values = ", ".join(
        f"'{c}', " + (f"to_char({c}, 'YYYY-MM-DD HH24:MI:SS')" if "expiry" in c else c)
        for c in WEBHOOK_COLUMNS
    )
    rows = json.loads(
        psql(
            f"""
            SELECT COALESCE(json_agg(json_build_object(
                       'id', p.id,
                       'company_id', p.company_id,
                       'user_companies', (
                           SELECT json_agg(DISTINCT u.company_id)
                             FROM res_users u JOIN res_partner c ON c.id = u.partner_id
                            WHERE u.active AND c.commercial_partner_id = p.commercial_partner_id),
                       'values', json_build_object({values}))), '[]')
              FROM res_partner p
             WHERE order_api_webhook_url IS NOT NULL OR order_api_webhook_secret IS NOT NULL
            """,
        )
    )
    main = psql(
        "SELECT res_id FROM ir_model_data WHERE module = 'base' AND name = 'main_company'",
    )
    for row in rows:
        companies = [row["company_id"]] if row["company_id"] else row["user_companies"]
        row["companies"] = sorted(str(c) for c in companies or [main])
    return rows


def check_webhook_per_company(psql, rows):
    """After the upgrade: each value keyed by each of its partner's companies
    (the event types: their subscription rows, ``EVENT_TYPES_OF_1_4``)."""
    assert rows, "the fill set no webhook"
    stored_as = dict.fromkeys(WEBHOOK_COLUMNS, None)
    stored_as["order_api_webhook_event_types"] = EVENT_TYPES_OF_1_4
    for row in rows:
        stored = json.loads(
            psql(
                "SELECT json_build_object("
                + ", ".join(f"'{c}', {stored_as[c] or c}" for c in WEBHOOK_COLUMNS)
                + f") FROM res_partner p WHERE id = {row['id']}",
            )
        )
        for column, value in row["values"].items():
            expected = value and dict.fromkeys(row["companies"], value)
            assert stored[column] == expected, (column, stored[column], expected)
