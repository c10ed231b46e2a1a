"""The HTTP layer: routes that parse a request, call one use case and
answer (``main.py``, declared from ``lib/openapi`` by ``routing.py``), and
the portal's JSON routes (``portal.py``). Controllers may import ``lib/``,
``error_handlers`` and ``models/`` (for constants), never the other way
round. Who is asking is decided before a route runs, by the auth method
(``models/ir_http.py`` -> ``partner.order.api.caller._admit``)."""

from . import main
from . import portal
