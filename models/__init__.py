"""The Odoo models of the Partner Order API. They may import ``lib/`` (pure
Python) and ``error_handlers``, never ``controllers/``
(tests_standalone/test_suite_wiring.py checks it). Infrastructure that
needs no ORM (the API's own connections and slots, log filters) lives in
``lib/``, set up by the model that owns it (``_register_hook``).

Where each concern lives, in the order a request meets them (README,
"Architecture"):

- **who is asking**: ``partner.order.api.caller`` (``partner_order_api_caller.py``:
  the key and its cache, the caller's facts and their cache, ``_admit``
  which the auth method of ``ir_http.py`` calls, ``_forget`` which every
  change that must make workers forget a caller calls;
  ``partner_order_api_caller_standby.py``: read-your-writes on a
  standby), with the partner's budget and slots
  (``partner_order_api_rate_limit.py``);
- **what a request may do**, one model per thing the use cases act on:
  orders (``partner_order_api_orders.py``: list, status, cancel;
  ``partner_order_api_orders_create.py``: create, quote, batch;
  ``partner_order_api_orders_ubl.py``: a UBL Order as their body;
  ``partner_order_api_orders_change.py``: change and its dry run;
  ``partner_order_api_orders_return.py``: return), products
  (``partner_order_api_products.py``; the quantities a partner may order
  of them ``partner_order_api_quantity_rule.py``), the partner's terms and
  balance (``partner_order_api_account.py``), carriers and delivery addresses
  (``partner_order_api_addresses.py``, the carrier's code
  ``delivery_carrier.py``), webhook settings
  (``partner_order_api_webhook_settings.py``), documents
  (``partner_order_api_document.py``, e-invoices
  ``partner_order_api_document_xml.py``, its cache
  ``partner_order_api_document_cache.py``, the UBL DespatchAdvice
  ``partner_order_api_despatch.py``), idempotency
  (``partner_order_api_idempotency.py``);
- **what an order looks like**: ``partner.order.api.order.reader``
  (``order_reader.py``: which orders, the page, the statements, the
  per-worker cache; ``order_reader_shape.py``: the ``_prepare_*``
  shaping; ``order_reader_returns.py``: the returns;
  ``order_reader_despatch.py``: packages, weights, lots' expiry); when it changes
  is the order's concern (``sale_order_freshness.py``, ``order_object_shared.py``), what was
  ordered and shipped is stored on its lines (``sale_order_line.py``) and
  moves (``stock_move.py``), who owns it and how many a partner has
  (``sale_order_owner.py``, ``partner_order_api_order_tally.py``), the
  orders whose expected dates the refresh cron makes anew
  (``partner_order_api_forecast_pending.py``);
- **webhooks**: the event types (``partner_order_api_event_type.py``), a
  partner's endpoints with their URL, secrets and choice of types
  (``partner_order_api_webhook_endpoint.py``; the choice of the releases
  before 18.0.1.6.0, read by their migrations only:
  ``partner_order_api_webhook_subscription.py``),
  the outbox (``partner_order_api_webhook_record.py``: events recorded in
  the business transaction), its sender
  (``partner_order_api_webhook_event.py``, ``partner_order_api_webhook_ping.py``);
- **the back office**: ``res_partner*.py``, ``res_users*.py``,
  ``product_*.py``, ``res_config_settings.py``,
  ``partner_order_api_company_setup.py``, and the portal section
  (``partner_order_api_portal.py``).
"""

from . import ir_http
from . import res_partner
from . import res_users
from . import sale_order
from . import sale_order_freshness
from . import order_object_shared
from . import sale_order_owner
from . import sale_order_test_mode
from . import sale_order_line
from . import account_move
from . import stock_lot
from . import partner_order_api_company_setup
from . import partner_order_api_caller
from . import partner_order_api_caller_standby
from . import order_reader
from . import order_reader_invoices
from . import order_reader_shape
from . import order_reader_forecast
from . import partner_order_api_orders
from . import partner_order_api_orders_create
from . import partner_order_api_orders_ubl
from . import order_reader_returns
from . import order_reader_despatch
from . import partner_order_api_orders_change
from . import partner_order_api_orders_return
from . import partner_order_api_products
from . import partner_order_api_quantity_rule
from . import partner_order_api_account
from . import delivery_carrier
from . import partner_order_api_addresses
from . import partner_order_api_webhook_settings
from . import partner_order_api_document
from . import partner_order_api_document_xml
from . import partner_order_api_despatch
from . import partner_order_api_document_cache
from . import partner_order_api_event_type
from . import partner_order_api_webhook_subscription
from . import partner_order_api_webhook_endpoint
from . import partner_order_api_webhook_event
from . import partner_order_api_webhook_record
from . import partner_order_api_webhook_ping
from . import stock_picking
from . import stock_return_picking
from . import stock_move
from . import partner_order_api_idempotency
from . import partner_order_api_portal
from . import product_product
from . import product_template
from . import res_config_settings
from . import res_partner_order_api_backend
from . import res_users_apikeys
from . import res_users_order_api_backend
from . import partner_order_api_rate_limit
from . import partner_order_api_order_tally
from . import partner_order_api_forecast_pending
from . import partner_order_api_webhook_log
