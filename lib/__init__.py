"""Pure-Python pieces of the Partner Order API (no Odoo import).

They hold the contract's error codes and the parsing of client input, so
that they can be tested without Odoo (``tests_standalone/``): the API's
shapes (``schemas.py``, made of ``schema_fields.py``, ``schema_requests.py``,
``schema_responses.py``; the webhook's event types in ``events.py``), the
OpenAPI document (``openapi.py``, with ``openapi_operations.py``,
``openapi_components.py``, ``openapi_webhooks.py``, ``openapi_examples.py`` of ``openapi_example_values.py``),
the parsing (``validation.py``; a UBL Order body:
``ubl_order.py``, with lxml), the errors (``errors.py``), the request
costs (``costs.py``), the e-invoice formats an invoice offers
(``einvoice.py``), the webhook's URLs, signatures and transport
(``webhook.py``), the answers' JSON (``json_text.py``), list pagination (``pagination.py``) and the order cache's
LRU (``byte_lru.py``). They import each other, the standard library and
third-party libraries (pydantic, standardwebhooks, lxml), never ``odoo``.
"""
