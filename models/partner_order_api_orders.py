# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The use cases of a partner's orders, model ``partner.order.api.orders``
in two files: what a partner reads and cancels (here: ``GET orders``,
``GET order_status``, ``POST order/cancel``) and what it creates
(``partner_order_api_orders_create.py``: ``POST order``, ``POST
order/quote``, ``POST orders/batch``) and what it changes
(``partner_order_api_orders_change.py``: ``POST order/change``). Each checks the caller
(``partner.order.api.caller``), then acts; which orders a partner reads and
what they look like are the reader's (``partner.order.api.order.reader``,
``order_reader.py``), called with the caller's commercial partner. A
portal user may not create or confirm an order, nor create a delivery
contact: that is done elevated in ``_create_order_sudo`` only, after the
caller and its input were checked."""

import logging

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib import errors

_logger = logging.getLogger(__name__)


def _documents(label, records, state):
    """``"transfer WH/PICK/00003 is done"``, ``"transfers A, B are done"``:
    ``records`` by name, for an error message."""
    names = ", ".join(records.sorted("id").mapped("name"))
    if len(records) == 1:
        return f"{label} {names} is {state}"
    return f"{label}s {names} are {state}"


class PartnerOrderApiOrders(models.AbstractModel):
    _name = "partner.order.api.orders"
    _description = "Partner Order API: a partner's orders"

    # ------------------------------------------------------------------
    # GET orders, GET order_status
    # ------------------------------------------------------------------

    def _list_orders(self, page, page_size, filters=None):
        """A page of the partner's orders with the pagination (``filters``:
        ``lib.validation.parse_orders_query``; the sync's
        ``next_updated_since`` and the counts: the reader's ``_page``)."""
        self.env["partner.order.api.caller"]._partner_sudo()  # enabled?
        return self.env["partner.order.api.order.reader"]._page(
            self.env["partner.order.api.caller"]._partner_id(), page, page_size, filters
        )

    def _get_order_status(self, identified_by, order_id):
        """The partner's order (its object), found by the reader
        (``_find``: another partner's order is 404 ``not_found``)."""
        self.env["partner.order.api.caller"]._partner_sudo()  # enabled?
        reader = self.env["partner.order.api.order.reader"]
        order_sudo = reader._find(
            self.env["partner.order.api.caller"]._partner_id(), identified_by, order_id
        )
        return reader._serialize(order_sudo)[0]

    # ------------------------------------------------------------------
    # POST order/cancel
    # ------------------------------------------------------------------

    def _cancel_order(self, identified_by, order_id):
        """Cancel the partner's order through Odoo's own flow
        (``sale.order.action_cancel``) and answer the cancelled order.

        Refused with 409 ``not_cancellable``, whose message says why and
        names the blocking documents, and nothing changed:

        - an order that this partner did not place through the API
          (``order_api_partner_id`` empty, e.g. entered by a salesperson, or
          another partner's): the API cancels only what its client ordered,
          whatever the order's state; a salesperson cancels the others;
        - a locked order (Odoo's ``locked``, as ``action_cancel`` refuses);
        - an order with a posted customer invoice or credit note;
        - an order any of whose transfers (pick, pack, delivery, return:
          every picking of the order) is done.

        Otherwise ``action_cancel`` runs as its confirmation wizard runs it
        (``disable_cancel_warning``: the wizard would only mail the customer,
        who asked for it), and Odoo cancels the open transfers of every step
        and the draft invoices with the order. Anything Odoo refuses on the
        way (a ``UserError``, or an order still not cancelled afterwards, e.g.
        a wizard asked by another module) is a 409 too. The error is raised,
        so the request's transaction is rolled back. A concurrent validation
        of one of its transfers writes the same stock rows: one of the two
        transactions fails to serialize and Odoo replays the request, which
        then sees the done transfer. Cancelling an API order that is already
        cancelled answers it again; another partner's order is 404
        ``not_found``."""
        reader = self.env["partner.order.api.order.reader"]
        order_sudo = self._own_api_order(
            identified_by, order_id, errors.NotCancellable, "cancelled"
        )
        if order_sudo.state == "cancel":
            return reader._serialize(order_sudo)[0]
        reasons = self._cancel_blockers(order_sudo)
        if reasons:
            raise errors.NotCancellable(
                f"Order {order_sudo.name} can no longer be cancelled: "
                f"{'; '.join(reasons)}."
            )
        try:
            # elevated: a portal user cannot cancel orders or their pickings
            order_sudo.with_context(disable_cancel_warning=True).action_cancel()
        except UserError as exc:
            raise errors.NotCancellable(
                f"Order {order_sudo.name} can no longer be cancelled: {exc.args[0]!s}"
            ) from exc
        if order_sudo.state != "cancel":
            raise errors.NotCancellable(
                f"Order {order_sudo.name} can no longer be cancelled through the "
                "API: ask your sales contact to cancel it."
            )
        _logger.info(
            "Partner Order API: %s cancelled by user #%s",
            order_sudo.name,
            self.env.uid,
        )
        return reader._serialize(order_sudo)[0]

    def _own_api_order(self, identified_by, order_id, refusal, done, lock=False):
        """The caller's order named ``order_id`` by its ``identified_by``
        (in sudo), that the API may act on (cancel, change, return): 404
        ``not_found`` for an order it cannot read (the reader's ``_find``),
        and ``refusal`` (a 409 error class) for an order its partner did not
        place through the API (a salesperson's, another contact's): the API
        acts only on what the integration ordered. ``done``: what would be
        done, for the message (``"cancelled"``). With ``lock``, the order's
        row is locked first (``_lock_order``)."""
        caller = self.env["partner.order.api.caller"]
        order_sudo = self.env["partner.order.api.order.reader"]._find(
            caller._partner_id(), identified_by, order_id
        )
        if lock:
            self._lock_order(order_sudo)
        if order_sudo.order_api_partner_id != caller._partner_sudo():
            raise refusal(
                f"Order {order_sudo.name} was not placed through the Partner "
                "Order API by this partner: only orders placed through the API "
                f"can be {done} through it; ask your sales contact."
            )
        return order_sudo

    def _lock_order(self, order_sudo):
        """Lock the order's row before anything of it is read: a concurrent
        change, return or cancellation (or the reservation cron marking it
        changed, ``sale_order_freshness.py``) waits here, and the one that
        comes second is refused by PostgreSQL (could not serialize, not
        logged as an error) and replayed by Odoo on the first's result."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM sale_order WHERE id = %s FOR NO KEY UPDATE",
                order_sudo.id,
            ),
            log_exceptions=False,
        )

    def _cancel_blockers(self, order_sudo):
        """Why the API refuses to cancel ``order_sudo`` (see
        ``_cancel_order``), each reason naming its documents; empty: nothing
        stands in the way."""
        reasons = []
        if order_sudo.locked:
            reasons.append("it is locked")
        posted = order_sudo.invoice_ids.filtered(lambda move: move.state == "posted")
        for move_type, label in (
            ("out_invoice", "invoice"),
            ("out_refund", "credit note"),
        ):
            moves = posted.filtered(lambda move, t=move_type: move.move_type == t)
            if moves:
                reasons.append(_documents(label, moves, "posted"))
        done = order_sudo.picking_ids.filtered(lambda picking: picking.state == "done")
        if done:
            reasons.append(_documents("transfer", done, "done"))
        return reasons
