# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Several companies in one database: the fixture of the company rule's tests
(README, "Several companies").

Three companies: ``company_1`` (the main one, its currency), ``company_2``
(another currency, its own warehouse, a pricelist for the shared buyer) and
``company_3`` (no warehouse: archived). Two customers:

- ``shared``, restricted to no company, buying from companies 1 and 2: a
  portal user in company 1 (``user_s1``), one in company 2 (``user_s2``),
  one allowed in both with company 1 as its default (``user_s12``);
- ``bound``, restricted to company 2: a portal user allowed in company 1
  only (``user_bound_out``, refused), one allowed in 1 and 2 whose default is
  company 1 (``user_bound_in``, works in company 2).

Products: ``product_a`` (no company), ``product_c1`` (company 1 only),
``product_c2`` (company 2 only), all allowed to both customers. Employees: a
sales manager of company 2 only (``manager_2``), a salesman of company 1
(``salesman_1``).
"""

from odoo import Command

from .common import PartnerOrderApiCase


class MultiCompanyCase(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_companies()
        cls._create_company_products()
        cls._create_customers()
        cls.manager_2 = cls._employee(
            "manager-2", "sales_team.group_sale_manager", cls.company_2
        )
        cls.salesman_1 = cls._employee(
            "salesman-1", "sales_team.group_sale_salesman", cls.company_1
        )

    @classmethod
    def _create_companies(cls):
        """Company 2 (another currency, its own warehouse) and company 3 (its
        warehouse archived), both reached by the test user."""
        Company = cls.env["res.company"]
        cls.company_1 = cls.company
        other = "EUR" if cls.currency.name != "EUR" else "USD"
        cls.currency_2 = cls.env.ref(f"base.{other}")
        cls.currency_2.active = True
        cls.company_2 = Company.create(
            {"name": "PO API Company Two", "currency_id": cls.currency_2.id}
        )
        cls.company_3 = Company.create(
            {"name": "PO API Company Without Warehouse", "currency_id": cls.currency.id}
        )
        Warehouse = cls.env["stock.warehouse"]
        cls.warehouse_2 = Warehouse.search(
            [("company_id", "=", cls.company_2.id)], limit=1
        )
        Warehouse.search([("company_id", "=", cls.company_3.id)]).active = False
        # every company the test user reaches (records of company 2 and 3)
        cls.env.user.company_ids |= cls.company_2 | cls.company_3

    @classmethod
    def _create_company_products(cls):
        """Products of company 1 only and of company 2 only, stock in
        company 2's warehouse, and company 2's pricelist."""
        Product = cls.env["product.product"]
        cls.product_c1 = Product.create(
            {
                "name": "API Company One Only",
                "barcode": "4006381334006",
                "list_price": 20.0,
                "company_id": cls.company_1.id,
                "taxes_id": [Command.clear()],
            }
        )
        cls.product_c2 = Product.create(
            {
                "name": "API Company Two Only",
                "barcode": "4006381334013",
                "list_price": 30.0,
                "company_id": cls.company_2.id,
                "is_storable": True,
                "taxes_id": [Command.clear()],
            }
        )
        Quant = cls.env["stock.quant"].with_company(cls.company_2)
        stock_2 = cls.warehouse_2.lot_stock_id
        Quant._update_available_quantity(cls.product_a, stock_2, 500)
        Quant._update_available_quantity(cls.product_c2, stock_2, 500)
        cls.pricelist_2 = cls.env["product.pricelist"].create(
            {
                "name": "API Company Two prices",
                "currency_id": cls.currency_2.id,
                "company_id": cls.company_2.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "3_global",
                            "compute_price": "percentage",
                            "percent_price": 20,
                        }
                    )
                ],
            }
        )

    @classmethod
    def _create_customers(cls):
        """The shared buyer and the buyer bound to company 2, with their
        portal users and keys (module docstring)."""
        products = cls.product_a | cls.product_c1 | cls.product_c2
        cls.shared, cls.user_s1, cls.key_s1 = cls._create_partner(
            "Shared Buyer", "s1", products, enabled=True
        )
        cls.shared.with_company(
            cls.company_2
        ).property_product_pricelist = cls.pricelist_2
        cls.user_s2, cls.key_s2 = cls._portal_user(cls.shared, "s2", cls.company_2)
        cls.user_s12, cls.key_s12 = cls._portal_user(
            cls.shared, "s12", cls.company_1, cls.company_2
        )
        cls.bound, cls.user_bound_out, cls.key_bound_out = cls._create_partner(
            "Bound Buyer", "bound-out", products, enabled=True, company=cls.company_2
        )
        cls.bound.with_company(
            cls.company_2
        ).property_product_pricelist = cls.pricelist_2
        cls.user_bound_in, cls.key_bound_in = cls._portal_user(
            cls.bound, "bound-in", cls.company_1, cls.company_2
        )

    @classmethod
    def _employee(cls, login, group, company):
        return (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": f"PO API {login}",
                    "login": f"poa-{login}",
                    "password": f"poa-{login}-password",
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "groups_id": [
                        Command.set(
                            [cls.env.ref("base.group_user").id, cls.env.ref(group).id]
                        )
                    ],
                }
            )
        )

    def order_in(self, key, ean=None, **body):
        """POST order with ``key``; the answer."""
        return self.api(
            "POST", "order", key, body=dict(self.order_body(ean=ean), **body)
        )
