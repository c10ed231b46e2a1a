# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A UBL 2.1 DespatchAdvice from plain data (``GET order/document?
type=despatch_advice``, issue 28): the XML a buyer's purchasing software
books goods in with before they arrive (EDIFACT DESADV's UBL twin).

``models/partner_order_api_despatch.py`` reads a done delivery and hands
``despatch_advice_xml`` a dict (see its docstring); this module only writes
the elements, in the order the OASIS schema wants them (validated by
tests/test_api_despatch.py against tests/data/ubl21/). Pure Python: lxml,
never ``odoo``.

The shape: the delivery's name is the document's ID; ``OrderReference``
names the buyer's order (its ``external_order_id``, else the sale order)
and the sale order (``SalesOrderID``); the seller's company is the
``DespatchSupplierParty``, the delivery address the
``DeliveryCustomerParty``; ``Shipment`` carries the gross weight, the
carrier and tracking number (``Consignment``, ``Delivery``), and a
``TransportHandlingUnit`` per package (its SSCC as ID with
``schemeID="SSCC"`` when it has one, else its name). One ``DespatchLine``
per package, product and lot, with its ``DeliveredQuantity`` (UN/ECE
unit code), the order line it ships (``OrderLineReference``: the line's
position in the order object's ``lines``), the item (name, the seller's
code, GTIN with ``schemeID="0160"``, lot and expiry date) and the handling
unit it travels in (``Shipment/TransportHandlingUnit/ID``).
"""

from lxml import etree

NS = {
    None: "urn:oasis:names:specification:ubl:schema:xsd:DespatchAdvice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
GTIN_SCHEME = "0160"  # ISO 6523 ICD of GS1's GTIN
SSCC_SCHEME = "SSCC"
GROSS_WEIGHT = "AAB"  # UN/EDIFACT 6313: consignment gross weight


def _tag(name):
    prefix, local = name.split(":") if ":" in name else (None, name)
    return f"{{{NS[prefix]}}}{local}"


def _add(parent, name, text=None, **attrs):
    """A child ``name`` (``cbc:ID``...) of ``parent`` with ``text`` and
    attributes; nothing when ``text`` is given but empty (an optional
    element left out)."""
    if text is not None and text == "":
        return None
    element = etree.SubElement(parent, _tag(name), {k: v for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    return element


def _number(value):
    """A decimal as UBL writes it: no exponent, no float noise."""
    text = f"{float(value or 0.0):.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _party(parent, name, party):
    """A ``SupplierParty``/``CustomerParty`` ``name`` with its Party:
    identification (GLN, when known), name, postal address, VAT."""
    wrapper = _add(parent, name)
    node = _add(wrapper, "cac:Party")
    if party.get("gln"):
        _add(
            _add(node, "cac:PartyIdentification"),
            "cbc:ID",
            party["gln"],
            schemeID="0088",
        )
    _add(_add(node, "cac:PartyName"), "cbc:Name", party.get("name") or "")
    address = _add(node, "cac:PostalAddress")
    _add(address, "cbc:StreetName", party.get("street") or "")
    _add(address, "cbc:AdditionalStreetName", party.get("street2") or "")
    _add(address, "cbc:CityName", party.get("city") or "")
    _add(address, "cbc:PostalZone", party.get("zip") or "")
    if party.get("country_code"):
        _add(
            _add(address, "cac:Country"),
            "cbc:IdentificationCode",
            party["country_code"],
        )
    if party.get("vat"):
        tax = _add(node, "cac:PartyTaxScheme")
        _add(tax, "cbc:CompanyID", party["vat"])
        _add(_add(tax, "cac:TaxScheme"), "cbc:ID", "VAT")
    return node


def _unit_id(parent, unit):
    """The ID of handling unit ``unit``: its SSCC, or its name."""
    if unit.get("sscc"):
        return _add(parent, "cbc:ID", unit["sscc"], schemeID=SSCC_SCHEME)
    return _add(parent, "cbc:ID", unit["name"])


def _shipment(root, data):
    shipment = _add(root, "cac:Shipment")
    _add(shipment, "cbc:ID", data["id"])
    _add(
        shipment,
        "cbc:GrossWeightMeasure",
        _number(data["weight"]),
        unitCode=data["weight_unit"],
    )
    _add(shipment, "cbc:TotalTransportHandlingUnitQuantity", str(len(data["units"])))
    consignment = _add(shipment, "cac:Consignment")
    _add(consignment, "cbc:ID", data["id"])
    _add(consignment, "cbc:CarrierAssignedID", data.get("tracking_ref") or "")
    delivery = _add(shipment, "cac:Delivery")
    _add(delivery, "cbc:TrackingID", data.get("tracking_ref") or "")
    if data.get("carrier"):
        carrier = _add(delivery, "cac:CarrierParty")
        _add(_add(carrier, "cac:PartyName"), "cbc:Name", data["carrier"])
    despatch = _add(delivery, "cac:Despatch")
    _add(despatch, "cbc:ActualDespatchDate", data["despatch_date"].isoformat())
    for unit in data["units"]:
        handling = _add(shipment, "cac:TransportHandlingUnit")
        _unit_id(handling, unit)
        package = _add(handling, "cac:ActualPackage")
        _add(package, "cbc:ID", unit["name"])
        _add(package, "cbc:PackingMaterial", unit.get("package_type") or "")
        dimension = _add(handling, "cac:MeasurementDimension")
        _add(dimension, "cbc:AttributeID", GROSS_WEIGHT)
        _add(
            dimension,
            "cbc:Measure",
            _number(unit["weight"]),
            unitCode=data["weight_unit"],
        )


def _line(root, data, index, line):
    node = _add(root, "cac:DespatchLine")
    _add(node, "cbc:ID", str(index))
    _add(
        node,
        "cbc:DeliveredQuantity",
        _number(line["quantity"]),
        unitCode=line["unit_code"],
    )
    reference = _add(node, "cac:OrderLineReference")
    _add(reference, "cbc:LineID", str(line["order_line"]))
    item = _add(node, "cac:Item")
    _add(item, "cbc:Name", line.get("name") or "")
    if line.get("customer_reference"):
        _add(
            _add(item, "cac:BuyersItemIdentification"),
            "cbc:ID",
            line["customer_reference"],
        )
    if line.get("default_code"):
        _add(
            _add(item, "cac:SellersItemIdentification"), "cbc:ID", line["default_code"]
        )
    if line.get("gtin"):
        standard = _add(item, "cac:StandardItemIdentification")
        _add(standard, "cbc:ID", line["gtin"], schemeID=GTIN_SCHEME)
    if line.get("lot"):
        lot = _add(_add(item, "cac:ItemInstance"), "cac:LotIdentification")
        _add(lot, "cbc:LotNumberID", line["lot"])
        if line.get("expiry_date"):
            _add(lot, "cbc:ExpiryDate", line["expiry_date"].isoformat())
    if line.get("unit"):
        shipment = _add(node, "cac:Shipment")
        _add(shipment, "cbc:ID", data["id"])
        _unit_id(_add(shipment, "cac:TransportHandlingUnit"), line["unit"])


def despatch_advice_xml(data):
    """The DespatchAdvice (UTF-8 bytes, with its XML declaration) of
    ``data``: ``id`` (the delivery's name), ``issue_date`` and
    ``despatch_date`` (dates), ``order_id`` (the buyer's order number),
    ``sales_order_id``, ``supplier`` and ``customer`` (dicts of name,
    street, street2, city, zip, country_code, vat, gln), ``carrier``,
    ``tracking_ref``, ``weight`` and ``weight_unit`` (``KGM`` or ``LBR``),
    ``units`` (the packages: dicts of name, sscc, package_type, weight) and
    ``lines`` (dicts of quantity, unit_code, order_line, name,
    customer_reference, default_code, gtin, lot, expiry_date (a date),
    unit: the package dict it travels in or None)."""
    root = etree.Element(_tag("DespatchAdvice"), nsmap=NS)
    _add(root, "cbc:UBLVersionID", "2.1")
    _add(root, "cbc:ID", data["id"])
    _add(root, "cbc:IssueDate", data["issue_date"].isoformat())
    _add(root, "cbc:LineCountNumeric", str(len(data["lines"])))
    order = _add(root, "cac:OrderReference")
    _add(order, "cbc:ID", data["order_id"])
    _add(order, "cbc:SalesOrderID", data["sales_order_id"])
    _party(root, "cac:DespatchSupplierParty", data["supplier"])
    _party(root, "cac:DeliveryCustomerParty", data["customer"])
    _shipment(root, data)
    for index, line in enumerate(data["lines"], start=1):
        _line(root, data, index, line)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
