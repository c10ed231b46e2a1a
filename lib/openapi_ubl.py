# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The XML request body of ``POST order`` and ``POST order/quote`` in the
OpenAPI document (issue 28): a UBL 2.1 / Peppol BIS Order 3.0, as
``lib/ubl_order.py`` and ``models/partner_order_api_orders_ubl.py`` read
it. ``lib/openapi.py`` adds ``UBL_SCHEMAS`` to components/schemas and
``xml_request_content()`` to the request body
of the operations declared ``xml_body=True`` (``openapi_operations.py``).
Pure Python, imports nothing of the addon.
"""

UBL_ORDER_EXAMPLE = """<?xml version='1.0' encoding='UTF-8'?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
       xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
       xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:ordering:3</cbc:ProfileID>
  <cbc:ID>PO-2026-0042</cbc:ID>
  <cbc:IssueDate>2026-12-01</cbc:IssueDate>
  <cbc:Note>Please call before delivery.</cbc:Note>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:BuyerCustomerParty>
    <cac:Party><cac:PartyName><cbc:Name>Example Clinic</cbc:Name></cac:PartyName></cac:Party>
  </cac:BuyerCustomerParty>
  <cac:SellerSupplierParty>
    <cac:Party><cac:PartyName><cbc:Name>Biomes</cbc:Name></cac:PartyName></cac:Party>
  </cac:SellerSupplierParty>
  <cac:Delivery>
    <cac:DeliveryParty>
      <cac:PartyName><cbc:Name>Example Clinic, Goods In</cbc:Name></cac:PartyName>
      <cac:PostalAddress>
        <cbc:StreetName>Main Street 1</cbc:StreetName>
        <cbc:CityName>Berlin</cbc:CityName>
        <cbc:PostalZone>10115</cbc:PostalZone>
        <cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country>
      </cac:PostalAddress>
    </cac:DeliveryParty>
  </cac:Delivery>
  <cac:OrderLine>
    <cac:LineItem>
      <cbc:ID>1</cbc:ID>
      <cbc:Quantity unitCode="C62">2</cbc:Quantity>
      <cac:Item>
        <cbc:Name>Sensor</cbc:Name>
        <cac:StandardItemIdentification>
          <cbc:ID schemeID="0160">4006381333931</cbc:ID>
        </cac:StandardItemIdentification>
      </cac:Item>
    </cac:LineItem>
  </cac:OrderLine>
</Order>
"""

XML_BODY_DESCRIPTION = (
    "A UBL 2.1 Order (Peppol BIS Order 3.0), sent with `Content-Type: "
    "application/xml` (or `text/xml`), in place of the JSON body; the answer "
    "is the JSON answer of the same order sent as JSON. Read from it: "
    "`cbc:ID` (the `external_order_id`, unique per partner as in JSON), "
    "`cbc:Note` and `cbc:CustomerReference` (the `note`), "
    "`cac:Delivery` (the `delivery_address`: the name of "
    "`cac:DeliveryParty`, the address of `cac:DeliveryLocation/cac:Address` "
    "or else `cac:DeliveryParty/cac:PostalAddress`, its telephone and e-mail), "
    "`cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate` (the "
    "`requested_delivery_date`), and per `cac:OrderLine/cac:LineItem` its "
    "`cbc:Quantity` (a whole number, in the product's unit) and its product: "
    "`cac:Item/cac:StandardItemIdentification/cbc:ID` (the EAN/GTIN, schemeID "
    "0160), or else `cac:SellersItemIdentification/cbc:ID` (an EAN, or the "
    "`default_code` of an allowed product). The buyer party never chooses the "
    "partner: the order is the API key's partner's, whatever "
    "`cac:BuyerCustomerParty` names. Errors are the JSON order's, in JSON, "
    "their `details[].field` naming the XML element. A document with a "
    "DOCTYPE, not well-formed, over the body-size limit or whose root is not "
    "a UBL `Order` answers 400 `validation_error` on `body`."
)


# components/schemas: the XML body, named as every body is
UBL_SCHEMAS = {
    "UblOrder": {
        "type": "string",
        "contentMediaType": "application/xml",
        "description": XML_BODY_DESCRIPTION,
    },
}


def xml_request_content():
    """The ``application/xml`` entry of the request body's ``content``."""
    return {
        "application/xml": {
            "schema": {"$ref": "#/components/schemas/UblOrder"},
            "example": UBL_ORDER_EXAMPLE,
        }
    }
