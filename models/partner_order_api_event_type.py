# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook event types, as records: what a subscription relates to.

The list itself is ``lib.events.EVENT_TYPES`` (its order is the canonical
one); the records are made from it, with their xml ids
(``partner_order_api.event_type_order_shipped``), by
``_sync_event_types``, which ``data/partner_order_api_event_type_data.xml``
calls at every install and update: there is no second list in XML.
Nobody writes them but that function (``security/ir.model.access.csv``:
salespeople and administrators read them; portal users do not, the portal
and the API read them elevated).
"""

from odoo import api, fields, models

from ..lib.events import EVENT_TYPES

# name (the short label of the admin form's tags) and description (the
# portal's checkbox) of each code of EVENT_TYPES, translated as the records'
# fields (model terms of i18n/*.po)
EVENT_TYPE_LABELS = {
    "order.updated": (
        "Any change",
        "Any change, beside each event below (order.updated, the event "
        "older integrations know)",
    ),
    "order.created": ("Order created", "Order created (order.created)"),
    "order.partially_shipped": (
        "Partly shipped",
        "Partly shipped, more to come (order.partially_shipped)",
    ),
    "order.shipped": ("Fully shipped", "Fully shipped (order.shipped)"),
    "order.cancelled": ("Order cancelled", "Order cancelled (order.cancelled)"),
    "order.invoiced": ("Invoice posted", "Invoice posted (order.invoiced)"),
    "order.changed": (
        "Changed by the partner",
        "Changed by the partner through the API (order.changed)",
    ),
    "order.return_requested": (
        "Return requested",
        "Return of goods created (order.return_requested)",
    ),
    "order.returned": ("Goods returned", "Returned goods received (order.returned)"),
    "ping": ("Test event", "Test event (ping), always sent"),
}
# the code that is sent whatever the subscription
ALWAYS_SENT = "ping"


def event_type_xmlid(code):
    """``partner_order_api.event_type_order_shipped`` for ``order.shipped``."""
    return "partner_order_api.event_type_" + code.replace(".", "_")


class PartnerOrderApiEventType(models.Model):
    _name = "partner.order.api.event.type"
    _description = "Partner Order API: webhook event type"
    _order = "sequence, id"

    code = fields.Char(
        required=True,
        readonly=True,
        help="The event's name in the API: the X-Webhook-Event header, "
        "PUT webhook's event_types.",
    )
    name = fields.Char(required=True, readonly=True, translate=True)
    description = fields.Char(
        readonly=True,
        translate=True,
        help="What the event means, as the portal offers it.",
    )
    sequence = fields.Integer(
        readonly=True, help="The position of the code in the API's list."
    )

    _sql_constraints = [
        ("code_unique", "unique(code)", "An event type exists once per code."),
    ]

    @api.depends("name", "code")
    def _compute_display_name(self):
        for event_type in self:
            event_type.display_name = f"{event_type.name} ({event_type.code})"

    @api.model
    def _sync_event_types(self):
        """Make the records agree with ``EVENT_TYPES``: one per code, in its
        order, with its xml id (created or updated as XML data would be, so
        that the module's translations apply); those of codes no longer
        listed are deleted (with the subscriptions' choice of them)."""
        data_list = [
            {
                "xml_id": event_type_xmlid(code),
                "values": {
                    "code": code,
                    "name": EVENT_TYPE_LABELS[code][0],
                    "description": EVENT_TYPE_LABELS[code][1],
                    "sequence": sequence,
                },
            }
            for sequence, code in enumerate(EVENT_TYPES, start=1)
        ]
        records = self.sudo()._load_records(data_list, update=True)
        (self.sudo().search([]) - records).unlink()
        # what workers remember a webhook receives is made of these codes
        self.env["partner.order.api.webhook.endpoint"]._forget_targets()
        return records

    @api.model
    def _of_codes(self, codes):
        """The records of ``codes`` (a client's codes are checked before,
        by ``lib.validation.parse_event_types``: a code without its record
        here is a caller's bug, and raises)."""
        codes = set(codes)
        records = self.search([("code", "in", list(codes))]) if codes else self.browse()
        unknown = codes - set(records.mapped("code"))
        if unknown:
            raise ValueError(f"unknown webhook event types: {sorted(unknown)}")
        return records
