# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a partner sends back: ``POST order/return``. Part of
``partner.order.api.orders`` (``partner_order_api_orders.py``).

Everything asked is checked against what the order's done outgoing
deliveries delivered, less what came back or is coming back (returns
still open count), before anything is written; then Odoo's own return
wizard (``stock.return.picking``) makes one return per delivery that
delivered those goods, in the order's procurement group (so its
``sale_id`` is the order's, and Odoo lowers the lines' delivered quantity
when it is received), confirmed and reserved as the wizard does. For
products tracked by lot or serial number the return's move lines are then
set to exactly the lots the partner named. The order object shows the
returns in ``returns`` (``order_reader_returns.py``); the webhook receives
``order.return_requested`` now, ``order.returned`` when the goods are
received (``stock_picking.py``)."""

import logging

from markupsafe import Markup

from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from ..lib import errors

_logger = logging.getLogger(__name__)


def _qty(value):
    """A quantity for a message: ``2`` rather than ``2.0``."""
    return f"{value:g}"


class PartnerOrderApiOrders(models.AbstractModel):
    _inherit = "partner.order.api.orders"  # pylint: disable=consider-merging-classes-inherited

    def _return_order(self, identified_by, order_id, lines, reason):
        """Create the returns of ``lines`` (``lib.validation.
        parse_return_request``: ``[{ean, amount, lots}]``) of the
        partner's order, with ``reason``, and answer the order object.

        Refused, nothing written: another partner's order (404
        ``not_found``, by the reader's ``_find``); 409 ``not_returnable``
        for an order this partner did not place through the API, an order
        with nothing delivered, an EAN not delivered on it, more than was
        delivered and not yet returned, a lot that did not leave on it or
        came back already; 400 for lots missing on a tracked product, lots
        on an untracked one, or more lots than the amount takes."""
        reader = self.env["partner.order.api.order.reader"]
        # two returns of one order at once: the second waits on the order's
        # row, then PostgreSQL refuses it (the first changed the row: its
        # updated_at) and Odoo replays the request, which sees the first
        order_sudo = self._own_api_order(
            identified_by, order_id, errors.NotReturnable, "returned", lock=True
        )
        order_sudo = order_sudo.with_company(order_sudo.company_id)
        if order_sudo.order_api_test:
            raise errors.NotReturnable(
                f"Order {order_sudo.name} is a test order: nothing was delivered "
                "to return."
            )
        delivered = order_sudo.picking_ids.filtered(
            lambda picking: (
                picking.picking_type_code == "outgoing" and picking.state == "done"
            )
        ).move_ids.filtered(lambda move: move.state == "done")
        if not delivered:
            raise errors.NotReturnable(
                f"Order {order_sudo.name} has nothing delivered to return."
            )
        allocations = []
        for index, line in enumerate(lines):
            allocations += self._return_allocation(order_sudo, delivered, index, line)
        returns = self._create_returns(order_sudo, allocations, reason)
        self.env["partner.order.api.webhook.event"]._record_order_events(
            [(order_sudo, returns[:1])], "order.return_requested"
        )
        _logger.info(
            "Partner Order API: return %s of %s requested by user #%s",
            ", ".join(returns.mapped("name")),
            order_sudo.name,
            self.env.uid,
        )
        return reader._serialize(order_sudo)[0]

    # ------------------------------------------------------------------
    # What may come back
    # ------------------------------------------------------------------

    def _return_allocation(self, order_sudo, delivered, index, line):
        """[(delivery move, quantity, lot or None)] that ``line`` sends
        back, or the error that refuses it."""
        ean = line["ean"]
        moves = delivered.filtered(
            lambda move: (move.order_api_ean or move.product_id.barcode) == ean
        ).sorted("id")
        if not moves:
            raise errors.NotReturnable(
                f"Order {order_sudo.name}: EAN {ean} was not delivered on this order."
            )
        product = moves.product_id[:1]
        field = f"lines[{index}].lots"
        if product.tracking == "none":
            if line["lots"]:
                raise errors.ValidationError.from_details(
                    [{"field": field, "message": f"EAN {ean} has no lots: send none."}]
                )
            return self._return_untracked(order_sudo, moves, line)
        if not line["lots"]:
            raise errors.ValidationError.from_details(
                [
                    {
                        "field": field,
                        "message": f"EAN {ean} is tracked by lot or serial "
                        "number: name the lots sent back.",
                    }
                ]
            )
        return self._return_tracked(order_sudo, moves, line, field)

    def _returnable(self, move, lot=None):
        """What of the done delivery ``move`` (of ``lot``) did not come back
        nor is coming back: its done quantity less its returns' (a received
        return by its done quantity, an open one by what it expects)."""
        rounding = move.product_uom.rounding
        if lot is None:
            sent = move.quantity
        else:
            sent = sum(
                move.move_line_ids.filtered(lambda sml: sml.lot_id == lot).mapped(
                    "quantity"
                )
            )
        back = 0.0
        for returned in move.returned_move_ids.filtered(
            lambda ret: ret.state != "cancel"
        ):
            if lot is not None:
                back += sum(
                    returned.move_line_ids.filtered(
                        lambda sml: sml.lot_id == lot
                    ).mapped("quantity")
                )
            elif returned.state == "done":
                back += returned.quantity
            else:
                back += returned.product_uom_qty
        left = sent - back
        return (
            0.0 if float_compare(left, 0.0, precision_rounding=rounding) <= 0 else left
        )

    def _return_untracked(self, order_sudo, moves, line):
        """The deliveries' moves ``line`` takes its amount from, oldest
        first."""
        wanted = line["amount"]
        left = {move: self._returnable(move) for move in moves}
        available = sum(left.values())
        if (
            float_compare(
                wanted, available, precision_rounding=moves[0].product_uom.rounding
            )
            > 0
        ):
            raise errors.NotReturnable(
                f"Order {order_sudo.name}: EAN {line['ean']} cannot be returned: "
                f"{_qty(available)} delivered and not yet returned, "
                f"{_qty(wanted)} asked."
            )
        result = []
        for move, quantity in left.items():
            take = min(quantity, wanted)
            if take > 0:
                result.append((move, take, None))
                wanted -= take
        return result

    def _return_tracked(self, order_sudo, moves, line, field):
        """The (move, lot) pairs ``line``'s lots take its amount from: each
        lot named by name or kit barcode, delivered on this order and not
        yet back; the amount taken from them in the order given."""
        sent = moves.move_line_ids.filtered(lambda sml: sml.lot_id).lot_id
        wanted = line["amount"]
        rounding = moves[0].product_uom.rounding
        # a move's own remainder caps its lots' (a return without lots)
        move_left = {move: self._returnable(move) for move in moves}
        result = []
        for label in line["lots"]:
            lots = sent.filtered(
                lambda lot, label=label: label in (lot.name, lot.kit_barcode)
            )
            pairs = [
                (move, lot, min(self._returnable(move, lot), move_left[move]))
                for lot in lots
                for move in moves
                if lot in move.move_line_ids.lot_id
            ]
            if not any(quantity for _move, _lot, quantity in pairs):
                raise errors.NotReturnable(
                    f"Order {order_sudo.name}: lot {label} of EAN {line['ean']} "
                    "did not leave on this order or came back already."
                )
            if float_is_zero(wanted, precision_rounding=rounding):
                raise errors.ValidationError.from_details(
                    [
                        {
                            "field": field,
                            "message": f"More lots than amount {line['amount']} "
                            f"takes: {label} would return nothing.",
                        }
                    ]
                )
            for move, lot, quantity in pairs:
                take = min(quantity, wanted, move_left[move])
                if take > 0:
                    result.append((move, take, lot))
                    wanted -= take
                    move_left[move] -= take
        if float_compare(wanted, 0.0, precision_rounding=rounding) > 0:
            raise errors.NotReturnable(
                f"Order {order_sudo.name}: EAN {line['ean']} cannot be returned: "
                f"lots {', '.join(line['lots'])} hold "
                f"{_qty(line['amount'] - wanted)} delivered and not yet "
                f"returned, {line['amount']} asked."
            )
        return result

    # ------------------------------------------------------------------
    # Odoo's return, made
    # ------------------------------------------------------------------

    def _create_returns(self, order_sudo, allocations, reason):
        """One return per delivery of ``allocations`` ([(move, quantity,
        lot)]), through Odoo's return wizard; its tracked moves get exactly
        the lots allocated; ``reason`` on each and in its chatter."""
        by_picking = {}
        for move, quantity, lot in allocations:
            by_picking.setdefault(move.picking_id, []).append((move, quantity, lot))
        Wizard = (
            self.env["stock.return.picking"]
            .sudo()
            .with_company(order_sudo.company_id)
            .with_context(order_api_return=True)
        )
        returns = self.env["stock.picking"].sudo()
        for picking in sorted(by_picking, key=lambda picking: picking.id):
            taken = by_picking[picking]
            wizard = Wizard.create({"picking_id": picking.id})
            for wizard_line in wizard.product_return_moves:
                wizard_line.quantity = sum(
                    quantity
                    for move, quantity, _lot in taken
                    if move == wizard_line.move_id
                )
            try:
                new_picking = wizard._create_return()
            except UserError as exc:
                raise errors.NotReturnable(
                    f"Order {order_sudo.name} cannot be returned: {exc.args[0]!s}"
                ) from exc
            self._set_return_lots(new_picking, taken)
            new_picking.order_api_return_reason = reason or False
            body = _("Return requested through the Partner Order API.")
            if reason:
                body = Markup("%s<br/>%s") % (body, _("Reason: %s", reason))
            new_picking.message_post(body=body)
            returns |= new_picking
        return returns

    def _set_return_lots(self, new_picking, taken):
        """The move lines of ``new_picking``'s tracked moves: exactly the
        lots of ``taken`` ([(delivery move, quantity, lot)]), whatever the
        wizard's reservation chose."""
        MoveLine = self.env["stock.move.line"].sudo()
        for return_move in new_picking.move_ids:
            lots = [
                (quantity, lot)
                for move, quantity, lot in taken
                if lot and move == return_move.origin_returned_move_id
            ]
            if not lots:
                continue
            return_move.move_line_ids.unlink()
            MoveLine.create(
                [
                    dict(
                        return_move._prepare_move_line_vals(quantity=quantity),
                        lot_id=lot.id,
                    )
                    for quantity, lot in lots
                ]
            )
