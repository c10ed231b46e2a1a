# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the API changes in Odoo's log: two records Odoo logs as warnings
that are, for the API, the expected course of things. Each is attached by
the model that owns it when Odoo loads the registry (its
``_register_hook``), never at import time; attaching twice does nothing.
No Odoo import.

- A request rerun on the primary because the standby is behind
  (``error_handlers.UsePrimary``, see ``models/partner_order_api_caller_standby.py``):
  Odoo logs it as a WARNING with a traceback (a write on a replica is a
  bug); here it is the rule at work: INFO, one line.
- What Debian's wkhtmltopdf (built with an unpatched Qt) writes on stderr
  for every report, and Odoo logs as a WARNING, while the API renders a
  document (``rendering()``, see ``models/partner_order_api_document.py``).
"""

import contextlib
import logging
import re
import threading

# What Debian's wkhtmltopdf (built with an unpatched Qt) writes on stderr for
# every report: it ignores the header and footer switches (the PDF has no
# repeated company header/footer; wkhtmltox 0.12.6.1 with patched Qt renders
# them), and Qt's notice when XDG_RUNTIME_DIR is not set. Nothing else in the
# message: then it is logged at INFO.
_KNOWN_NOTICES_RE = re.compile(
    r"The switch --[a-z-]+, is not support using unpatched qt, and will be ignored\."
    r"|QStandardPaths: XDG_RUNTIME_DIR not set, defaulting to '[^'\n]*'"
)
_RENDERING = threading.local()


def _as_info(record):
    record.levelno, record.levelname = logging.INFO, "INFO"


class KnownNoticesFilter(logging.Filter):
    """Logs Odoo's ``wkhtmltopdf: ...`` warning at INFO while the API renders
    a document (this thread), when it holds only the known notices above."""

    def filter(self, record):
        if (
            getattr(_RENDERING, "active", False)
            and record.levelno == logging.WARNING
            and isinstance(record.msg, str)
            and record.msg.startswith("wkhtmltopdf: ")
            and not _KNOWN_NOTICES_RE.sub(
                "", record.msg[len("wkhtmltopdf: ") :]
            ).strip()
        ):
            _as_info(record)
        return True


class UsePrimaryFilter(logging.Filter):
    """Logs the rerun of a read-only request on the primary (an exception of
    ``exc_type`` escaping it) at INFO, in one line saying why."""

    def __init__(self, exc_type):
        super().__init__()
        self.exc_type = exc_type

    def filter(self, record):
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, self.exc_type):
            _as_info(record)
            record.msg = "Partner Order API: %s: the request runs on the primary"
            record.args = (exc.args[0] if exc.args else "standby behind",)
            record.exc_info = None
            record.exc_text = None
        return True


@contextlib.contextmanager
def rendering():
    """``with rendering():`` the known wkhtmltopdf notices of this thread
    are logged at INFO."""
    _RENDERING.active = True
    try:
        yield
    finally:
        _RENDERING.active = False


def install(logger_name, log_filter):
    """Attach ``log_filter`` to the logger ``logger_name`` once per process
    (a second filter of the same class is not attached)."""
    logger = logging.getLogger(logger_name)
    if not any(type(known) is type(log_filter) for known in logger.filters):
        logger.addFilter(log_filter)
