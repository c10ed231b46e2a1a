# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook event types as records, and each partner's choice of them per
company (``partner.order.api.event.type``, on the partner's endpoints,
``partner.order.api.webhook.endpoint``): made from the one list, read
by admins, written by the system, refused when unknown, kept per company,
and read for a whole batch of orders at once."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.partner_order_api.lib.events import EVENT_TYPES
from odoo.addons.partner_order_api.models.partner_order_api_event_type import (
    EVENT_TYPE_LABELS,
    event_type_xmlid,
)

from .common import PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestWebhookSubscriptions(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.EventType = cls.env["partner.order.api.event.type"]
        cls.Endpoint = cls.env["partner.order.api.webhook.endpoint"]
        cls.company_2 = cls.env["res.company"].create({"name": "PO API Events Two"})
        cls.salesman = new_test_user(
            cls.env, login="poa-ev-salesman", groups="sales_team.group_sale_salesman"
        )
        cls.manager = new_test_user(
            cls.env,
            login="poa-ev-manager",
            groups="sales_team.group_sale_manager",
            company_ids=[(6, 0, (cls.company | cls.company_2).ids)],
        )

    def event_types(self, *codes):
        return self.EventType._of_codes(codes)

    def test_records_are_the_list(self):
        """One record per code of lib.events.EVENT_TYPES, in its order, with
        its xml id and its labels; syncing again changes nothing, and a code
        no longer listed goes."""
        records = self.EventType.search([])
        self.assertEqual(records.mapped("code"), list(EVENT_TYPES))
        for code in EVENT_TYPES:
            record = self.env.ref(event_type_xmlid(code))
            self.assertEqual(record.code, code)
            self.assertEqual((record.name, record.description), EVENT_TYPE_LABELS[code])
        self.assertEqual(set(EVENT_TYPE_LABELS), set(EVENT_TYPES))
        stray = self.EventType.sudo().create(
            {"code": "order.lost", "name": "Lost", "sequence": 0}
        )
        self.assertEqual(self.EventType._sync_event_types(), records)
        self.assertFalse(stray.exists())
        self.assertEqual(self.EventType.search([]), records)

    def test_admins_read_the_system_writes(self):
        shipped = self.event_types("order.shipped")
        for user in (self.salesman, self.manager):
            self.assertEqual(shipped.with_user(user).code, "order.shipped")
            with self.assertRaises(AccessError):
                shipped.with_user(user).name = "Renamed"
            with self.assertRaises(AccessError):
                self.EventType.with_user(user).create({"code": "x", "name": "X"})
        for model in (self.EventType, self.Endpoint):
            with self.assertRaises(AccessError):
                model.with_user(self.user_a).search([])
        # the manager sets the choice on the partner; the salesman reads it
        self.partner_a.with_user(
            self.manager
        ).order_api_webhook_event_type_ids = shipped
        partner = self.partner_a.with_user(self.salesman)
        self.assertEqual(partner.order_api_webhook_event_type_ids, shipped)
        with self.assertRaises(AccessError):
            partner.order_api_webhook_event_type_ids = self.event_types("ping")
        # the endpoints themselves: administrators only
        for user in (self.salesman, self.manager):
            with self.assertRaises(AccessError):
                self.Endpoint.with_user(user).search([])

    def test_unknown_codes_are_refused(self):
        """A client's codes are checked by lib.validation.parse_event_types
        (tests_standalone/test_validation.py); a code without its record
        cannot be stored either, and a partner has at most 5 endpoints per
        company."""
        self.partner_a._order_api_set_webhook_event_types(["order.invoiced", "ping"])
        with self.assertRaises(ValueError):
            self.partner_a._order_api_set_webhook_event_types(
                ["order.shipped", "order.lost"]
            )
        self.assertEqual(
            self.partner_a._order_api_webhook_event_types(), ["order.invoiced", "ping"]
        )
        self.Endpoint.create(
            [
                {"partner_id": self.partner_a.id, "company_id": self.company.id}
                for _index in range(4)
            ]
        )
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.Endpoint.create(
                {"partner_id": self.partner_a.id, "company_id": self.company.id}
            )

    def test_each_company_its_choice(self):
        """The field shows and sets the current company's choice only; the
        API's helper normalises: no choice, or every order event, is all."""
        shipped = self.event_types("order.shipped")
        manager_2 = self.partner_a.with_user(self.manager).with_company(self.company_2)
        manager_2.order_api_webhook_event_type_ids = shipped
        self.assertEqual(manager_2.order_api_webhook_event_type_ids, shipped)
        self.assertFalse(
            self.partner_a.with_company(self.company).order_api_webhook_event_type_ids
        )
        received = {
            company: tuple(
                self.partner_a.with_company(company)._order_api_webhook_event_types()
            )
            for company in (self.company, self.company_2)
        }
        self.assertEqual(
            received,
            {self.company: EVENT_TYPES, self.company_2: ("order.shipped", "ping")},
        )
        partner_1 = self.partner_a.with_company(self.company)
        partner_1._order_api_set_webhook_event_types(["order.created"])
        self.assertEqual(
            partner_1._order_api_webhook_event_types(), ["order.created", "ping"]
        )
        self.assertEqual(manager_2.order_api_webhook_event_type_ids, shipped)
        partner_1._order_api_set_webhook_event_types(list(EVENT_TYPES[:-1]))
        self.assertFalse(partner_1.order_api_webhook_event_type_ids)
        self.assertEqual(partner_1._order_api_webhook_event_types(), list(EVENT_TYPES))

    def test_a_batch_of_orders_reads_the_choices_once(self):
        """Recording the events of many orders reads the partners' choices
        in one query: as many queries for three orders (two partners) as for
        one, when the worker remembers none of them."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.webhook_allow_http", "True")
        params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
        for partner in (self.partner_a, self.partner_b):
            partner.order_api_webhook_url = "http://127.0.0.1:9/hook"
        self.partner_b._order_api_set_webhook_event_types(["order.shipped"])
        orders = self.env["sale.order"]
        for key in (self.key_a, self.key_b, self.key_a):
            response = self.api("POST", "order", key=key, body=self.order_body())
            self.assertEqual(response.status_code, 201, response.text)
            orders |= orders.search([("name", "=", response.json()["biomes_order_id"])])
        # reserved: the objects read no forecast of waiting lines (Odoo's
        # forecast costs what the products' moves need, not the same per order)
        orders.picking_ids.action_assign()
        self.assertEqual(set(orders.picking_ids.mapped("state")), {"assigned"})
        Event = self.env["partner.order.api.webhook.event"]
        counts = []
        # the first round warms Odoo's caches (parameters, the cron)
        for batch in (orders, orders[:1], orders):
            self.env.flush_all()
            self.env.invalidate_all()
            # what the workers remember of the choices, forgotten: read anew
            self.env.registry.clear_cache()
            before = self.cr.sql_log_count
            events = Event._record_order_events(
                [(order, None) for order in batch], "order.created"
            )
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
        # partner B chose order.shipped: nothing of its order
        self.assertEqual(
            sorted(events.mapped(lambda e: (e.order_id.id, e.event_type))),
            sorted(
                (order.id, event_type)
                for order in orders[0] | orders[2]
                for event_type in ("order.updated", "order.created")
            ),
        )
        self.assertEqual(counts[2], counts[1], counts)

    def test_choices_are_remembered_until_one_changes(self):
        """Each worker remembers the choices it read (a POST order records
        its events several times: no statement each time), and forgets them
        when a choice changes, in the same transaction too."""
        Endpoint = self.Endpoint.sudo()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.webhook_allow_http", "True")
        params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
        self.partner_b.order_api_webhook_url = "http://127.0.0.1:9/hook"
        endpoint = self.partner_b._order_api_webhook_endpoint()
        pair = (self.partner_b.id, self.env.company.id)

        def received():
            [(endpoint_id, codes)] = Endpoint._targets([pair])[pair]
            self.assertEqual(endpoint_id, endpoint.id)
            return codes

        self.partner_b._order_api_set_webhook_event_types(["order.shipped"])
        self.assertEqual(received(), ("order.shipped", "ping"))
        self.env.flush_all()
        before = self.cr.sql_log_count
        Endpoint._targets([pair])
        self.assertEqual(self.cr.sql_log_count - before, 0, "remembered")
        self.partner_b._order_api_set_webhook_event_types(["order.invoiced"])
        self.assertEqual(
            received(),
            ("order.invoiced", "ping"),
            "forgotten when the choice changed",
        )
        self.partner_b._order_api_set_webhook_event_types(None)
        self.assertEqual(received(), tuple(EVENT_TYPES))
