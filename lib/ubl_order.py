# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A UBL 2.1 / Peppol BIS Order 3.0 document as the body of ``POST order``
and ``POST order/quote`` (issue 28), the pure-Python half: pure Python and
lxml, no ``odoo`` import.

- ``is_xml`` tells an XML body from a JSON one by its ``Content-Type``;
- ``parse_order_xml`` parses the bytes safely (no DOCTYPE at all, so no
  entity, no billion laughs, no external entity or DTD fetched; no huge
  tree; the body-size limit of a JSON body) and checks that the root is a
  UBL ``Order``: anything else is one 400 ``validation_error``;
- ``order_data`` builds, from values read out of the tree, the very JSON
  object a JSON client would send (``lines``, ``external_order_id``,
  ``delivery_address``...), which then goes through the same
  ``validation.parse_order_payload`` and use case as JSON;
- ``xml_error`` renames the fields of that validation's error to the XML
  elements they came from.

Reading the values with Odoo's own ``sale_edi_ubl`` xpaths is the model's:
``models/partner_order_api_orders_ubl.py``.
"""

import hashlib
import re

from lxml import etree

from .errors import ValidationError
from .validation import MAX_BODY_BYTES

XML_MIMETYPES = ("application/xml", "text/xml")
NAMESPACES = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
ORDER_ROOT = "{urn:oasis:names:specification:ubl:schema:xsd:Order-2}Order"
_DOCTYPE = "A DOCTYPE (and so any entity) is not accepted in a UBL Order."
_EAN_RE = re.compile(r"^(\d{8}|\d{12,14})$")

# where a field of the JSON body comes from in the UBL Order
LINE = "cac:OrderLine[{n}]/cac:LineItem"
LINE_EAN = LINE + "/cac:Item/cac:StandardItemIdentification/cbc:ID"
LINE_SELLERS_ID = LINE + "/cac:Item/cac:SellersItemIdentification/cbc:ID"
LINE_QUANTITY = LINE + "/cbc:Quantity"
PATHS = {
    "body": "Order",
    "external_order_id": "cbc:ID",
    "note": "cbc:Note",
    "requested_delivery_date": "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate",
    "delivery_address": "cac:Delivery",
    "lines": "cac:OrderLine",
}
DELIVERY_NAME = "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name"
ADDRESS_ELEMENTS = {
    "street": "cbc:StreetName",
    "street2": "cbc:AdditionalStreetName",
    "zip": "cbc:PostalZone",
    "city": "cbc:CityName",
    "country_code": "cac:Country/cbc:IdentificationCode",
    "state_code": "cbc:CountrySubentityCode",
}
# the two places of a delivery address in a UBL Order, the first one found wins
ADDRESS_PARENTS = (
    "cac:Delivery/cac:DeliveryLocation/cac:Address",
    "cac:Delivery/cac:DeliveryParty/cac:PostalAddress",
)


def _refuse(field, message):
    raise ValidationError.from_details([{"field": field, "message": message}])


def is_xml(content_type):
    """True for ``application/xml`` and ``text/xml`` (any parameters)."""
    mimetype = (content_type or "").split(";", 1)[0].strip().lower()
    return mimetype in XML_MIMETYPES


def fingerprint_data(raw):
    """What the ``Idempotency-Key`` fingerprint covers for an XML body:
    the bytes themselves (their SHA-256), so that another document sent with
    the same key is 409 ``idempotency_key_reused``."""
    return {"application/xml": hashlib.sha256(raw).hexdigest()}


def parse_order_xml(raw):
    """The UBL Order of the body ``raw`` (bytes) as an lxml element.

    Refused with 400 ``validation_error`` (``field`` ``body``): a body over
    the size limit, empty, not well-formed, with any DOCTYPE (entities
    are never expanded, nothing is fetched), or whose root is not a UBL 2.1
    ``Order`` (an Invoice, say)."""
    if len(raw) > MAX_BODY_BYTES:
        _refuse("body", f"The body must be at most {MAX_BODY_BYTES} bytes.")
    if b"<!DOCTYPE" in raw:
        # refused before any parsing; the docinfo check below also catches
        # one in another encoding
        _refuse("body", _DOCTYPE)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(raw, parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        _refuse("body", "The body is not well-formed XML.")
    if root is None:
        _refuse("body", "The body is not well-formed XML.")
    if root.getroottree().docinfo.doctype:
        _refuse("body", _DOCTYPE)
    if root.tag != ORDER_ROOT:
        _refuse(
            "body",
            "The body must be a UBL 2.1 Order (root element Order in the "
            "namespace urn:oasis:names:specification:ubl:schema:xsd:Order-2).",
        )
    return root


def line_count(raw):
    """The number of ``cac:OrderLine`` of a UBL Order body, or None when
    ``raw`` is not one (``lib/costs.py``: an XML order costs what its JSON
    costs, one token per 10 lines)."""
    try:
        root = parse_order_xml(raw)
    except ValidationError:
        return None
    return len(root.findall(f"{{{NAMESPACES['cac']}}}OrderLine"))


def quantity(text):
    """A line's ``cbc:Quantity`` as the JSON ``amount``: ``"10.0"`` -> 10;
    a fraction stays a float (refused by the amount's own rule), text that
    is no number stays text (refused as well)."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return text.strip()
    return int(value) if value.is_integer() else value


def line_ean(standard_id, sellers_id, ean_of_code):
    """The EAN of a line: its ``StandardItemIdentification`` (GTIN,
    schemeID 0160, or no scheme), else its ``SellersItemIdentification``
    when that is an EAN, else the EAN that ``ean_of_code`` (the caller's
    allowed products only) gives the seller's code; else whatever was
    sent, for the EAN's own validation to refuse."""
    if standard_id:
        return standard_id.strip()
    if sellers_id:
        code = sellers_id.strip()
        if _EAN_RE.match(code):
            return code
        return ean_of_code(code) or code
    return None


def order_data(values):
    """The JSON object of ``POST order`` for the values read from a UBL
    Order (``models/partner_order_api_orders_ubl.py``): ``id``, ``notes``,
    ``requested_date``, ``address`` (a dict, or None) and ``lines``
    (``[(ean, quantity)]``). Members with no value are left out, as a JSON
    client would."""
    data = {"external_order_id": values["id"]}
    notes = [note.strip() for note in values["notes"] if note and note.strip()]
    if notes:
        data["note"] = "\n".join(notes)
    if values["requested_date"]:
        data["requested_delivery_date"] = values["requested_date"].strip()
    if values["address"] is not None:
        data["delivery_address"] = {
            key: value.strip()
            for key, value in values["address"].items()
            if value and value.strip()
        }
    data["lines"] = [
        {
            key: value
            for key, value in (("ean", ean), ("amount", amount))
            if value is not None
        }
        for ean, amount in values["lines"]
    ]
    return data


def xml_path(field, address_parent):
    """The XML element a JSON field of ``order_data`` came from."""
    if field in PATHS:
        return PATHS[field]
    match = re.match(r"^lines\[(\d+)\](?:\.(\w+))?$", field)
    if match:
        n = int(match.group(1)) + 1
        return {"ean": LINE_EAN, "amount": LINE_QUANTITY}.get(
            match.group(2), LINE
        ).format(n=n)
    if field.startswith("delivery_address."):
        member = field.split(".", 1)[1]
        if member == "name":
            return DELIVERY_NAME
        if member in ADDRESS_ELEMENTS:
            return f"{address_parent}/{ADDRESS_ELEMENTS[member]}"
        return f"cac:Delivery/cac:DeliveryParty ({member})"
    return field


def xml_error(exc, address_parent):
    """``exc`` (the ValidationError of a JSON field) with each field named
    by its XML element, so that the sender knows what to fix in its
    document."""
    details = []
    for detail in exc.details or [{"field": "body", "message": exc.message}]:
        field = detail.get("field") or "body"
        path = xml_path(field, address_parent)
        message = (
            detail["message"].replace(field, path)
            if field != "body"
            else (detail["message"])
        )
        details.append({"field": path, "message": message})
    return ValidationError.from_details(details)
