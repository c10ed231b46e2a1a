# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.2.0: one company per API request (README, "Several companies").

Idempotency keys are kept per partner, company and key: the rows of the
previous release get the company of the order they answered, else of their
partner, else the main company, so that their replays still answer.
"""


def migrate(cr, version):
    if not version:
        return
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
