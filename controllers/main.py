# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Routes of the Partner Order API: parse, call one use case, answer.

The use cases live in ``models/``, one model per thing they act on: orders
(``partner.order.api.orders``), products (``partner.order.api.products``),
carriers and addresses (``partner.order.api.addresses``),
webhook settings (``partner.order.api.webhook.settings``), the webhook
event log (``partner.order.api.webhook.log``), documents
(``partner.order.api.document``). Who is asking is decided before a route
runs, by the auth method (``ir.http._auth_method_partner_order_api``:
``partner.order.api.caller._admit``); errors become JSON in
``error_handlers.py``.
"""

import json

from odoo import http
from odoo.http import request
from odoo.tools.misc import file_path

from ..error_handlers import PREFIX, file_response, json_response
from ..lib import ubl_order, validation
from ..lib.schema_fields import DOCUMENT_MEDIA_TYPES
from .routing import api_endpoint, fallback


def _orders():
    return request.env["partner.order.api.orders"]


def _addresses():
    return request.env["partner.order.api.addresses"]


def _webhook():
    return request.env["partner.order.api.webhook.settings"]


def _webhook_log():
    return request.env["partner.order.api.webhook.log"]


def _json_body():
    return validation.parse_json_object(
        request.httprequest.get_data(cache=True),
        request.httprequest.headers.get("Content-Type"),
    )


def _order_body():
    """``(data, payload)`` of ``POST order`` and ``order/quote``: a JSON
    body, or a UBL Order (``Content-Type: application/xml``, read by
    ``partner_order_api_orders_ubl.py``; ``data``, which the idempotency
    fingerprint covers, is then the XML bytes' digest)."""
    if ubl_order.is_xml(request.httprequest.headers.get("Content-Type")):
        return _orders()._ubl_order_request(request.httprequest.get_data(cache=True))
    data = _json_body()
    return data, validation.parse_order_payload(data)


def _idempotent(route, data, func):
    """Run ``func`` once per ``Idempotency-Key`` (when the client sent one)."""
    key = validation.parse_idempotency_key(
        request.httprequest.headers.get("Idempotency-Key")
    )
    (payload, status), replayed = request.env[
        "partner.order.api.idempotency"
    ]._run_for_caller(key, route, data, func)
    return payload, status, {"Idempotent-Replayed": "true"} if replayed else {}


class PartnerOrderApiController(http.Controller):
    @api_endpoint("listAvailableProducts")
    def available_products(self, **params):
        return {
            "products": request.env[
                "partner.order.api.products"
            ]._get_available_products()
        }, 200

    @api_endpoint("getAccount")
    def account(self, **params):
        return {"account": request.env["partner.order.api.account"]._get_account()}, 200

    @api_endpoint("listCarriers")
    def carriers(self, **params):
        return {"carriers": _addresses()._get_carriers()}, 200

    @api_endpoint("listAddresses")
    def addresses(self, **params):
        return {"addresses": _addresses()._get_addresses()}, 200

    @api_endpoint("listOrders")
    def orders(self, **params):
        page, page_size, filters = validation.parse_orders_query(
            request.httprequest.args
        )
        return _orders()._list_orders(page, page_size, filters), 200

    @api_endpoint("getOrderStatus")
    def order_status(self, **params):
        identified_by, order_id = validation.parse_order_lookup(
            request.httprequest.args
        )
        return _orders()._get_order_status(identified_by, order_id), 200

    @api_endpoint("getOrderDocument")
    def order_document(self, **params):
        identified_by, order_id, doc_type, selector, xml_format = (
            validation.parse_order_document_query(request.httprequest.args)
        )
        content, filename = request.env[
            "partner.order.api.document"
        ]._get_order_document(identified_by, order_id, doc_type, selector, xml_format)
        return file_response(
            content, DOCUMENT_MEDIA_TYPES.get(doc_type, "application/pdf"), filename
        )

    @api_endpoint("createOrder")
    def order(self, **params):
        data, payload = _order_body()
        return _idempotent(
            "order", data, lambda: (_orders()._create_order(payload), 201)
        )

    @api_endpoint("quoteOrder")
    def order_quote(self, **params):
        return _orders()._quote_order(_order_body()[1]), 200

    @api_endpoint("createOrdersBatch")
    def orders_batch(self, **params):
        data = _json_body()
        items = validation.parse_order_batch(data)
        return _idempotent(
            "orders/batch",
            data,
            lambda: (_orders()._create_orders_batch(items), 200),
        )

    @api_endpoint("cancelOrder")
    def order_cancel(self, **params):
        data = _json_body()
        identified_by, order_id = validation.parse_cancel_request(data)
        return _idempotent(
            "order/cancel",
            data,
            lambda: (_orders()._cancel_order(identified_by, order_id), 200),
        )

    @api_endpoint("changeOrder")
    def order_change(self, **params):
        data = _json_body()
        payload = validation.parse_order_change(data)
        return _idempotent(
            "order/change", data, lambda: (_orders()._change_order(payload), 200)
        )

    @api_endpoint("quoteOrderChange")
    def order_change_quote(self, **params):
        payload = validation.parse_order_change(_json_body())
        return _orders()._change_order(payload, dry_run=True), 200

    @api_endpoint("returnOrder")
    def order_return(self, **params):
        data = _json_body()
        identified_by, order_id, lines, reason = validation.parse_return_request(data)
        return _idempotent(
            "order/return",
            data,
            lambda: (
                _orders()._return_order(identified_by, order_id, lines, reason),
                201,
            ),
        )

    @api_endpoint("getWebhook")
    def webhook_get(self, **params):
        return _webhook()._get_webhook(), 200

    @api_endpoint("setWebhook")
    def webhook_put(self, **params):
        data = _json_body()
        # not enabled: 403 before the body is looked at
        request.env["partner.order.api.caller"]._partner_sudo()
        url, event_types = validation.parse_webhook_settings(data)
        return _webhook()._set_webhook(url, event_types), 200

    @api_endpoint("deleteWebhook")
    def webhook_delete(self, **params):
        return _webhook()._delete_webhook(), 200

    @api_endpoint("testWebhook")
    def webhook_test(self, **params):
        return _webhook()._test_webhook(), 200

    @api_endpoint("rotateWebhookSecret")
    def webhook_rotate_secret(self, **params):
        return _webhook()._rotate_webhook_secret(), 200

    @api_endpoint("listWebhookEndpoints")
    def webhook_endpoints(self, **params):
        return _webhook()._list_endpoints(), 200

    @api_endpoint("createWebhookEndpoint")
    def webhook_endpoint_create(self, **params):
        data = _json_body()
        request.env["partner.order.api.caller"]._partner_sudo()
        url, event_types = validation.parse_webhook_settings(data)
        return _webhook()._add_endpoint(url, event_types), 201

    @api_endpoint("updateWebhookEndpoint")
    def webhook_endpoint_update(self, endpoint_id, **params):
        changes = validation.parse_webhook_endpoint_update(_json_body())
        return _webhook()._update_endpoint(endpoint_id, changes), 200

    @api_endpoint("deleteWebhookEndpoint")
    def webhook_endpoint_delete(self, endpoint_id, **params):
        return _webhook()._delete_endpoint(endpoint_id), 200

    @api_endpoint("rotateWebhookEndpointSecret")
    def webhook_endpoint_rotate_secret(self, endpoint_id, **params):
        return _webhook()._rotate_endpoint_secret(endpoint_id), 200

    @api_endpoint("testWebhookEndpoint")
    def webhook_endpoint_test(self, endpoint_id, **params):
        return _webhook()._test_endpoint(endpoint_id), 200

    @api_endpoint("listWebhookEvents")
    def webhook_events(self, **params):
        query = validation.parse_webhook_events_query(request.httprequest.args)
        return _webhook_log()._list_events(query), 200

    @api_endpoint("redeliverWebhookEvents")
    def webhook_events_redeliver(self, **params):
        event_id, since = validation.parse_webhook_redeliver(_json_body())
        return _webhook_log()._redeliver(event_id, since), 202

    @api_endpoint("getOpenApiDocument")
    def openapi(self, **params):
        with open(file_path("partner_order_api/static/openapi.json"), "rb") as spec:
            document = json.load(spec)
        return json_response(document)

    @http.route(
        [PREFIX, f"{PREFIX}/<path:subpath>"],
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
    )
    def fallback(self, subpath=None, **params):
        return fallback(request.httprequest.path)
