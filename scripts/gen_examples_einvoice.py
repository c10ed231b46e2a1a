# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The examples of ``GET order/document?type=invoice_xml`` (issue 28),
recorded by ``scripts/gen_examples.py`` through ``record``
(``gen_examples_record.py``): an order of two nutrient packs is placed
through the API (not kept as an example), invoiced and posted through the
ORM in a committed transaction (the buyer given the demo partner's country
and VAT number, which Peppol BIS 3 requires), then its Peppol BIS 3
e-invoice is downloaded, and a request without ``format`` is refused."""

INVOICE_NUMBER = "INV/2026/00042"  # the placeholder of the invoice's number
ADDRESS = {  # gen_examples_record.ADDRESS (which imports this module)
    "name": "John Doe",
    "street": "Main Street 1",
    "zip": "10115",
    "city": "Berlin",
    "country_code": "DE",
}


def _invoice(odoo, registry, order_name):
    """Invoice and post ``order_name``, committed; its invoice's number."""
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        demo = env.ref("partner_order_api.demo_partner_company")
        order = env["sale.order"].search([("name", "=", order_name)])
        order.partner_id.commercial_partner_id.write(
            {"country_id": demo.country_id.id, "vat": demo.vat}
        )
        invoice = order._create_invoices()
        invoice.action_post()
        return invoice.name


def record_einvoice(rec, ctx):
    """The Peppol BIS 3 e-invoice of an invoice, and 400 without format."""
    odoo, registry = ctx["odoo"], ctx["registry"]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        ean = env.ref("partner_order_api.demo_product_nutrient_pack").barcode
    answer = rec.call("createOrder", "", "POST", "order", keep=False,
                      body={"lines": [{"ean": ean, "amount": 2}], "delivery_address": ADDRESS})  # fmt: skip
    if answer.status_code != 201:
        raise SystemExit(f"order for the e-invoice example: {answer.text}")
    name = answer.json()["biomes_order_id"]
    number = _invoice(odoo, registry, name)
    rec.masker.add(number, INVOICE_NUMBER)
    # and in the file name (Content-Disposition)
    rec.masker.add(number.replace("/", "_"), INVOICE_NUMBER.replace("/", "_"))
    query = f"order/document?identifiedBy=biomes&order_id={name}&type=invoice_xml"
    rec.call("getOrderDocument", "The invoice's e-invoice (Peppol BIS 3 XML)", "GET",
             f"{query}&format=ubl_bis3&invoice_number={number}")  # fmt: skip
    rec.call("getOrderDocument", "400: type=invoice_xml without format", "GET", query)
