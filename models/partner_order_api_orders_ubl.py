# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A UBL 2.1 / Peppol BIS Order 3.0 document as the body of ``POST order``
and ``POST order/quote`` (issue 28). Part of ``partner.order.api.orders``
(``partner_order_api_orders.py``).

The document is parsed safely by ``lib/ubl_order.py``, read with Odoo's own
``sale_edi_ubl`` (``sale.edi.xml.ubl_bis3``: its line xpaths, its delivery
party values, ``account.edi.common._find_value`` with the UBL namespaces)
and turned into the JSON object a JSON client would send; that object goes
through ``lib.validation.parse_order_payload`` and then the very same use
case (``_create_order``, ``_quote_order``) as JSON. So every rule is the
JSON order's: the caller's partner, its allowed products, the
``external_order_id`` (the Order's ``cbc:ID``) and its uniqueness, the
delivery address, the errors.

The buyer party of the document (``cac:BuyerCustomerParty``) never chooses
the partner: the order is the caller's (the API key's partner), whatever
party the document names. It is ignored, as the seller party is: a buyer's
purchasing software names its own company the way its own records spell
it, which need not be how the seller's Odoo does.
"""

from odoo import models

from ..lib import errors, ubl_order, validation

_LINES = "./cac:OrderLine/cac:LineItem"


class PartnerOrderApiOrders(models.AbstractModel):
    _inherit = "partner.order.api.orders"  # pylint: disable=consider-merging-classes-inherited

    def _ubl_order_request(self, raw):
        """``(fingerprint_data, payload)`` of a UBL Order body ``raw``
        (bytes): what the ``Idempotency-Key`` fingerprint covers (the XML
        bytes) and the parsed payload of ``parse_order_payload``. Any error
        of the document is 400 ``validation_error`` naming its XML
        element; nothing is written."""
        tree = ubl_order.parse_order_xml(raw)
        values, address_parent = self._ubl_order_values(tree)
        data = ubl_order.order_data(values)
        try:
            payload = validation.parse_order_payload(data)
        except errors.ValidationError as exc:
            raise ubl_order.xml_error(exc, address_parent) from None
        return ubl_order.fingerprint_data(raw), payload

    def _ubl_order_values(self, tree):
        """The values of ``lib.ubl_order.order_data`` read from the Order
        ``tree`` with ``sale_edi_ubl``'s xpaths, and the XML element the
        delivery address was read from."""
        edi = self.env["sale.edi.xml.ubl_bis3"]
        address, address_parent = self._ubl_delivery_address(edi, tree)
        # Peppol BIS Order's buyer reference (an Invoice's BuyerReference)
        reference = edi._find_value(
            ("./cbc:CustomerReference", "./cbc:BuyerReference"), tree
        )
        return {
            "id": edi._find_value("./cbc:ID", tree),
            "notes": [
                reference and f"Buyer reference: {reference}",
                *(note.text for note in tree.findall("./{*}Note")),
            ],
            "requested_date": edi._find_value(
                (
                    "./cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate",
                    "./cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate",
                ),
                tree,
            ),
            "address": address,
            "lines": self._ubl_order_lines(edi, tree),
        }, address_parent

    def _ubl_order_lines(self, edi, tree):
        """``[(ean, quantity)]`` of the Order's lines, by ``sale_edi_ubl``'s
        line xpaths: ``delivered_qty`` (``cbc:Quantity``), the product's
        ``barcode`` (``StandardItemIdentification`` with schemeID 0160; one
        without a scheme as well, as Odoo's own ``purchase_edi_ubl_bis3``
        sends it) and ``default_code`` (``SellersItemIdentification``:
        an EAN, or a seller's code of one of the caller's allowed products
        only)."""
        xpaths = edi._get_line_xpaths()
        product_xpaths = xpaths["product"]
        any_standard = product_xpaths["barcode"].split("[@schemeID")[0]
        lines = []
        for line in tree.xpath(_LINES, namespaces=ubl_order.NAMESPACES):
            standard = edi._find_value(
                (product_xpaths["barcode"], f"{any_standard}[not(@schemeID)]"), line
            )
            lines.append(
                (
                    ubl_order.line_ean(
                        standard,
                        edi._find_value(product_xpaths["default_code"], line),
                        self._ubl_ean_of_code,
                    ),
                    ubl_order.quantity(line.findtext(xpaths["delivered_qty"])),
                )
            )
        return lines

    def _ubl_ean_of_code(self, code):
        """The EAN of the caller's allowed product whose internal reference
        is ``code`` (the seller's item id of a UBL line), or None: only the
        partner's allowed products are looked at, so a code does not reveal
        the catalogue."""
        partner_sudo = self.env["partner.order.api.caller"]._partner_sudo()
        allowed = self.env["partner.order.api.products"]._allowed_products_sudo(
            partner_sudo
        )
        products = allowed.filtered(lambda p: p.default_code == code and p.barcode)
        return products.sorted("id")[:1].barcode or None

    def _ubl_delivery_address(self, edi, tree):
        """The JSON ``delivery_address`` of the Order's ``cac:Delivery``
        (None without one) and the element its address came from:
        ``DeliveryLocation/Address`` or else ``DeliveryParty/PostalAddress``
        (where Odoo's ``purchase_edi_ubl_bis3`` puts it); name, phone and
        email are ``sale_edi_ubl``'s delivery values
        (``_import_retrieve_delivery_vals``)."""
        if tree.find("./{*}Delivery") is None:
            return None, ubl_order.ADDRESS_PARENTS[0]
        parent = next(
            (
                path
                for path in ubl_order.ADDRESS_PARENTS
                if tree.xpath(f"./{path}", namespaces=ubl_order.NAMESPACES)
            ),
            ubl_order.ADDRESS_PARENTS[0],
        )
        party = edi._import_retrieve_delivery_vals(tree)
        address = {
            "name": edi._find_value(f"./{ubl_order.DELIVERY_NAME}", tree)
            or party["name"],
            **{
                member: edi._find_value(f"./{parent}/{element}", tree)
                for member, element in ubl_order.ADDRESS_ELEMENTS.items()
            },
            "phone": party["phone"],
            "email": party["email"],
        }
        return address, parent
