# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Where and how a partner's orders travel: ``GET carriers`` and ``GET
addresses``, and what the order use cases (``partner_order_api_orders_create.py``:
``POST order``, ``order/quote``, ``orders/batch``) check of a
``carrier_code``, a ``delivery_address_id`` and a delivery address's
``state_code``. The delivery contact itself is made by
``partner.order.api.orders._delivery_contact_sudo``.

A partner never learns another's data: a carrier it may not choose answers
like one that does not exist (400 on ``carrier_code``), and an address id
that is not one of its delivery contacts like one that does not exist (404
``not_found``)."""

from odoo import models

from ..lib import errors

# GET addresses answers at most this many delivery contacts (newest first)
ADDRESSES_MAX = 500
ADDRESS_FIELDS = (
    "name",
    "company_name",
    "street",
    "street2",
    "zip",
    "city",
    "phone",
    "email",
)


def _invalid(field, message):
    return errors.ValidationError.from_details([{"field": field, "message": message}])


class PartnerOrderApiAddresses(models.AbstractModel):
    _name = "partner.order.api.addresses"
    _description = "Partner Order API: a partner's carriers and delivery addresses"

    # ------------------------------------------------------------------
    # Carriers
    # ------------------------------------------------------------------

    def _allowed_carriers_sudo(self, partner_sudo):
        """The carriers ``partner_sudo`` may choose: its allowed carriers
        (``order_api_carrier_ids``) that are active, have an Order API code
        and belong to the API company (or to none), by code."""
        company = self.env.company
        carriers = partner_sudo.sudo().order_api_carrier_ids.filtered(
            lambda c: (
                c.active
                and c.order_api_code
                and c.company_id in (company, company.browse())
            )
        )
        return carriers.sorted(lambda c: (c.order_api_code, c.id))

    def _get_carriers(self):
        """``GET carriers``: the carriers the caller may choose."""
        partner_sudo = self.env["partner.order.api.caller"]._partner_sudo()
        return [
            {"code": carrier.order_api_code, "name": carrier.name}
            for carrier in self._allowed_carriers_sudo(partner_sudo)
        ]

    def _carrier_sudo(self, partner_sudo, code):
        """The allowed carrier of ``partner_sudo`` whose code is ``code``
        (None: no carrier). Unknown and not allowed answer alike, 400 on
        ``carrier_code``: the carriers do not leak."""
        if not code:
            return None
        for carrier in self._allowed_carriers_sudo(partner_sudo):
            if carrier.order_api_code == code:
                return carrier
        raise _invalid(
            "carrier_code",
            f"carrier_code {code!r} is unknown or not allowed for this partner "
            "(see GET carriers).",
        )

    def _rate_sudo(self, carrier_sudo, order):
        """The price of shipping ``order`` (a record, or a ``new()`` one
        for a quote) with ``carrier_sudo``, from Odoo's rating
        (``delivery.carrier.rate_shipment``). When the carrier cannot ship
        it (the address outside its zones, the order outside its rules),
        400 on ``carrier_code`` with the carrier's reason: the client's
        choice of carrier for this order is what is wrong (another carrier
        of ``GET carriers`` may ship it), and no new error code is needed."""
        result = carrier_sudo.rate_shipment(order)
        if not result.get("success"):
            reason = result.get("error_message") or "not available"
            raise _invalid(
                "carrier_code",
                f"The carrier {carrier_sudo.order_api_code!r} cannot ship this "
                f"order: {reason}",
            )
        return result["price"]

    # ------------------------------------------------------------------
    # Addresses
    # ------------------------------------------------------------------

    def _delivery_contacts_sudo(self, partner_sudo):
        """The active delivery contacts of ``partner_sudo`` (a commercial
        partner): its children of type delivery, newest first."""
        return (
            self.env["res.partner"]
            .sudo()
            .search(
                [
                    ("parent_id", "=", partner_sudo.id),
                    ("type", "=", "delivery"),
                ],
                order="id desc",
                limit=ADDRESSES_MAX,
            )
        )

    def _get_addresses(self):
        """``GET addresses``: the caller's delivery contacts (at most
        ``ADDRESSES_MAX``, newest first), each usable as
        ``delivery_address_id``."""
        partner_sudo = self.env["partner.order.api.caller"]._partner_sudo()
        contacts = self._delivery_contacts_sudo(partner_sudo)
        contacts.fetch(
            ["state_id", "country_id", *ADDRESS_FIELDS],
        )
        return [self._prepare_address_values(contact) for contact in contacts]

    def _prepare_address_values(self, contact):
        values = {"id": contact.id}
        values.update({name: contact[name] or None for name in ADDRESS_FIELDS})
        values["state_code"] = contact.state_id.code or None
        values["country_code"] = contact.country_id.code or None
        return {
            key: values[key]
            for key in (
                "id",
                "name",
                "company_name",
                "street",
                "street2",
                "zip",
                "city",
                "state_code",
                "country_code",
                "phone",
                "email",
            )
        }

    def _address_contact_sudo(self, partner_sudo, address_id):
        """The delivery contact ``address_id`` of ``partner_sudo`` (one of
        ``GET addresses``); 404 for any other id, another partner's
        included."""
        contact = (
            self.env["res.partner"]
            .sudo()
            .search(
                [
                    ("id", "=", address_id),
                    ("parent_id", "=", partner_sudo.id),
                    ("type", "=", "delivery"),
                ],
                limit=1,
            )
        )
        if not contact:
            raise errors.NotFound(f"No delivery address with id {address_id}.")
        return contact

    def _address_state(self, country, address):
        """The ``res.country.state`` of ``address``'s ``state_code`` in
        ``country`` (an empty record for none); 400 on
        ``delivery_address.state_code`` for a code the country does not
        have, or none where Odoo requires one (the country's
        ``state_required``)."""
        State = self.env["res.country.state"].sudo()
        code = address.get("state_code")
        if not code:
            if country.state_required:
                raise _invalid(
                    "delivery_address.state_code",
                    f"delivery_address.state_code is required for country "
                    f"{country.code}.",
                )
            return State
        state = State.search(
            [("country_id", "=", country.id), ("code", "=", code)], limit=1
        )
        if not state:
            raise _invalid(
                "delivery_address.state_code",
                f"Unknown state code {code!r} for country {country.code}.",
            )
        return state
