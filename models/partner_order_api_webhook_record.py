# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Recording webhook events, inside the business transaction that makes
them (the outbox): an order created, shipped, invoiced, cancelled. Sending
them is the cron's (``partner_order_api_webhook_event.py``)."""

from collections import Counter

from odoo import api, models

from .partner_order_api_webhook_event import _dumps


class PartnerOrderApiWebhookEvent(models.Model):
    _inherit = "partner.order.api.webhook.event"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Recording (inside the business transaction)
    # ------------------------------------------------------------------

    @api.model
    def _record_order_events(self, order_pickings, event_type="order.updated"):
        """Queue, per ``(order, picking or None)`` of an API order whose
        partner has a webhook URL, one ``event_type`` event and, beside it,
        one ``order.updated`` (the event clients that know no other type
        receive for every change), each if the partner receives that type,
        with the order object as it is now, and wake the sender."""
        types = list(dict.fromkeys(["order.updated", event_type]))
        return self._record_events(order_pickings, set(types), lambda _body: types)

    @api.model
    def _record_delivery_events(self, order_pickings):
        """The events of validated outgoing deliveries: ``order.updated`` (as
        always) and ``order.shipped`` or ``order.partially_shipped``, from
        the ``status`` of the order object after the validation."""

        def event_types(body):
            shipped = body["status"] == "shipped"
            return [
                "order.updated",
                "order.shipped" if shipped else "order.partially_shipped",
            ]

        return self._record_events(
            order_pickings,
            {"order.updated", "order.shipped", "order.partially_shipped"},
            event_types,
        )

    @api.model
    def _record_events(self, order_pickings, possible_types, event_types_of):
        """Queue, for each ``(order, picking or None)``, one event per type
        of ``event_types_of(body)`` that the order's API partner receives
        (``possible_types``: every type it may answer); the body is the
        order's ``order_status`` body now (the reader's ``_serialize``).
        Never sends anything."""
        candidates = []
        for order, picking in order_pickings:
            # the webhooks of the order's company: only its users read the order
            partner = order.order_api_partner_id.sudo()
            if partner.order_api_enabled:
                candidates.append(
                    (order.sudo(), picking, (partner.id, order.company_id.id))
                )
        # the endpoints of each (partner, company) and the types each
        # receives, for the whole batch in one query
        targets = (
            self.env["partner.order.api.webhook.endpoint"]
            .sudo()
            ._targets({key for _order, _picking, key in candidates})
        )
        pairs = []
        for order, picking, key in candidates:
            for endpoint_id, codes in targets[key]:
                wanted = possible_types.intersection(codes)
                if wanted:
                    pairs.append((order, picking, endpoint_id, wanted))
        if not pairs:
            return self.browse()
        orders = (
            self.env["sale.order"]
            .sudo()
            .union(*(order for order, _picking, _endpoint, _wanted in pairs))
        )
        reader = self.env["partner.order.api.order.reader"]
        payloads = dict(zip(orders.ids, reader._serialize(orders), strict=True))
        vals_list = []
        bodies = {
            order_id: dict({"success": True}, **payload)
            for order_id, payload in payloads.items()
        }
        dumped = {order_id: _dumps(body) for order_id, body in bodies.items()}
        for order, picking, endpoint_id, wanted in pairs:
            body = bodies[order.id]
            payload = dumped[order.id]
            for event_type in event_types_of(body):
                if event_type not in wanted:
                    continue
                vals_list.append(
                    {
                        "event_type": event_type,
                        "partner_id": order.order_api_partner_id.id,
                        "order_id": order.id,
                        "company_id": order.company_id.id,
                        "picking_id": picking.id if picking else False,
                        "endpoint_id": endpoint_id,
                        "payload": payload,
                    }
                )
        if not vals_list:
            return self.browse()
        self._number_events(vals_list)
        events = self.sudo().create(vals_list)
        self._wake_sender()
        return events

    @api.model
    def _number_events(self, vals_list):
        """Give each event of ``vals_list`` its ``sequence``: per order and
        endpoint, one more than the previous event of that order to that
        endpoint, in the order of the list (one statement for the batch)."""
        counts = Counter((vals["order_id"], vals["endpoint_id"]) for vals in vals_list)
        last = self.env["partner.order.api.webhook.sequence"].sudo()._next(counts)
        taken = Counter()
        for vals in vals_list:
            pair = (vals["order_id"], vals["endpoint_id"])
            vals["sequence"] = last[pair] - counts[pair] + 1 + taken[pair]
            taken[pair] += 1
