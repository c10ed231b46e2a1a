# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The examples of issue 28's UBL orders in (``record_ubl``): a UBL 2.1 /
Peppol BIS Order 3.0 posted to ``POST order`` (201 and the JSON order
object), and one naming a quantity that is not a whole number (400 naming
the XML element). Called by ``record()`` in
``scripts/gen_examples_record.py``; imports nothing of the addon
(``Recorder`` is passed in)."""

NS = (
    'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" '
    'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
    'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"'
)


def _order_xml(order_id, lines):
    """A UBL Order as a buyer's purchasing software sends it: ``lines``
    ``[(ean, quantity)]``."""
    items = "".join(
        f"""
  <cac:OrderLine>
    <cac:LineItem>
      <cbc:ID>{n}</cbc:ID>
      <cbc:Quantity unitCode="C62">{quantity}</cbc:Quantity>
      <cac:Item>
        <cbc:Name>Item {n}</cbc:Name>
        <cac:StandardItemIdentification>
          <cbc:ID schemeID="0160">{ean}</cbc:ID>
        </cac:StandardItemIdentification>
      </cac:Item>
    </cac:LineItem>
  </cac:OrderLine>"""
        for n, (ean, quantity) in enumerate(lines, 1)
    )
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<Order {NS}>
  <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:ordering:3</cbc:ProfileID>
  <cbc:ID>{order_id}</cbc:ID>
  <cbc:IssueDate>2026-12-01</cbc:IssueDate>
  <cbc:Note>Please call before delivery.</cbc:Note>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:BuyerCustomerParty>
    <cac:Party><cac:PartyName><cbc:Name>Example Lab</cbc:Name></cac:PartyName></cac:Party>
  </cac:BuyerCustomerParty>
  <cac:SellerSupplierParty>
    <cac:Party><cac:PartyName><cbc:Name>Biomes</cbc:Name></cac:PartyName></cac:Party>
  </cac:SellerSupplierParty>
  <cac:Delivery>
    <cac:DeliveryParty>
      <cac:PartyName><cbc:Name>John Doe</cbc:Name></cac:PartyName>
      <cac:PostalAddress>
        <cbc:StreetName>Main Street 1</cbc:StreetName>
        <cbc:CityName>Berlin</cbc:CityName>
        <cbc:PostalZone>10115</cbc:PostalZone>
        <cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country>
      </cac:PostalAddress>
    </cac:DeliveryParty>
  </cac:Delivery>{items}
</Order>
""".encode()


def record_ubl(rec, ctx):
    """Record the examples (see the module's docstring)."""
    eans, stamp = ctx["eans"], ctx["stamp"]
    order_id = f"PO-{stamp}-ubl"
    rec.masker.add(order_id, "PO-2026-0042")
    xml = {"Content-Type": "application/xml"}
    rec.call(
        "createOrder",
        "A UBL 2.1 Order (Peppol BIS Order 3.0) in place of the JSON body",
        "POST",
        "order",
        raw=_order_xml(order_id, [(eans[0], 2), (eans[1], 1)]),
        headers=xml,
    )
    rec.call(
        "createOrder",
        "400: a UBL Order line's quantity that is not a whole number",
        "POST",
        "order",
        raw=_order_xml(f"{order_id}-2", [(eans[0], "1.5")]),
        headers=xml,
    )
