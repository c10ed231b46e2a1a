from . import res_partner
from . import res_users
from . import sale_order
from . import stock_lot
from . import partner_order_api_service
from . import partner_order_api_webhook_event
from . import stock_picking
from . import partner_order_api_idempotency
