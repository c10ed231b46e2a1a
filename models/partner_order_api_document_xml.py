# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``GET order/document?type=invoice_xml&format=...``: the structured
e-invoice of a partner's posted invoice or credit note, made by Odoo's own
``account_edi_ubl_cii`` (issue 28).

- The invoice is found as for ``type=invoice`` (``_order_invoice_sudo`` in
  ``partner_order_api_document.py``: posted, of the partner's order; a draft
  or another partner's is 404), and the format must be one it offers
  (``lib/einvoice.py``, the order object's ``invoices[].formats``).
- The XML accounting already made and stored when it sent the invoice
  (``account.move.ubl_cii_xml_id``) is answered as it was sent when it is
  of that format (Odoo's ``_get_ubl_cii_builder_from_xml_tree`` tells);
  no slot, no cache, as the sent PDF.
- Otherwise Odoo's builder (``res.partner._get_edi_builder``) makes it now,
  stored nowhere (Odoo stores it only when the invoice is sent), in a
  render slot and through the document cache as PDFs are
  (``_rendered``): XML generation is rendering too.
- What Odoo reports it lacks to make a valid document (a VAT number, a
  bank account, a phone...) is 409 ``not_configured`` naming it, for the
  seller's administrator: nothing is written.
"""

import re

from lxml import etree

from odoo import models
from odoo.tools import SQL

from ..lib import errors
from ..lib.einvoice import available_formats

# format -> Odoo's builder (``res.partner._get_edi_builder``) and its name
BUILDERS = {
    "ubl_bis3": "account.edi.xml.ubl_bis3",
    "xrechnung": "account.edi.xml.ubl_de",
    "facturx": "account.edi.xml.cii",
}
FORMAT_NAMES = {
    "ubl_bis3": "Peppol BIS Billing 3.0",
    "xrechnung": "XRechnung",
    "facturx": "Factur-X",
}
# what a generated e-invoice may change with beyond what a PDF's key reads
# (``_CACHE_KEY_QUERY`` of ``partner_order_api_document.py``): the seller's
# own partner (VAT, address, phone), the bank account paid to, the taxes of
# the lines (their codes and rates), Odoo's choice of XML helpers
_XML_KEY_QUERY = """
SELECT company_partner.write_date, bank.write_date,
       (SELECT MAX(tax.write_date) FROM account_tax tax
         WHERE tax.id IN (SELECT rel.account_tax_id
                            FROM account_move_line_account_tax_rel rel
                            JOIN account_move_line aml
                              ON aml.id = rel.account_move_line_id
                           WHERE aml.move_id = move.id)),
       (SELECT value FROM ir_config_parameter
         WHERE key = 'account_edi_ubl_cii.use_new_dict_to_xml_helpers')
  FROM account_move move
  JOIN res_company company ON company.id = move.company_id
  JOIN res_partner company_partner ON company_partner.id = company.partner_id
  LEFT JOIN res_partner_bank bank ON bank.id = move.partner_bank_id
 WHERE move.id = %s
"""


class PartnerOrderApiDocument(models.AbstractModel):
    _inherit = "partner.order.api.document"  # pylint: disable=consider-merging-classes-inherited

    def _invoice_xml(self, order_sudo, number, xml_format):
        """``(xml bytes, file name)``: the e-invoice in ``xml_format`` of the
        order's posted invoice or credit note numbered ``number`` (None: the
        latest); see the module's docstring."""
        invoice_sudo = self._order_invoice_sudo(order_sudo, number)
        offered = self._invoice_xml_formats(invoice_sudo)
        if xml_format not in offered:
            raise errors.NotFound(
                f"Invoice {invoice_sudo.name} has no {FORMAT_NAMES[xml_format]} "
                f"e-invoice; its formats: {', '.join(offered)}."
            )
        stored = self._stored_invoice_xml(invoice_sudo, xml_format)
        if stored is not None:
            return stored
        builder = (
            self.env[BUILDERS[xml_format]].sudo().with_company(invoice_sudo.company_id)
        )
        content = self._rendered(
            self._cache_key(
                BUILDERS[xml_format],
                invoice_sudo,
                order_sudo,
                extra=self._xml_key_parts(invoice_sudo),
            ),
            lambda: self._export_invoice_xml(builder, invoice_sudo, xml_format),
        )
        return content, _xml_file_name(builder._export_invoice_filename(invoice_sudo))

    def _invoice_xml_formats(self, invoice_sudo):
        """The formats ``invoice_sudo`` offers (``lib/einvoice.py``), from
        its commercial partner's country and eInvoice format in the
        invoice's company: what the order reader reads for
        ``invoices[].formats``."""
        buyer = invoice_sudo.commercial_partner_id.with_company(invoice_sudo.company_id)
        return available_formats(
            buyer.country_id.code or None, buyer.invoice_edi_format_store or None
        )

    def _stored_invoice_xml(self, invoice_sudo, xml_format):
        """``(xml bytes, file name)`` of the e-invoice accounting stored
        when it sent ``invoice_sudo``, when it is of ``xml_format``; else
        None."""
        attachment = invoice_sudo.ubl_cii_xml_id
        if not attachment:
            return None
        content = attachment.raw
        try:
            tree = etree.fromstring(
                content,
                parser=etree.XMLParser(resolve_entities=False, no_network=True),
            )
        except etree.XMLSyntaxError:
            return None
        builder = invoice_sudo._get_ubl_cii_builder_from_xml_tree(tree)
        if builder is None or builder._name != BUILDERS[xml_format]:
            return None
        return content, _xml_file_name(attachment.name)

    def _export_invoice_xml(self, builder, invoice_sudo, xml_format):
        """The e-invoice Odoo's ``builder`` makes of ``invoice_sudo`` now;
        409 ``not_configured`` naming what Odoo reports missing."""
        content, problems = builder._export_invoice(invoice_sudo)
        if problems:
            raise errors.NotConfigured(
                f"The {FORMAT_NAMES[xml_format]} e-invoice of {invoice_sudo.name} "
                "cannot be made until the seller completes its Odoo: "
                + " ".join(sorted(str(problem) for problem in problems))
            )
        return content

    def _xml_key_parts(self, invoice_sudo):
        """What a generated e-invoice may change with beyond a PDF's key
        (``_XML_KEY_QUERY``), read in the request's snapshot."""
        self.env.flush_all()  # read in SQL: nothing pending left out
        self.env.cr.execute(SQL(_XML_KEY_QUERY, invoice_sudo.id))
        return tuple(self.env.cr.fetchone() or ())


def _xml_file_name(name):
    """``INV_2026_00042_ubl_bis3.xml``: ASCII letters, digits, ``.``, ``_``
    and ``-`` only, so that it is safe in any header; ``.xml`` at the end."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name or "invoice").strip("_")
    return name if name.lower().endswith(".xml") else f"{name}.xml"
