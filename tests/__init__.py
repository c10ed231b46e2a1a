from . import test_admin_fields
from . import test_api_auth
from . import test_api_products
from . import test_api_orders
from . import test_api_create_order
from . import test_api_errors
from . import test_sent_lots
from . import test_webhook
