"""The Odoo suite (pytest-odoo and Odoo's test runner: TransactionCase,
HttpCase, Chromium tours), against a database with the addon and demo
data. Tests may import the addon's modules and ``common*.py`` here; every
``test_*.py`` is imported below (``tests_standalone/test_suite_wiring.py``
checks it)."""

from . import test_admin_fields
from . import test_company_rule
from . import test_company_setup
from . import test_api_auth
from . import test_api_products
from . import test_api_documents
from . import test_api_documents_cache
from . import test_api_documents_in_order
from . import test_api_documents_xml
from . import test_api_orders
from . import test_api_create_order
from . import test_api_errors
from . import test_sent_lots
from . import test_webhook
from . import test_webhook_events
from . import test_webhook_events_rotation
from . import test_webhook_log
from . import test_api_orders_beyond
from . import test_api_cancel
from . import test_api_change
from . import test_api_return
from . import test_portal
from . import test_portal_endpoints
from . import test_backend
from . import test_rate_limit
from . import test_order_tally
from . import test_rpc_surface
from . import test_rpc_generic
from . import test_key_cache
from . import test_api_keys
from . import test_api_surrogates
from . import test_webhook_limits
from . import test_schemas
from . import test_api_quote
from . import test_api_batch
from . import test_order_object_changes
from . import test_order_object_coverage
from . import test_lines_as_ordered
from . import test_order_owner
from . import test_company_webhooks
from . import test_webhook_subscriptions
from . import test_webhook_endpoints
from . import test_webhook_endpoints_backend
from . import test_api_dates
from . import test_migration_1_5
from . import test_migration_1_6_endpoints
from . import test_forecast_deferred
from . import test_api_shipping
from . import test_api_addresses
from . import test_api_terms
from . import test_api_ubl_order
from . import test_api_despatch
from . import test_api_test_mode
