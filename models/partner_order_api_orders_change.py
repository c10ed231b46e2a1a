# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a partner changes in an order it placed: ``POST order/change`` and
its dry run (``dry_run: true``, ``POST order/change/quote``). Part of
``partner.order.api.orders`` (``partner_order_api_orders.py``).

A change goes through Odoo's own flows, as a salesperson's edit of a
confirmed order would: a line's quantity is written on the line (sale_stock
then raises or lowers the open delivery's move, or adds one), a new EAN is
a new line, a removed line keeps its place with quantity 0 (Odoo does not
delete a confirmed line: the order object shows it with ``quantity`` 0, in
every answer alike, as the back office does), the address is the order's
delivery contact (found or created as ``POST order`` does,
``_delivery_contact_sudo``) and the requested date its ``commitment_date``.

What is already done is never changed (409 ``not_changeable``, naming the
blocking documents, nothing written): a line of a product that a done
transfer of the order moved (the delivery, or a pick or pack step of a
multi-step route), a quantity below what was delivered or invoiced, a line
on a posted invoice, the address or date once a delivery is done; a
cancelled, locked or unconfirmed order, or one the partner did not place
through the API.

Two changes of one order are serialized on its row, locked before anything
of it is read (``_lock_order``): the second waits, then PostgreSQL refuses
it (could not serialize) and Odoo replays it, on the first's result.

The dry run makes the same change in a savepoint and rolls it back: the
answer is the object the reader makes of the changed order, exactly what
the change would answer, and nothing stays (the savepoint's rollback
clears the ORM's caches and the precommit hooks; no event, no note, no
reservation is made for a dry run). One thing stays: a dry run that adds a
product to an order with no open delivery creates a delivery in the
savepoint, and the number its sequence gave it (PostgreSQL sequences are
not transactional) is not given again.
"""

import logging

from markupsafe import Markup

from odoo import Command, _, fields, models

from ..lib import errors
from .partner_order_api_orders import _documents

_logger = logging.getLogger(__name__)


class _RolledBack(Exception):
    """Leaves the dry run's savepoint (rolled back) with its answer."""

    def __init__(self, answer):
        super().__init__()
        self.answer = answer


class PartnerOrderApiOrders(models.AbstractModel):
    _inherit = "partner.order.api.orders"  # pylint: disable=consider-merging-classes-inherited

    def _change_order(self, payload, dry_run=False):
        """Change the partner's order as ``payload`` says
        (``lib.validation.parse_order_change``) and answer its object; with
        ``dry_run`` (or the payload's), the object it would become, nothing
        written."""
        partner_sudo = self.env["partner.order.api.caller"]._partner_sudo()
        reader = self.env["partner.order.api.order.reader"]
        order_sudo = self._own_api_order(
            payload["identified_by"],
            payload["order_id"],
            errors.NotChangeable,
            "changed",
            lock=True,
        )
        self._check_order_changeable(order_sudo)
        plan = self._change_plan(order_sudo, partner_sudo, payload)
        if dry_run or payload["dry_run"]:
            try:
                with self.env.cr.savepoint():
                    self._apply_change(order_sudo, plan, dry_run=True)
                    raise _RolledBack(reader._serialize(order_sudo)[0])
            except _RolledBack as done:
                return done.answer
        self._apply_change(order_sudo, plan)
        self.env["partner.order.api.webhook.event"]._record_order_events(
            [(order_sudo, None)], "order.changed"
        )
        _logger.info(
            "Partner Order API: %s changed by user #%s", order_sudo.name, self.env.uid
        )
        return reader._serialize(order_sudo)[0]

    def _check_order_changeable(self, order_sudo):
        """409 ``not_changeable`` for an order the API does not change (not
        placed through it: ``_own_api_order``)."""
        reasons = []
        if order_sudo.state == "cancel":
            reasons.append("it is cancelled")
        elif order_sudo.state != "sale" and not (
            # a test order stays a sent quotation (sale_order_test_mode.py)
            order_sudo.order_api_test and order_sudo.state == "sent"
        ):
            reasons.append("it is not confirmed")
        if order_sudo.locked:
            reasons.append("it is locked")
        if reasons:
            raise errors.NotChangeable(
                f"Order {order_sudo.name} can no longer be changed: "
                f"{'; '.join(reasons)}."
            )

    # ------------------------------------------------------------------
    # What would change, checked before anything is written
    # ------------------------------------------------------------------

    def _change_plan(self, order_sudo, partner_sudo, payload):
        """``{"lines": [(line or None, product, amount)], "address": (address,
        country) or None, "date": date or None}``: the change, checked (400,
        403 ``product_not_allowed``, 409 ``not_changeable``)."""
        reasons = []
        lines = []
        if payload["lines"]:
            lines = self._change_lines(order_sudo, partner_sudo, payload["lines"])
            for line, _product, amount in lines:
                if line:
                    reasons += self._line_blockers(order_sudo, line, amount)
        address = None
        if payload["delivery_address"]:
            address = payload["delivery_address"]
            _partner, _lines, country = self._order_input(
                dict(payload, lines=[], delivery_address=address)
            )
            address = (address, country)
        day = payload["requested_delivery_date"]
        if day and day < fields.Date.context_today(self):
            raise errors.ValidationError.from_details(
                [
                    {
                        "field": "requested_delivery_date",
                        "message": "requested_delivery_date must not be in the past.",
                    }
                ]
            )
        if address or day:
            shipped = order_sudo.picking_ids.filtered(
                lambda p: p.state == "done" and p.picking_type_code == "outgoing"
            )
            if shipped:
                what = "delivery address" if address else "requested delivery date"
                reasons.append(
                    f"the {what} cannot change: "
                    + _documents("delivery", shipped, "done")
                )
        if reasons:
            raise errors.NotChangeable(
                f"Order {order_sudo.name} cannot be changed so: "
                f"{'; '.join(dict.fromkeys(reasons))}."
            )
        return {"lines": lines, "address": address, "date": day}

    def _change_lines(self, order_sudo, partner_sudo, changes):
        """``[(line or None, product, amount)]`` of the named EANs: the
        order's line of that EAN (as ordered), else a new line of the allowed
        product (403 ``product_not_allowed`` as in ``POST order``); a new or
        changed quantity (not 0) keeps to the product's minimum and multiple
        (400, ``partner_order_api_quantity_rule.py``)."""
        by_ean = {}
        for line in order_sudo.order_line.filtered(
            lambda sol: not sol.display_type and sol.product_id and not sol.is_delivery
        ):
            by_ean.setdefault(line.order_api_ean or line.product_id.barcode, []).append(
                line
            )
        allowed = None
        result = []
        checks = []  # new or changed quantities: the product's quantity rule
        for index, change in enumerate(changes):
            found = by_ean.get(change["ean"])
            if found:
                result.append(self._one_line(order_sudo, change, found))
                checks.append((f"lines[{index}].amount", result[-1]))
                continue
            if allowed is None:
                allowed = {}
                products = self.env[
                    "partner.order.api.products"
                ]._allowed_products_sudo(partner_sudo)
                for product in products.sorted("id"):
                    allowed.setdefault(product.barcode, product)
            product = allowed.get(change["ean"])
            if not product:
                raise errors.ProductNotAllowed(
                    f"EAN {change['ean']} is unknown or not allowed for this partner."
                )
            # the product ordered under another EAN (re-barcoded since)
            found = [
                line
                for lines in by_ean.values()
                for line in lines
                if line.product_id == product
            ]
            if found:
                result.append(self._one_line(order_sudo, change, found))
            elif change["amount"]:
                result.append((None, product, change["amount"]))
            else:
                continue
            checks.append((f"lines[{index}].amount", result[-1]))
        self.env["partner.order.api.products"]._check_order_quantities(
            partner_sudo,
            [
                (field, product, amount)
                for field, (line, product, amount) in checks
                if amount and not (line and amount == line.product_uom_qty)
            ],
        )
        return result

    def _one_line(self, order_sudo, change, lines):
        """``(line, product, amount)`` of the one line of ``lines`` (those of
        the EAN ``change`` names); 409 when there are several (a
        salesperson's doing: which one would change is not the API's call)."""
        if len(lines) > 1:
            raise errors.NotChangeable(
                f"Order {order_sudo.name} holds EAN {change['ean']} on several "
                "lines: ask your sales contact to change it."
            )
        return lines[0], lines[0].product_id, change["amount"]

    def _line_blockers(self, order_sudo, line, amount):
        """Why ``line`` cannot get ``amount``, each reason naming its
        documents; empty: nothing stands in the way (or nothing changes)."""
        if amount == line.product_uom_qty:
            return []
        ean = line.order_api_ean or line.product_id.barcode
        reasons = []
        done = order_sudo.picking_ids.filtered(
            lambda p: (
                p.state == "done"
                and p.picking_type_code != "incoming"
                and line.product_id in p.move_ids.product_id
            )
        )
        shipped = done.filtered(lambda p: p.picking_type_code == "outgoing")
        if shipped:
            reasons.append(f"EAN {ean}: " + _documents("delivery", shipped, "done"))
        if done - shipped:
            reasons.append(
                f"EAN {ean} is picked: "
                + _documents("transfer", done - shipped, "done")
            )
        if amount < line.qty_delivered:
            reasons.append(f"EAN {ean}: {line.qty_delivered:g} already delivered")
        posted = line.invoice_lines.move_id.filtered(lambda m: m.state == "posted")
        if posted:
            reasons.append(f"EAN {ean}: " + _documents("invoice", posted, "posted"))
        elif amount < line.qty_invoiced:
            reasons.append(f"EAN {ean}: {line.qty_invoiced:g} already invoiced")
        return reasons

    # ------------------------------------------------------------------
    # Writing it (for real, or in the dry run's savepoint)
    # ------------------------------------------------------------------

    def _ship_to(self, order, contact):
        """Deliver ``order`` to ``contact``: its delivery address and that of
        its transfers (sale_stock's own update, which the back office asks
        for in a wizard; no done delivery exists, ``_change_plan``), of its
        open moves and of its procurement group, which the next steps of a
        multi-step delivery are made from."""
        order.with_context(
            update_delivery_shipping_partner=True
        ).partner_shipping_id = contact
        order.picking_ids.move_ids.filtered(
            lambda m: m.state not in ("done", "cancel") and m.partner_id
        ).partner_id = contact
        if order.procurement_group_id:
            order.procurement_group_id.partner_id = contact

    def _apply_change(self, order_sudo, plan, dry_run=False):
        """Write ``plan`` (``_change_plan``) through Odoo's flows; the
        reservation waits for the cron as after ``POST order``. Not for a dry
        run: the note in the chatter and the reservation's wake-up."""
        order = order_sudo.with_context(order_api_defer_reservation=True)
        notes = []
        if plan["address"]:
            address, country = plan["address"]
            env_sudo = self.sudo().with_company(self.env.company).env
            contact = self._delivery_contact_sudo(
                env_sudo, order.order_api_partner_id, address, country
            )
            if contact != order.partner_shipping_id:
                notes.append(_("delivery address: %s", contact.display_name))
                self._ship_to(order, contact)
        if plan["date"]:
            notes.append(_("requested delivery date: %s", plan["date"].isoformat()))
            order.write(
                self._prepare_planning_vals({"requested_delivery_date": plan["date"]})
            )
        for line, product, amount in plan["lines"]:
            ean = product.barcode
            if line is None:
                notes.append(_("EAN %(ean)s added: %(qty)s", ean=ean, qty=amount))
                order.order_line = [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": amount}
                    )
                ]
            elif line.product_uom_qty != amount:
                # (not an f-string in _()'s arguments: Odoo's term extraction
                # evaluates them)
                before = "%g" % line.product_uom_qty
                notes.append(
                    _(
                        "EAN %(ean)s: %(old)s → %(new)s",
                        ean=line.order_api_ean or ean,
                        old=before,
                        new=amount,
                    )
                )
                line.with_context(
                    order_api_defer_reservation=True
                ).product_uom_qty = amount
        if dry_run or not notes:
            return
        order.picking_ids._order_api_defer_reservation()
        # shown to the salesperson in the order's chatter
        order.message_post(
            body=Markup("<p><b>%s</b></p><ul>%s</ul>")
            % (
                _("Changed by the partner (Partner Order API):"),
                Markup().join(Markup("<li>%s</li>") % note for note in notes),
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
