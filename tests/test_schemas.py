# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import TransactionCase, tagged

from ..lib import schemas


@tagged("post_install", "-at_install")
class TestSchemas(TransactionCase):
    def test_country_codes_are_odoos(self):
        """``delivery_address.country_code`` is documented (and parsed) as
        an enum of the ISO codes Odoo ships: the list in lib/schemas.py is
        exactly the codes of Odoo's countries."""
        codes = set(self.env["res.country"].search([]).mapped("code"))
        self.assertEqual(set(schemas.COUNTRY_CODES), codes)
        self.assertEqual(len(schemas.COUNTRY_CODES), len(codes))
