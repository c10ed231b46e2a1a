# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a partner creates: ``POST order``, ``POST order/quote`` (the same
order, priced and not written) and ``POST orders/batch``. Part of
``partner.order.api.orders`` (``partner_order_api_orders.py``)."""

import datetime
import hashlib
import logging
import uuid

import psycopg2.errors
from markupsafe import Markup

from odoo import Command, _, api, models
from odoo.tools import SQL

from ..error_handlers import logged_api_error
from ..lib import errors

_logger = logging.getLogger(__name__)


class PartnerOrderApiOrders(models.AbstractModel):
    _inherit = "partner.order.api.orders"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # POST order
    # ------------------------------------------------------------------

    def _create_order(self, payload):
        """Create and confirm the order described by a parsed body
        (``lib.validation.parse_order_payload``) and return its order object
        (the reader's ``_serialize``)."""
        order_sudo = self._create_order_record(payload)
        return self.env["partner.order.api.order.reader"]._serialize(order_sudo)[0]

    def _create_order_record(self, payload, committed=None):
        """The order of ``_create_order``, created and confirmed (in sudo).
        ``committed``: see ``_check_external_id_free``."""
        partner_sudo, lines, country = self._order_input(payload)
        contact, carrier = self._shipping_input(partner_sudo, payload, country)
        external_id = payload["external_order_id"]
        if external_id:
            self._check_external_id_free(partner_sudo, external_id, committed)
        return self._create_order_sudo(
            partner_sudo,
            lines,
            payload["delivery_address"],
            country,
            external_id,
            payload.get("note"),
            planning=payload,
            carrier=carrier,
            contact=contact,
        )

    def _shipping_input(self, partner_sudo, payload, country):
        """``(contact, carrier)`` of a parsed order body: the saved delivery
        contact its ``delivery_address_id`` names (404 for any other id;
        None with a ``delivery_address``, whose ``state_code`` is checked
        against ``country``: 400), and the allowed carrier of its
        ``carrier_code`` (None without one; 400 for a code unknown or not
        allowed). See ``partner.order.api.addresses``."""
        Addresses = self.env["partner.order.api.addresses"]
        contact = None
        if payload.get("delivery_address_id"):
            contact = Addresses._address_contact_sudo(
                partner_sudo, payload["delivery_address_id"]
            )
        else:
            Addresses._address_state(country, payload["delivery_address"])
        carrier = Addresses._carrier_sudo(partner_sudo, payload.get("carrier_code"))
        return contact, carrier

    def _order_input(self, payload):
        """``(partner_sudo, [(product, amount)], country)`` of a parsed order
        body, checked as ``POST order`` checks it: 403 ``forbidden`` for a
        partner not enabled, 403 ``product_not_allowed`` for an EAN unknown or
        not allowed, 400 for a country Odoo does not have, then 409
        ``not_configured`` for an API company not set up for the order
        (``partner.order.api.company.setup``)."""
        partner_sudo = self.env["partner.order.api.caller"]._partner_sudo()
        allowed = self.env["partner.order.api.products"]._allowed_products_sudo(
            partner_sudo
        )
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
            lines.append((product, line["amount"], line.get("customer_reference")))
        # minimum quantities and order multiples (400, naming the lines)
        self.env["partner.order.api.products"]._check_order_quantities(
            partner_sudo,
            [
                (f"lines[{index}].amount", product, amount)
                for index, (product, amount, _reference) in enumerate(lines)
            ],
        )
        address = payload["delivery_address"]
        if not address:  # delivery_address_id: _shipping_input
            self.env["partner.order.api.company.setup"]._check_order_setup(partner_sudo)
            return partner_sudo, lines, self.env["res.country"]
        country = (
            self.env["res.country"]
            .sudo()
            .search([("code", "=", address["country_code"])], limit=1)
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
        # the seller's setup (409 not_configured), before anything is written
        self.env["partner.order.api.company.setup"]._check_order_setup(partner_sudo)
        return partner_sudo, lines, country

    def _check_external_id_free(self, partner_sudo, external_id, committed=None):
        """409 when the partner already used ``external_id``, decided before
        the INSERT ever meets the unique index: a failed INSERT is logged by
        PostgreSQL and by Odoo as an ERROR ("bad query"), for what is only a
        client's duplicate. Requests with the same external id queue on a
        transaction-scoped advisory lock (``_lock_external_ids``); the one
        that holds it looks for the order in its own snapshot, then in a
        fresh one (``_external_ids_used``).

        ``committed``: the caller took the lock and made the fresh check
        already (``POST orders/batch``, for all its orders at once): the
        external ids found then; only this transaction's snapshot is looked
        at again (it holds the orders the caller created since). ``POST
        order/quote`` passes an empty set: its snapshot alone, no lock.
        The one place a used id is found before writing; the other is the
        unique index a concurrent request met first
        (``_create_order_sudo``)."""
        if committed is None:
            self._lock_external_ids(partner_sudo, [external_id])
            used = self._external_ids_used(partner_sudo, [external_id])
        else:
            used = committed | self._external_ids_used(
                partner_sudo, [external_id], fresh=False
            )
        if external_id in used:
            raise errors.DuplicateExternalOrderId.of(external_id)

    @api.model
    def _external_id_lock_key(self, partner_sudo, external_id):
        company_id = self.env.company.id
        digest = hashlib.sha256(
            f"partner_order_api:external:{partner_sudo.id}:{company_id}:{external_id}".encode()
        ).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    def _lock_external_ids(self, partner_sudo, external_ids):
        """Take the transaction-scoped advisory locks of the partner's
        ``external_ids``, in one fixed order (two batches sharing external
        ids wait for each other, they never deadlock)."""
        keys = sorted(
            {self._external_id_lock_key(partner_sudo, eid) for eid in external_ids}
        )
        if keys:
            self.env.cr.execute(
                SQL(
                    "SELECT pg_advisory_xact_lock(key) "
                    "FROM unnest(%s::bigint[]) WITH ORDINALITY AS k(key, n) ORDER BY n",
                    keys,
                )
            )
            self.env.cr.fetchall()

    def _external_ids_used(self, partner_sudo, external_ids, fresh=True):
        """The set of ``external_ids`` the partner already used in the API
        company (unique per partner and company, as the orders it can read
        are): in this transaction's snapshot, then (``fresh``) in a new
        transaction, which sees what a request that held the lock before
        committed."""
        self.env["sale.order"].flush_model(
            [
                "order_api_partner_id",
                "company_id",
                "order_api_test",
                "order_api_external_id",
            ]
        )
        query = SQL(
            "SELECT order_api_external_id FROM sale_order "
            "WHERE order_api_partner_id = %s AND company_id = %s"
            " AND COALESCE(order_api_test, false) = %s"
            " AND order_api_external_id = ANY(%s)",
            partner_sudo.id,
            self.env.company.id,
            # per mode: a test order's id is free for a real order
            self.env["partner.order.api.caller"]._test_mode(),
            list(external_ids),
        )
        self.env.cr.execute(query)
        used = {row[0] for row in self.env.cr.fetchall()}
        registry = self.env.registry
        if fresh and set(external_ids) - used and not registry.in_test_mode():
            # (a test cursor shares the test's transaction: nothing to add)
            with registry.cursor() as cr_fresh:
                cr_fresh.execute(query)
                used |= {row[0] for row in cr_fresh.fetchall()}
        return used

    def _create_order_sudo(
        self,
        partner_sudo,
        lines,
        address,
        country,
        external_id,
        note=None,
        planning=None,
        carrier=None,
        contact=None,
    ):
        """The elevated part of ``POST order``: the caller and its input were
        checked; a portal user has no right to create or confirm orders nor
        to create contacts, so this runs as superuser. ``contact``: the
        saved delivery contact (``delivery_address_id``), else one for
        ``address``; ``carrier``: the chosen carrier, whose rated price
        becomes the order's delivery line before it is confirmed (so its
        delivery carries the carrier)."""
        env_sudo = self.sudo().with_company(self.env.company).env
        shipping = contact or self._delivery_contact_sudo(
            env_sudo, partner_sudo, address, country
        )
        vals = self._prepare_order_vals(
            partner_sudo, lines, shipping, external_id, note
        )
        vals.update(self._prepare_planning_vals(planning or {}))
        try:
            with env_sudo.cr.savepoint():
                order_sudo = env_sudo["sale.order"].create(vals)
                if carrier:
                    order_sudo.set_delivery_line(
                        carrier,
                        self.env["partner.order.api.addresses"]._rate_sudo(
                            carrier, order_sudo
                        ),
                    )
                if order_sudo.order_api_test:  # a quotation: sale_order_test_mode.py
                    order_sudo._order_api_place_test()
                else:
                    order_sudo.with_context(
                        order_api_defer_reservation=True
                    ).action_confirm()
                    order_sudo.picking_ids._order_api_defer_reservation()
                if note:
                    # shown to the salesperson in the order's chatter
                    order_sudo.message_post(
                        body=Markup("<p><b>%s</b></p><p>%s</p>")
                        % (_("Note from the partner (Partner Order API):"), note),
                        message_type="comment",
                        subtype_xmlid="mail.mt_note",
                    )
        except psycopg2.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "sale_order_order_api_external_id_uniq":
                raise
            # A concurrent request with the same external id committed first.
            raise errors.DuplicateExternalOrderId.of(external_id) from None
        _logger.info(
            "Partner Order API: %s created for partner #%s by user #%s",
            order_sudo.name,
            partner_sudo.id,
            self.env.uid,
        )
        return order_sudo

    @api.model
    def _prepare_planning_vals(self, payload):
        """The ``sale.order`` values of what the buyer plans with
        (``lib.validation.parse_order_payload``): ``requested_delivery_date``
        becomes the commitment date (the day's noon UTC: the same date in
        every time zone of Europe), ``ship_complete`` the shipping policy
        (``one``: all at once; ``direct``: as soon as possible); absent or
        null, the order's default stays."""
        vals = {}
        requested = payload.get("requested_delivery_date")
        if requested:
            vals["commitment_date"] = datetime.datetime.combine(
                requested, datetime.time(12)
            )
        if payload.get("ship_complete") is not None:
            vals["picking_policy"] = "one" if payload["ship_complete"] else "direct"
        return vals

    def _prepare_order_vals(self, partner_sudo, lines, shipping, external_id, note):
        """The values of the ``sale.order`` of ``POST order`` (and of the
        in-memory order of ``POST order/quote``)."""
        vals = {
            "partner_id": self.env.user.partner_id.id,
            "partner_shipping_id": shipping.id,
            "order_api_partner_id": partner_sudo.id,
            "order_api_external_id": external_id,
            "client_order_ref": external_id,
            "order_api_note": note,
            "order_api_test": self.env["partner.order.api.caller"]._test_mode(),
            "company_id": self.env.company.id,
            # the portal's token made now, in the order's own transaction: the
            # partner's first look at the order on the portal would write it
            # otherwise, and race the crons touching the order (reservation)
            "access_token": str(uuid.uuid4()),
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": amount,
                        "order_api_customer_reference": reference or False,
                    }
                )
                for product, amount, reference in lines
            ],
        }
        Setup = self.env["partner.order.api.company.setup"]
        pricelist = Setup._check_order_setup(partner_sudo)
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        return vals

    def _delivery_contact_sudo(
        self, env_sudo, partner_sudo, address, country, create=True
    ):
        """The delivery contact of ``partner_sudo`` at ``address`` (a parsed
        ``delivery_address``: its ``state_code``, ``phone``, ``email`` and
        ``company_name`` optional): an identical existing one is reused,
        otherwise a new one is created (or, without ``create``, made in
        memory only: ``res.partner.new``). 400 for a state the country does
        not have or requires (``partner.order.api.addresses._address_state``).

        One contact per address, also under concurrent requests: before
        creating one, the request updates the partner's row. A concurrent
        request creating a contact for it waits there, then fails with a
        serialization error (the row changed since its snapshot began), and
        Odoo runs it again (``odoo.service.model.retrying``), in a snapshot
        that sees the contact the first request committed. Error handling
        lets that error through (``error_handlers._to_api_error``)."""
        state = self.env["partner.order.api.addresses"]._address_state(country, address)
        values = {
            "name": address["name"],
            "street": address["street"],
            "street2": address["street2"] or False,
            "zip": address["zip"],
            "city": address["city"],
            "country_id": country.id,
            "state_id": state.id or False,
        }
        for name in ("phone", "email", "company_name"):
            values[name] = address.get(name) or False
        domain = [("parent_id", "=", partner_sudo.id), ("type", "=", "delivery")]
        domain += [(field, "=", value) for field, value in values.items()]
        contact = env_sudo["res.partner"].search(domain, order="id", limit=1)
        if not contact:
            values = dict(values, parent_id=partner_sudo.id, type="delivery")
            if create:
                self._lock_partner_contacts(partner_sudo)
                # Odoo empties company_name on a create with a parent: set
                # after (the receiving company, shown and compared)
                company_name = values.pop("company_name")
                contact = env_sudo["res.partner"].create(values)
                if company_name:
                    contact.company_name = company_name
            else:
                contact = env_sudo["res.partner"].new(values)
        return contact

    def _lock_partner_contacts(self, partner_sudo):
        """Serialize the creation of ``partner_sudo``'s delivery contacts: a
        real update of its row (see ``_delivery_contact_sudo``). The
        serialization error of the request that waited is expected, Odoo
        retries it: not logged as a bad query."""
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET write_date = write_date WHERE id = %s",
                partner_sudo.id,
            ),
            log_exceptions=False,
        )

    # ------------------------------------------------------------------
    # POST order/quote
    # ------------------------------------------------------------------

    def _quote_order(self, payload):
        """What ``POST order`` would answer for the same parsed body, with
        the same checks and errors (a used ``external_order_id`` included),
        and whether each line's quantity is free in stock now, without
        writing anything: the order, its lines and, when no identical one
        exists, its delivery contact are ``new()`` records that Odoo prices
        (the partner's pricelist, taxes of the fiscal position) as it prices
        the order it creates. It runs on a read-only cursor."""
        partner_sudo, lines, country = self._order_input(payload)
        external_id = payload["external_order_id"]
        if external_id:
            # this transaction's snapshot only: a quote runs on a read-only
            # cursor and takes no lock
            self._check_external_id_free(partner_sudo, external_id, committed=set())
        contact, carrier = self._shipping_input(partner_sudo, payload, country)
        env_sudo = self.sudo().with_company(self.env.company).env
        shipping = contact or self._delivery_contact_sudo(
            env_sudo, partner_sudo, payload["delivery_address"], country, create=False
        )
        vals = self._prepare_order_vals(
            partner_sudo, lines, shipping, external_id, payload.get("note")
        )
        vals.update(self._prepare_planning_vals(payload))
        order = env_sudo["sale.order"].new(vals)
        if carrier:
            self._quote_delivery_line(order, carrier)
        return self.env["partner.order.api.order.reader"]._prepare_quote_values(
            order,
            self.env["partner.order.api.products"]._free_quantities(
                order.order_line.filtered(lambda line: not line.is_delivery).product_id
            ),
            external_id,
            shipping,
            payload.get("note"),
        )

    def _quote_delivery_line(self, order, carrier):
        """Add to the in-memory ``order`` of a quote the delivery line
        ``POST order`` would add (``set_delivery_line``), in memory too."""
        price = self.env["partner.order.api.addresses"]._rate_sudo(carrier, order)
        order.carrier_id = carrier
        vals = order._prepare_delivery_line_vals(carrier, price)
        vals.pop("order_id", None)
        order.update({"order_line": [Command.create(vals)]})

    # ------------------------------------------------------------------
    # POST orders/batch
    # ------------------------------------------------------------------

    def _create_orders_batch(self, items):
        """Create the orders of ``POST orders/batch``, each on its own:
        ``items`` holds, in the request's order, a parsed order body
        (``lib.validation.parse_order_payload``) or the ``ValidationError``
        of an invalid one. Returns ``{"results": [{index, status, order |
        error}]}``, ``status`` being what ``POST order`` would have answered
        for that order alone.

        Each order runs in a savepoint of its own: one that fails is rolled
        back (nothing of it stays, the transaction stays usable) and the
        next one goes on. Its error becomes the contract's error object
        through the one map of ``error_handlers``. A concurrency failure
        (serialization, deadlock) is not caught: Odoo rolls the whole request
        back and runs it again, so nothing is created twice.

        External ids are protected as ``POST order`` protects them: the
        advisory locks of every external id of the batch are taken first, in
        one fixed order, then one fresh check finds those already committed;
        each order then looks at its own transaction too, so the second
        order of a batch with the same external id is a 409. The order
        objects are built at the end, all at once (the reader's
        ``_serialize``: a fixed number of queries)."""
        # not enabled: 403 for the request
        partner_sudo = self.env["partner.order.api.caller"]._partner_sudo()
        external_ids = {
            item["external_order_id"]
            for item in items
            if isinstance(item, dict) and item["external_order_id"]
        }
        committed = set()
        if external_ids:
            self._lock_external_ids(partner_sudo, external_ids)
            committed = self._external_ids_used(partner_sudo, external_ids)
        outcomes = []
        for index, item in enumerate(items):
            try:
                if not isinstance(item, dict):
                    raise item
                with self.env.cr.savepoint():
                    outcomes.append(self._create_order_record(item, committed))
            except Exception as exc:  # pylint: disable=broad-except
                api_error = logged_api_error(exc, f"orders[{index}]")
                if api_error is None:
                    raise  # concurrency: Odoo retries the whole request
                outcomes.append(api_error)
        created = self.env["sale.order"].sudo()
        for outcome in outcomes:
            if not isinstance(outcome, errors.OrderApiError):
                created |= outcome
        reader = self.env["partner.order.api.order.reader"]
        objects = dict(zip(created.ids, reader._serialize(created), strict=True))
        results = []
        for index, outcome in enumerate(outcomes):
            if isinstance(outcome, errors.OrderApiError):
                results.append(
                    {
                        "index": index,
                        "status": outcome.status,
                        "error": outcome.to_dict()["error"],
                    }
                )
            else:
                results.append(
                    {"index": index, "status": 201, "order": objects[outcome.id]}
                )
        return {"results": results}
