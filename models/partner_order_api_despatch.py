# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``GET order/document?type=despatch_advice``: the UBL 2.1 DespatchAdvice
of a done delivery of a partner's order (issue 28).

Found as the delivery slip is (``partner_order_api_document.py``:
``_order_delivery_sudo``: a done outgoing delivery of the order, by name
or the latest; any other, a delivery not done included, is 404
``not_found`` as for ``delivery_slip``), read here with the ORM, elevated
(the order was checked to be the caller's), and written by
``lib/despatch_advice.py``. The packages and weights are the order
object's (the reader's ``_despatch``, ``order_reader_despatch.py``), so
the document and ``deliveries[]`` never disagree. No PDF, no render slot:
the XML is made in milliseconds; the request costs what any document
costs (``lib/costs.py``).
"""

from odoo import models

from ..lib import gs1
from ..lib.despatch_advice import despatch_advice_xml
from .order_reader_despatch import has_expiry


class PartnerOrderApiDocument(models.AbstractModel):
    _inherit = "partner.order.api.document"  # pylint: disable=consider-merging-classes-inherited

    def _despatch_advice(self, order_sudo, picking_sudo):
        """The DespatchAdvice (bytes) of ``picking_sudo``, a done outgoing
        delivery of ``order_sudo``."""
        picking_sudo.ensure_one()
        self.env.flush_all()  # the reader's statement sees what the ORM holds
        reader = self.env["partner.order.api.order.reader"]
        despatch = reader._despatch([order_sudo.id]).get(picking_sudo.id) or {}
        units = {
            package["id"]: dict(package, sscc=gs1.sscc(package["name"]))
            for package in despatch.get("packages") or []
        }
        weight_uom = self.env[
            "product.template"
        ]._get_weight_uom_id_from_ir_config_parameter()
        edi = self.env["account.edi.common"]
        done = picking_sudo.date_done.date()
        data = {
            "id": picking_sudo.name,
            "issue_date": done,
            "despatch_date": done,
            "order_id": order_sudo.order_api_external_id or order_sudo.name,
            "sales_order_id": order_sudo.name,
            "supplier": _party_values(picking_sudo.company_id.partner_id),
            "customer": _party_values(picking_sudo.partner_id),
            "carrier": picking_sudo.carrier_id.name or None,
            "tracking_ref": picking_sudo.carrier_tracking_ref or None,
            "weight": despatch.get("weight") or 0.0,
            "weight_unit": edi._get_uom_unece_code(weight_uom),
            "units": list(units.values()),
            "lines": self._despatch_lines(order_sudo, picking_sudo, units),
        }
        return despatch_advice_xml(data)

    def _despatch_lines(self, order_sudo, picking_sudo, units):
        """The DespatchAdvice's lines of ``picking_sudo``: one per package,
        product (and its EAN as shipped) and lot, in the order the goods
        were packed, each quantity in its order line's unit."""
        positions = {
            line.id: index
            for index, line in enumerate(
                order_sudo.order_line.filtered(
                    lambda line: not line.display_type and not line.is_delivery
                ).sorted(lambda line: (line.sequence, line.id)),
                start=1,
            )
        }
        edi = self.env["account.edi.common"]
        expiry = has_expiry(self.env)  # product_expiry is optional
        lines = {}
        for sml in picking_sudo.move_line_ids.filtered(
            lambda sml: sml.state == "done"
        ).sorted("id"):
            move = sml.move_id
            key = (
                sml.result_package_id.id,
                move.product_id.id,
                move.order_api_ean,
                sml.lot_id.id,
            )
            if key not in lines:
                sale_line = move.sale_line_id
                lot = sml.lot_id
                expiry_date = None
                if expiry and lot and lot.expiration_date:
                    expiry_date = lot.expiration_date.date()
                lines[key] = {
                    "quantity": 0.0,
                    "unit_code": edi._get_uom_unece_code(move.product_uom),
                    "order_line": positions.get(sale_line.id, "NA"),
                    "name": sale_line.order_api_product_name or move.product_id.name,
                    "customer_reference": sale_line.order_api_customer_reference
                    or None,
                    "default_code": sale_line.order_api_default_code or None,
                    "gtin": gs1.gtin(move.order_api_ean),
                    "lot": lot.name or None,
                    "expiry_date": expiry_date,
                    "unit": units.get(sml.result_package_id.id),
                }
            lines[key]["quantity"] += sml.product_uom_id._compute_quantity(
                sml.quantity, move.product_uom, rounding_method="HALF-UP"
            )
        return list(lines.values())


def _party_values(partner):
    """A party of the DespatchAdvice: the partner's name (a contact's
    company name when it has no name), address and its company's VAT."""
    return {
        "name": partner.name or partner.commercial_partner_id.name,
        "street": partner.street,
        "street2": partner.street2,
        "city": partner.city,
        "zip": partner.zip,
        "country_code": partner.country_id.code,
        "vat": partner.commercial_partner_id.vat,
    }
