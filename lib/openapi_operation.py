# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What one route of the API is (``Operation``) and the helpers that
declare one: the home of the shape, so that the lists of operations
(``lib/openapi_operations.py`` and the topic files it gathers, such as
``lib/openapi_operations_log.py``) import it without importing each other.
Pure Python.
"""

import re
import textwrap
from dataclasses import dataclass, field

PREFIX = "/partner_order_api"
# a path parameter: ``{endpoint_id}``
_PATH_PARAMETER = re.compile(r"\{([a-z_]+)\}")


def md(text):
    """A markdown text written indented in the source, as the document
    holds it."""
    return textwrap.dedent(text).strip()


@dataclass(frozen=True)
class Operation:
    """One route of the API and everything the document says of it."""

    operation_id: str
    method: str
    path: str  # under PREFIX
    tag: str
    summary: str
    response: type | str  # the model of the success answer, or a FILE_SCHEMAS name
    response_description: str
    errors: dict  # status -> name in components/responses
    status: int = 200
    description: str = ""
    query: type | None = None
    body: type | None = None
    body_examples: tuple = ()
    response_examples: tuple = ()
    idempotent: bool = False  # takes Idempotency-Key
    xml_body: bool = False  # also takes a UBL Order (lib/openapi_ubl.py)
    authenticate: bool = True
    media_type: str = "application/json"  # of the success answer
    # other (media type, FILE_SCHEMAS name) the success answer may be
    more_media: tuple = ()
    extra: dict = field(default_factory=dict)
    writes: bool | None = None  # None: every method but GET writes
    # writes nothing in the end, but on a read/write cursor: its writes are
    # made in a savepoint rolled back (``POST order/change/quote``)
    rolled_back: bool = False

    @property
    def readonly(self):
        """Routes that write nothing (GET routes, and those declared
        ``writes=False``) are read-only: they run on a read-only cursor and
        read-only keys may call them; the others write."""
        return self.method == "GET" if self.writes is None else not self.writes

    @property
    def full_path(self):
        return f"{PREFIX}/{self.path}"

    @property
    def path_parameters(self):
        """The names of the path's ``{parameters}`` (ids: integers)."""
        return tuple(_PATH_PARAMETER.findall(self.path))

    @property
    def route_path(self):
        """``full_path`` as Odoo routes it: ``{name}`` → ``<int:name>``."""
        return _PATH_PARAMETER.sub(r"<int:\1>", self.full_path)

    @property
    def path_pattern(self):
        """A regular expression matching the request paths of the route."""
        return re.compile(f"^{_PATH_PARAMETER.sub('[0-9]+', self.full_path)}$")


def _errors(*statuses, write=False, **special):
    """The error answers of an authenticated route, by status."""
    errors = {
        "400": "ValidationError",
        "401": "Unauthorized",
        "403": "WriteForbidden" if write else "Forbidden",
        "404": "NotFound",
        "405": "MethodNotAllowed",
        "429": "RateLimited",
        "500": "InternalError",
    }
    # 400: any route refuses a query parameter it does not declare
    always = {"400", "401", "403", "405", "429", "500"}
    chosen = {s: errors[s] for s in errors if s in always or s in statuses}
    chosen.update({status.lstrip("_"): name for status, name in special.items()})
    return dict(sorted(chosen.items()))
