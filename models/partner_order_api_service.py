# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The use cases of the Partner Order API.

Controllers parse and answer; this service holds the rules. It runs in the
environment of the user whose API key authenticated the request: orders are
searched as that user (record rules apply), and what a portal user may not
do itself (create and confirm the order, create the delivery contact) is
done in ``_create_order_sudo`` only, after the caller and its input were
checked.
"""

import logging
import math
import re

import psycopg2.errors

from odoo import Command, api, models

from ..lib import errors, validation

_logger = logging.getLogger(__name__)

API_KEY_SCOPE = "partner_order_api"
_BEARER_RE = re.compile(r"^[Bb][Ee][Aa][Rr][Ee][Rr] +([\x21-\x7e]{1,512})$")
ORDER_STATES = ("sent", "sale", "cancel")


class PartnerOrderApiService(models.AbstractModel):
    _name = "partner.order.api.service"
    _description = "Partner Order API: use cases"

    # ------------------------------------------------------------------
    # Who is asking
    # ------------------------------------------------------------------

    @api.model
    def _authenticate(self, authorization):
        """The id of the active user owning the bearer key of ``authorization``.

        Keys scoped to this API and global (unscoped) keys are accepted;
        revoked, expired and inactive users' keys are not. The key itself is
        never logged.
        """
        if not authorization:
            raise errors.Unauthorized(
                "Missing Authorization header: send 'Authorization: Bearer <key>'."
            )
        match = _BEARER_RE.match(authorization.strip())
        if not match:
            raise errors.Unauthorized("The Authorization header must be 'Bearer <key>'.")
        uid = self.env["res.users.apikeys"]._check_credentials(
            scope=API_KEY_SCOPE, key=match.group(1)
        )
        if not uid:
            raise errors.Unauthorized("The API key is unknown, revoked or expired.")
        return uid

    def _partner_sudo(self):
        """The commercial partner of the calling user, checked to be enabled."""
        partner_sudo = self.env.user.sudo().partner_id.commercial_partner_id
        if not partner_sudo.order_api_enabled:
            raise errors.Forbidden()
        return partner_sudo

    # ------------------------------------------------------------------
    # GET available_products
    # ------------------------------------------------------------------

    def _allowed_products_sudo(self, partner_sudo):
        company = self.env.company
        return partner_sudo.order_api_product_ids.filtered(
            lambda p: p.active
            and p.sale_ok
            and p.barcode
            and p.company_id in (company, company.browse())
        )

    def get_available_products(self):
        partner_sudo = self._partner_sudo()
        products = self._allowed_products_sudo(partner_sudo).sorted(
            lambda p: (p.default_code or "", p.name or "", p.id)
        )
        pricelist = partner_sudo.property_product_pricelist
        currency = pricelist.currency_id or self.env.company.currency_id
        if pricelist:
            prices = pricelist._get_products_price(products, 1.0, currency=currency)
        else:
            prices = {product.id: product.lst_price for product in products}
        result = []
        for product in products:
            price = self._price_tax_excluded(product, prices[product.id], currency, partner_sudo)
            result.append(
                {
                    "ean": product.barcode,
                    "name": product.display_name,
                    "default_code": product.default_code or None,
                    "price": currency.round(price),
                    "currency": currency.name,
                }
            )
        return result

    def _price_tax_excluded(self, product, price, currency, partner):
        taxes = product.taxes_id._filter_taxes_by_company(self.env.company)
        if not any(tax.price_include for tax in taxes):
            return price
        return taxes.compute_all(price, currency, 1.0, product=product, partner=partner)[
            "total_excluded"
        ]

    # ------------------------------------------------------------------
    # GET orders, GET order_status
    # ------------------------------------------------------------------

    def _orders_domain(self, partner_sudo):
        partner_ids = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            ._search([("id", "child_of", partner_sudo.id)])
        )
        return [("partner_id", "in", partner_ids), ("state", "in", ORDER_STATES)]

    def list_orders(self, page, page_size):
        """A page of the partner's orders, newest first, with the pagination."""
        partner_sudo = self._partner_sudo()
        domain = self._orders_domain(partner_sudo)
        SaleOrder = self.env["sale.order"]
        total_count = SaleOrder.search_count(domain)
        total_pages = math.ceil(total_count / page_size)
        if page <= total_pages:
            orders = SaleOrder.search(
                domain,
                order="create_date desc, id desc",
                limit=page_size,
                offset=(page - 1) * page_size,
            )
        else:
            orders = SaleOrder.browse()
        return {
            "orders": orders.sudo()._order_api_serialize(),
            "pagination": {
                "page": page,
                "page_size": page_size,
                "total_count": total_count,
                "total_pages": total_pages,
                "has_next": page < total_pages,
                "has_previous": page > 1 and total_count > 0,
            },
        }

    def _find_order(self, partner_sudo, identified_by, order_id):
        """The partner's order, or NotFound: another partner's order is
        answered exactly like one that does not exist."""
        field = "name" if identified_by == "biomes" else "order_api_external_id"
        order = self.env["sale.order"].search(
            [(field, "=", order_id)] + self._orders_domain(partner_sudo), limit=1
        )
        if not order:
            raise errors.NotFound(f"No order with {identified_by} id {order_id!r}.")
        return order

    def get_order_status(self, identified_by, order_id):
        partner_sudo = self._partner_sudo()
        order = self._find_order(partner_sudo, identified_by, order_id)
        return order.sudo()._order_api_serialize()[0]

    # ------------------------------------------------------------------
    # POST order
    # ------------------------------------------------------------------

    def create_order(self, payload):
        """Create and confirm the order described by a parsed body
        (``lib.validation.parse_order_payload``) and return its order object."""
        partner_sudo = self._partner_sudo()
        allowed = self._allowed_products_sudo(partner_sudo)
        by_ean = {}
        for product in allowed.sorted("id"):
            by_ean.setdefault(product.barcode, product)
        lines = []
        for line in payload["lines"]:
            product = by_ean.get(line["ean"])
            if not product:
                # Unknown and not allowed answer alike: the catalogue does not leak.
                raise errors.ProductNotAllowed(
                    f"EAN {line['ean']} is unknown or not allowed for this partner."
                )
            lines.append((product, line["amount"]))
        address = payload["delivery_address"]
        country = self.env["res.country"].sudo().search(
            [("code", "=", address["country_code"])], limit=1
        )
        if not country:
            raise errors.ValidationError.from_details(
                [
                    {
                        "field": "delivery_address.country_code",
                        "message": f"Unknown country code {address['country_code']!r}.",
                    }
                ]
            )
        external_id = payload["external_order_id"]
        if external_id and self.env["sale.order"].sudo().search_count(
            [
                ("order_api_partner_id", "=", partner_sudo.id),
                ("order_api_external_id", "=", external_id),
            ],
            limit=1,
        ):
            raise errors.DuplicateExternalOrderId(
                f"external_order_id {external_id!r} is already used by this partner."
            )
        order_sudo = self._create_order_sudo(partner_sudo, lines, address, country, external_id)
        return order_sudo._order_api_serialize()[0]

    def _create_order_sudo(self, partner_sudo, lines, address, country, external_id):
        """The elevated part of ``POST order``: the caller and its input were
        checked; a portal user has no right to create or confirm orders nor
        to create contacts, so this runs as superuser."""
        env_sudo = self.sudo().with_company(self.env.company).env
        shipping = self._delivery_contact_sudo(env_sudo, partner_sudo, address, country)
        vals = {
            "partner_id": self.env.user.partner_id.id,
            "partner_shipping_id": shipping.id,
            "order_api_partner_id": partner_sudo.id,
            "order_api_external_id": external_id,
            "client_order_ref": external_id,
            "company_id": self.env.company.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": amount})
                for product, amount in lines
            ],
        }
        if partner_sudo.property_product_pricelist:
            vals["pricelist_id"] = partner_sudo.property_product_pricelist.id
        try:
            with env_sudo.cr.savepoint():
                order_sudo = env_sudo["sale.order"].create(vals)
                order_sudo.action_confirm()
        except psycopg2.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "sale_order_order_api_external_id_uniq":
                raise
            # A concurrent request with the same external id committed first.
            raise errors.DuplicateExternalOrderId(
                f"external_order_id {external_id!r} is already used by this partner."
            ) from None
        _logger.info(
            "Partner Order API: %s created for partner #%s by user #%s",
            order_sudo.name,
            partner_sudo.id,
            self.env.uid,
        )
        return order_sudo

    def _delivery_contact_sudo(self, env_sudo, partner_sudo, address, country):
        """The delivery contact of ``partner_sudo`` at ``address``: an
        identical existing one is reused, otherwise a new one is created."""
        values = {
            "name": address["name"],
            "street": address["street"],
            "street2": address["street2"] or False,
            "zip": address["zip"],
            "city": address["city"],
            "country_id": country.id,
        }
        domain = [("parent_id", "=", partner_sudo.id), ("type", "=", "delivery")]
        domain += [(field, "=", value) for field, value in values.items()]
        contact = env_sudo["res.partner"].search(domain, order="id", limit=1)
        if not contact:
            contact = env_sudo["res.partner"].create(
                dict(values, parent_id=partner_sudo.id, type="delivery")
            )
        return contact

    # ------------------------------------------------------------------
    # Webhook management: GET, PUT, DELETE webhook, POST webhook/test
    # ------------------------------------------------------------------

    def _webhook_info(self, partner_sudo, new_secret=None):
        info = {
            "url": partner_sudo.order_api_webhook_url or None,
            "signing_secret_set": bool(partner_sudo.order_api_webhook_secret),
            "event_types": ["order.updated", "ping"],
        }
        if new_secret:
            # shown once, when it is created; admins can issue a new one
            info["signing_secret"] = new_secret
        return info

    def get_webhook(self):
        return self._webhook_info(self._partner_sudo())

    def set_webhook(self, url):
        partner_sudo = self._partner_sudo()
        url = self.env["partner.order.api.webhook.event"]._check_url(url)
        had_secret = bool(partner_sudo.order_api_webhook_secret)
        partner_sudo.order_api_webhook_url = url
        secret = partner_sudo._order_api_webhook_secret()
        return self._webhook_info(partner_sudo, new_secret=None if had_secret else secret)

    def delete_webhook(self):
        partner_sudo = self._partner_sudo()
        partner_sudo.order_api_webhook_url = False
        return self._webhook_info(partner_sudo)

    def test_webhook(self):
        partner_sudo = self._partner_sudo()
        if not partner_sudo.order_api_webhook_url:
            raise errors.ValidationError.from_details(
                [{"field": "url", "message": "No webhook URL is set: PUT one first."}]
            )
        event = self.env["partner.order.api.webhook.event"]._send_ping(partner_sudo)
        return {
            "delivered": event.state == "done",
            "webhook_id": event.message_id,
            "url": event.url,
            "status_code": event.last_status_code or None,
            "error": event.last_error or None,
            "response_time_ms": event.last_response_time_ms,
        }
