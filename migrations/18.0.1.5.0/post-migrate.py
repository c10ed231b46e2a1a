# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.5.0: new event types do not widen an existing webhook.

A webhook without a choice of events receives every type
(``partner.order.api.webhook.subscription``). This release adds event
types (``order.changed``, ``order.return_requested``, ``order.returned``);
a receiver written for the old ones, which does not read
``X-Webhook-Event``, would process those too (a change it already sees as
``order.updated``, a second time). So every webhook that has a URL in a
company and no choice there is pinned to the types it received before
this release (``types_received``: two types from 18.0.1.0.0, six from
the later ones); a partner opts in to the new ones (``PUT webhook``
``event_types``, the portal, the partner's *Order API* tab). Webhooks set
up after the upgrade without a choice receive every type, as before.
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

# The order event types a webhook without a choice received, by release
# (ping is always sent): 18.0.1.0.0 had two, 18.0.1.1.0 to 18.0.1.4.0 six
# (lib.events.ORDER_EVENT_TYPES as 18.0.1.4.0 had them).
TYPES_OF_1_0 = ("order.updated", "order.cancelled")
TYPES_OF_1_4 = (
    "order.updated",
    "order.created",
    "order.partially_shipped",
    "order.shipped",
    "order.cancelled",
    "order.invoiced",
)


def unchosen_webhooks(cr):
    """``{company id: [partner ids]}`` of the webhooks with a URL in a
    company (the company_dependent column's jsonb) and no subscription row
    with event types there."""
    cr.execute(
        SQL(
            """
            SELECT c.id, array_agg(p.id ORDER BY p.id)
              FROM res_partner p
             CROSS JOIN LATERAL jsonb_each_text(p.order_api_webhook_url) v
              JOIN res_company c ON c.id::text = v.key
             WHERE jsonb_typeof(p.order_api_webhook_url) = 'object'
               AND coalesce(v.value, '') <> ''
               AND NOT EXISTS (
                   SELECT 1
                     FROM partner_order_api_webhook_subscription s
                     JOIN partner_order_api_webhook_subscription_event_type_rel r
                       ON r.subscription_id = s.id
                    WHERE s.partner_id = p.id AND s.company_id = c.id)
             GROUP BY c.id
            """
        )
    )
    return dict(cr.fetchall())


def types_received(version):
    """What a webhook without a choice received in release ``version`` (the
    one the database is upgraded from): a 18.0.1.0.0 receiver, which reads
    no ``X-Webhook-Event``, must not start receiving the 18.0.1.1.0 types
    (each change a second time, as ``order.created``, ``order.shipped``...)."""
    numbers = tuple(int(part) for part in version.split(".")[2:5])
    return TYPES_OF_1_0 if numbers < (1, 1, 0) else TYPES_OF_1_4


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute("UPDATE sale_order SET order_api_digest = NULL")
    env["sale.order"]._order_api_fill_digests()
    pinned = env["partner.order.api.event.type"]._of_codes(types_received(version))
    for company_id, partner_ids in unchosen_webhooks(cr).items():
        env["partner.order.api.webhook.subscription"]._set_event_types(
            env["res.partner"].browse(partner_ids),
            env["res.company"].browse(company_id),
            pinned,
        )
    env.flush_all()
