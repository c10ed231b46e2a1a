# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Which structured e-invoices (``GET order/document?type=invoice_xml``)
an invoice offers: its ``formats`` in the order object's ``invoices``.

One rule, used by the order object (``models/order_reader_shape.py``, from
the columns ``models/order_reader_invoices.py``'s ``_INVOICES`` reads) and by the
route that answers the XML (``models/partner_order_api_document_xml.py``),
so that a format listed is a format served. Taken from Odoo's own choices
(``account_edi_ubl_cii``: ``res.partner._get_ubl_cii_formats_info``,
``account.move.send``):

- ``ubl_bis3`` (Peppol BIS Billing 3.0): every invoice; Odoo falls back to
  it for any partner (``_get_suggested_peppol_edi_format``);
- ``xrechnung``: a buyer in Germany (the one country Odoo gives it) or a
  buyer whose eInvoice format is XRechnung;
- ``facturx``: every invoice; Odoo embeds a Factur-X in every invoice PDF
  it sends, whatever the buyer's format.

Pure Python (no ``odoo`` import).
"""

from .schema_fields import INVOICE_XML_FORMATS

# format -> the buyer countries it applies to (None: every invoice)
FORMAT_COUNTRIES = {
    "ubl_bis3": None,
    "xrechnung": ("DE",),
    "facturx": None,
}


def available_formats(buyer_country_code, buyer_edi_format):
    """The formats of ``INVOICE_XML_FORMATS`` an invoice offers, in that
    order: ``buyer_country_code`` the ISO code of the invoice's commercial
    partner (None when it has no country), ``buyer_edi_format`` its
    eInvoice format as stored in the invoice's company (``res.partner``'s
    ``invoice_edi_format_store``: None for Odoo's suggestion)."""
    return [
        xml_format
        for xml_format in INVOICE_XML_FORMATS
        if FORMAT_COUNTRIES[xml_format] is None
        or buyer_country_code in FORMAT_COUNTRIES[xml_format]
        or buyer_edi_format == xml_format
    ]
