# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Is the API company set up to take the caller's order? (README, "Several
companies": what an administrator sets up per company.)

``POST order``, ``POST order/quote`` and each order of ``POST orders/batch``
ask ``_check_order_setup`` before anything is written, so a quote answers
what the order would. What is missing is the seller's setup, not the
client's input: 409 ``not_configured`` (``lib.errors.NotConfigured``), with a
message for the seller's administrator, logged as a warning the first time a
worker meets it (``_warn_once``), not at every request.
"""

import logging

from odoo import api, models, tools
from odoo.http import request

from ..lib import errors

_logger = logging.getLogger(__name__)

WAREHOUSE_MENU = "Inventory › Configuration › Warehouses"
PRICELIST_MENU = "the customer's Sales & Purchase tab, or Sales › Products › Pricelists"


class PartnerOrderApiCompanySetup(models.AbstractModel):
    _name = "partner.order.api.company.setup"
    _description = "Partner Order API: the API company's setup for orders"

    @api.model
    def _check_order_setup(self, partner_sudo, warehouse=True):
        """The pricelist the orders of ``partner_sudo`` get in the API
        company (``env.company``; empty: none, with Odoo's pricelists
        switched off), or 409 ``not_configured`` when the company cannot
        take them:

        - it has no active warehouse (``sale_stock`` gives an order the first
          active warehouse of its company, ``res.users._get_default_warehouse_id``,
          and refuses to confirm one without);
        - the pricelist Odoo resolves for the partner in the company
          (``product.pricelist._get_partner_pricelist_multi``, through
          ``property_product_pricelist``) belongs to another company;
        - Odoo resolves none while the Pricelists feature is on.

        ``warehouse`` False (``GET available_products``: the prices, not an
        order): the pricelist's checks only.

        Remembered for the HTTP request and its cursor (a batch asks once
        for all its orders; a request Odoo reruns on another cursor, e.g. on
        the primary, asks again)."""
        company = self.env.company
        memo = getattr(request, "_order_api_setup", None) if request else None
        if memo is None or memo[0] is not self.env.cr:
            memo = (self.env.cr, {})
            if request:
                request._order_api_setup = memo
        key = (company.id, partner_sudo.id, warehouse)
        if key not in memo[1]:
            memo[1][key] = self._order_setup(company, partner_sudo, warehouse)
        problem, message, pricelist_id = memo[1][key]
        if problem:
            self._warn_once(company.id, problem, message)
            raise errors.NotConfigured(message)
        return self.env["product.pricelist"].sudo().browse(pricelist_id)

    @api.model
    def _order_setup(self, company, partner_sudo, warehouse=True):
        """``(problem, message, pricelist id)`` of ``_check_order_setup``:
        ``problem`` is None when the company is set up."""
        Warehouse = self.env["stock.warehouse"].sudo().with_company(company)
        if warehouse and not Warehouse.search_count(
            [("company_id", "=", company.id)], limit=1
        ):
            return (
                "no_warehouse",
                f"{company.name} has no warehouse: the seller's administrator "
                f"must set one up ({WAREHOUSE_MENU}).",
                None,
            )
        pricelist = partner_sudo.with_company(company).property_product_pricelist
        if pricelist.company_id and pricelist.company_id != company:
            return (
                f"foreign_pricelist:{partner_sudo.id}",
                f"The pricelist Odoo finds for {partner_sudo.name} in "
                f"{company.name} belongs to another company: the seller's "
                f"administrator must give {partner_sudo.name} a pricelist of "
                f"{company.name} or of no company ({PRICELIST_MENU}).",
                None,
            )
        if not pricelist and self._pricelists_on():
            return (
                f"no_pricelist:{partner_sudo.id}",
                f"The seller's Odoo has no pricelist for {partner_sudo.name} in "
                f"{company.name}: the seller's administrator must give it one "
                f"({PRICELIST_MENU}).",
                None,
            )
        return None, None, pricelist.id

    @api.model
    def _pricelists_on(self):
        """Whether Odoo's Pricelists feature is on (Sales › Settings ›
        Pricelists: ``product.group_product_pricelist`` implied by internal
        users, as ``res.config.settings`` reads it)."""
        group = self.env.ref("product.group_product_pricelist", False)
        employees = self.env.ref("base.group_user").sudo()
        return bool(group) and group in employees.implied_ids

    @api.model
    @tools.ormcache("company_id", "problem")
    def _warn_once(self, company_id, problem, message):
        """Log ``message`` as a warning the first time this worker meets
        ``problem`` in the company (again after Odoo's caches are cleared,
        e.g. when the setup changes)."""
        _logger.warning(
            "Partner Order API: company #%s is not set up for orders (%s): %s",
            company_id,
            problem,
            message,
        )
        return True
