# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Every shape of the API, declared once as pydantic models.

Requests (bodies, query parameters, headers) are parsed with them
(``lib/validation.py``); responses and errors are declared for the document
only (the service builds them). ``lib/openapi.py`` generates the OpenAPI
document from these models, so the document says exactly what the parsers
accept.

This module is the one name to import them by (``from ..lib import
schemas``; ``from ..lib.schemas import EVENT_TYPES``); they live in

- ``lib/schema_fields.py``: the limits, patterns and parsers of the request
  fields (a text, an amount, a date-time, an ``Idempotency-Key``...);
- ``lib/schema_requests.py``: the request models made of them;
- ``lib/schema_responses.py``: the answers (the order object, the lists,
  the webhook's settings) and the error envelope with its codes;
- ``lib/schema_webhook_log.py``: the webhook event log's query, bodies
  and answers;
- ``lib/schema_terms.py``: the products and the account (prices, price
  breaks, quantity rules, payment terms and balance);
- ``lib/schema_deliveries.py``: the deliveries' despatch data (packages,
  weights, lots with their expiry);
- ``lib/events.py``: the webhook's event types.

``SCHEMAS`` below names the document's ``components/schemas``.
"""

from .events import (  # noqa: F401 (re-exported)
    EVENT_TYPES,
    ORDER_EVENT_TYPES,
)
from .schema_deliveries import DeliveryLot, DeliveryPackage  # noqa: F401
from .schema_fields import (  # noqa: F401 (re-exported)
    AMOUNT_MAX,
    BATCH_MAX,
    COUNTRY_CODES,
    DOCUMENT_TYPES,
    EAN_MAX,
    EXTERNAL_ID_MAX,
    IDEMPOTENCY_KEY_PATTERN,
    IDENTIFIED_BY,
    INVOICE_XML_FORMATS,
    LINES_MAX,
    NOTE_MAX,
    NOTE_PATTERN,
    ORDER_ID_MAX,
    PAGE_MAX,
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    REQUIRED_TEXT_PATTERN,
    SORTS,
    STATUSES,
    TEXT_MAX,
    TEXT_PATTERN,
    URL_MAX,
    URL_PATTERN,
    Amount,
    DateOrDateTime,
    Ean,
    IdempotencyKey,
    IdentifiedBy,
    OrderId,
)
from .schema_requests import (  # noqa: F401 (re-exported)
    DeliveryAddressInput,
    OrderBatchRequest,
    OrderCancelRequest,
    OrderChangeLineInput,
    OrderChangeRequest,
    OrderCreateRequest,
    OrderDocumentQuery,
    OrderLineInput,
    OrderLinesRequest,
    OrderLinesSavedAddressRequest,
    OrderLookup,
    OrderReturnLineInput,
    OrderReturnRequest,
    OrdersQuery,
    SingleProductOrderRequest,
    SingleProductSavedAddressRequest,
    WebhookPutRequest,
)
from .schema_responses import (  # noqa: F401 (re-exported)
    DELIVERY_STATES,
    ERROR_STATUSES,
    INVOICE_TYPES,
    RETURN_STATES,
    Address,
    AddressList,
    BatchResult,
    Carrier,
    CarrierList,
    Delivery,
    DeliveryLine,
    DeliveryState,
    Error,
    ErrorBody,
    ErrorCode,
    ErrorDetail,
    Invoice,
    InvoiceType,
    OpenApiDocument,
    OpenApiInfo,
    Order,
    OrderBatchResponse,
    OrderLine,
    OrderList,
    OrderQuote,
    OrderResponse,
    OrderStatus,
    Pagination,
    QuoteLine,
    Return,
    ReturnLine,
    SavedAddress,
    Shipping,
    Tracking,
    UtcMicroseconds,
    UtcSeconds,
    WebhookEventType,
    WebhookInfo,
    WebhookPing,
    WebhookTestResult,
)
from .schema_terms import (  # noqa: F401 (re-exported)
    Account,
    AccountResponse,
    OpenInvoice,
    PriceBreak,
    Product,
    ProductList,
)
from .schema_webhook_endpoints import (  # noqa: F401 (re-exported)
    ENDPOINT_STATES,
    WebhookEndpoint,
    WebhookEndpointCreateRequest,
    WebhookEndpointList,
    WebhookEndpointResponse,
    WebhookEndpointUpdateRequest,
)
from .schema_webhook_log import (  # noqa: F401 (re-exported)
    EVENT_STATES,
    WebhookAttempt,
    WebhookEvent,
    WebhookEventList,
    WebhookEventsQuery,
    WebhookRedeliverEvent,
    WebhookRedeliverFailedSince,
    WebhookRedeliverRequest,
    WebhookRedeliverResult,
)

# The document's components/schemas, by name (named enums included)
SCHEMAS = (
    ProductList,
    OrderList,
    OrderResponse,
    WebhookInfo,
    WebhookTestResult,
    WebhookPing,
    OpenApiDocument,
    Error,
    OrderCreateRequest,
    OrderCancelRequest,
    OrderChangeRequest,
    OrderReturnRequest,
    WebhookPutRequest,
    OrderQuote,
    OrderBatchRequest,
    OrderBatchResponse,
    CarrierList,
    AddressList,
    WebhookEventList,
    WebhookRedeliverRequest,
    WebhookRedeliverResult,
    AccountResponse,
    WebhookEndpointList,
    WebhookEndpointResponse,
    WebhookEndpointCreateRequest,
    WebhookEndpointUpdateRequest,
)
