# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.2.0: one company per API request (README, "Several companies").

Idempotency keys are kept per partner, company and key: the rows of the
previous release get the company of the order they answered, else of their
partner, else the main company, so that their replays still answer.

The webhook settings of a partner become per company (company_dependent
fields: a jsonb ``{"<company id>": value}`` column). Their varchar and
timestamp columns are converted here, before Odoo's schema update, which
would otherwise read a varchar as a translation (``{"en_US": value}``) and
move a timestamp column away. A partner's values go to its own company when
it is restricted to one; else to each default company of the active users of
its contacts (every company whose users used the API keeps its webhook);
else to the main company. Values as Odoo writes them: strings, datetimes
``YYYY-MM-DD HH:MM:SS`` (``fields.Datetime.to_string``), no key for NULL.
"""

from odoo.tools import SQL

# the columns, and whether they hold a datetime
WEBHOOK_COLUMNS = {
    "order_api_webhook_url": False,
    "order_api_webhook_secret": False,
    "order_api_webhook_event_types": False,
    "order_api_webhook_previous_secret": False,
    "order_api_webhook_previous_secret_expiry": True,
}


def migrate(cr, version):
    if not version:
        return
    _idempotency_company(cr)
    _webhook_per_company(cr)


def _idempotency_company(cr):
    cr.execute(
        "ALTER TABLE partner_order_api_idempotency"
        " ADD COLUMN IF NOT EXISTS company_id integer"
    )
    cr.execute(
        """
        UPDATE partner_order_api_idempotency idem
           SET company_id = COALESCE(
                   (SELECT o.company_id FROM sale_order o
                     WHERE o.name = idem.response_body::jsonb ->> 'biomes_order_id'
                       AND o.order_api_partner_id = idem.partner_id
                     ORDER BY o.id DESC LIMIT 1),
                   (SELECT p.company_id FROM res_partner p WHERE p.id = idem.partner_id),
                   (SELECT d.res_id FROM ir_model_data d
                     WHERE d.module = 'base' AND d.name = 'main_company'),
                   (SELECT min(c.id) FROM res_company c)
               )
         WHERE idem.company_id IS NULL
        """
    )


def _webhook_per_company(cr):
    """The webhook columns not yet jsonb (18.0.1.0.0 has only the URL and
    the secret), converted to company_dependent values."""
    cr.execute(
        """
        SELECT column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'res_partner'
           AND column_name = ANY(%s) AND data_type <> 'jsonb'
        """,
        [list(WEBHOOK_COLUMNS)],
    )
    columns = sorted(row[0] for row in cr.fetchall())
    if not columns:
        return
    # the companies of each partner holding a value (before any column moves)
    holds_value = SQL(" OR ").join(
        SQL("p.%s IS NOT NULL", SQL.identifier(col)) for col in columns
    )
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE poa_webhook_company ON COMMIT DROP AS
            SELECT p.id AS partner_id,
                   COALESCE(
                       CASE WHEN p.company_id IS NOT NULL THEN ARRAY[p.company_id] END,
                       (SELECT array_agg(DISTINCT u.company_id)
                          FROM res_users u
                          JOIN res_partner contact ON contact.id = u.partner_id
                         WHERE u.active
                           AND contact.commercial_partner_id = p.commercial_partner_id),
                       ARRAY[COALESCE(
                           (SELECT d.res_id FROM ir_model_data d
                             WHERE d.module = 'base' AND d.name = 'main_company'),
                           (SELECT min(c.id) FROM res_company c))]
                   ) AS company_ids
              FROM res_partner p
             WHERE %s
            """,
            holds_value,
        )
    )
    for col in columns:
        old = f"{col}_pre_1_2"
        value = SQL("p.%s", SQL.identifier(old))
        if WEBHOOK_COLUMNS[col]:
            value = SQL("to_char(%s, 'YYYY-MM-DD HH24:MI:SS')", value)
        cr.execute(
            SQL(
                "ALTER TABLE res_partner RENAME COLUMN %s TO %s",
                SQL.identifier(col),
                SQL.identifier(old),
            )
        )
        cr.execute(
            SQL("ALTER TABLE res_partner ADD COLUMN %s jsonb", SQL.identifier(col))
        )
        cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET %s = (SELECT jsonb_object_agg(company_id::text, to_jsonb(%s))
                               FROM unnest(w.company_ids) company_id)
                  FROM poa_webhook_company w
                 WHERE w.partner_id = p.id AND p.%s IS NOT NULL
                """,
                SQL.identifier(col),
                value,
                SQL.identifier(old),
            )
        )
        cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN %s", SQL.identifier(old)))
    cr.execute("DROP TABLE poa_webhook_company")
