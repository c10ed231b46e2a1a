"""The Odoo models of the Partner Order API. They may import ``lib/`` (pure
Python) and ``error_handlers``, never ``controllers/``
(tests_standalone/test_suite_wiring.py checks it).

Where each concern lives:

- who is asking (the key, the caller, its partner and company):
  ``partner_order_api_service.py``, with ``ir_http.py`` (the auth method),
  ``partner_order_api_rate_limit.py`` (budgets and slots) and
  ``partner_order_api_replica.py`` (read-your-writes on a standby);
- the use cases, one model in several files: what a partner reads and
  cancels (``partner_order_api_service_orders.py``), creates
  (``partner_order_api_service_create.py``), its webhook settings
  (``partner_order_api_service_webhook.py``), its documents
  (``partner_order_api_document.py``);
- the order object: its shape (``sale_order_object.py``), when it changes
  and what each worker keeps of it (``sale_order_freshness.py``,
  ``order_object_shared.py``), its lines as ordered
  (``sale_order_line.py``), its deliveries' EANs as shipped
  (``stock_move.py``);
- webhooks: the outbox (``partner_order_api_webhook_record.py``: events
  recorded in the business transaction), its sender
  (``partner_order_api_webhook_event.py``,
  ``partner_order_api_webhook_ping.py``), the event types
  (``partner_order_api_event_type.py``) and which of them each partner
  receives in each company (``partner_order_api_webhook_subscription.py``);
- the back office: ``res_partner*.py``, ``res_users*.py``,
  ``res_config_settings.py``, ``partner_order_api_portal.py``.
"""

from . import ir_http
from . import res_partner
from . import res_users
from . import sale_order
from . import sale_order_object
from . import sale_order_freshness
from . import order_object_shared
from . import sale_order_owner
from . import sale_order_line
from . import account_move
from . import stock_lot
from . import partner_order_api_company_setup
from . import partner_order_api_caller
from . import partner_order_api_caller_standby
from . import partner_order_api_service
from . import partner_order_api_service_orders
from . import partner_order_api_service_create
from . import partner_order_api_service_webhook
from . import partner_order_api_document
from . import partner_order_api_document_cache
from . import partner_order_api_event_type
from . import partner_order_api_webhook_subscription
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
