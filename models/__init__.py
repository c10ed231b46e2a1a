"""The Odoo models of the Partner Order API. They may import ``lib/`` (pure
Python) and ``error_handlers``, never ``controllers/``
(tests_standalone/test_suite_wiring.py checks it).

Where each concern lives:

- who is asking (the key, the caller, its partner and company):
  ``partner_order_api_service.py``, with ``ir_http.py`` (the auth method),
  ``partner_order_api_rate_limit.py`` (budgets and slots) and
  ``partner_order_api_replica.py`` (read-your-writes on a standby);
- the use cases, one model in several files, each checking the caller
  then calling the reader: what a partner reads and cancels
  (``partner_order_api_service_orders.py``), creates
  (``partner_order_api_service_create.py``), its webhook settings
  (``partner_order_api_service_webhook.py``), its documents
  (``partner_order_api_document.py``);
- the order object, what an order looks like to a partner and how it is
  read: one reader (``partner.order.api.order.reader``), the one way every
  read goes: which orders (the confinement, a page, one order), their
  statements, each worker's cache (``order_reader.py``) and the object's
  shape (``order_reader_shape.py``); the order record changing: when its
  object changes (``sale_order_freshness.py``, ``order_object_shared.py``),
  its lines as ordered (``sale_order_line.py``), its deliveries' EANs as
  shipped (``stock_move.py``);
- webhooks: the outbox (``partner_order_api_webhook_record.py``: events
  recorded in the business transaction), its sender
  (``partner_order_api_webhook_event.py``,
  ``partner_order_api_webhook_ping.py``);
- the back office: ``res_partner*.py``, ``res_users*.py``,
  ``res_config_settings.py``, ``partner_order_api_portal.py``.
"""

from . import ir_http
from . import res_partner
from . import res_users
from . import sale_order
from . import sale_order_freshness
from . import order_object_shared
from . import sale_order_owner
from . import sale_order_line
from . import account_move
from . import stock_lot
from . import partner_order_api_company_setup
from . import partner_order_api_service
from . import order_reader
from . import order_reader_shape
from . import partner_order_api_service_orders
from . import partner_order_api_service_create
from . import partner_order_api_service_webhook
from . import partner_order_api_document
from . import partner_order_api_document_cache
from . import partner_order_api_webhook_event
from . import partner_order_api_webhook_record
from . import partner_order_api_webhook_ping
from . import stock_picking
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
from . import partner_order_api_replica
