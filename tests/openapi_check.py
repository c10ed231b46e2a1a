# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Check an API answer against the module's OpenAPI document.

Pure Python (no Odoo import), loaded by file path both by the Odoo tests
(``tests/common.py``) and by ``tests_standalone/``::

    validate_response("GET", "/partner_order_api/orders", 200, body, headers)

raises ``AssertionError`` when the answer is not what the document promises.
"""

import functools
import json
import re
from pathlib import Path
from urllib.parse import quote

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "static" / "openapi.json"
DOCUMENT_URI = "urn:partner-order-api:openapi"
JSON_MEDIA_TYPE = "application/json"
ALWAYS_CHECKED_HEADERS = ("X-Request-Id",)


@functools.lru_cache(maxsize=8)
def _load(path):
    with open(path, encoding="utf-8") as document:
        return json.load(document)


def load_document(path=None):
    """The OpenAPI document (parsed once per path)."""
    return _load(str(path or DEFAULT_PATH))


def _escape(segment):
    return str(segment).replace("~", "~0").replace("/", "~1")


def _resolve(document, node, pointer):
    """``node`` (found at JSON pointer ``pointer``) with its local ``$ref``
    followed: ``(node, pointer)``."""
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are supported: {ref}"
        pointer = ref[1:]
        node = document
        for segment in pointer[1:].split("/"):
            node = node[segment.replace("~1", "/").replace("~0", "~")]
    return node, pointer


def _match_path(document, path):
    """The document's path key (server url "/") matching a concrete path."""
    server = (document.get("servers") or [{"url": "/"}])[0]["url"].rstrip("/")
    if server and path.startswith(server):
        path = path[len(server) :]
    for template in document.get("paths", {}):
        pattern = "".join(
            "[^/]+" if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{[^}]+\})", template)
        )
        if re.fullmatch(pattern, path):
            return template
    raise AssertionError(f"path {path} is not documented")


def _find_response(document, method, path, status):
    """``(response, pointer)`` documented for ``method path`` and ``status``."""
    template = _match_path(document, path)
    path_item = document["paths"][template]
    base = f"/paths/{_escape(template)}"
    operation = path_item.get(method.lower())
    if operation is None:
        # The document cannot list every method a route refuses: a 405 for an
        # undocumented method is checked against the path's documented 405.
        if str(status) == "405":
            for verb, candidate in path_item.items():
                if isinstance(candidate, dict) and "405" in candidate.get(
                    "responses", {}
                ):
                    operation, method = candidate, verb
                    break
        if operation is None:
            raise AssertionError(f"{method.upper()} {template} is not documented")
    responses = operation.get("responses", {})
    key = str(status) if str(status) in responses else "default"
    if key not in responses:
        raise AssertionError(
            f"{method.upper()} {template}: status {status} is not documented "
            f"(documented: {', '.join(sorted(responses))})"
        )
    pointer = f"{base}/{method.lower()}/responses/{key}"
    return _resolve(document, responses[key], pointer)


def _check_headers(document, where, response, headers):
    present = {name.lower() for name in headers}
    for name, header in response.get("headers", {}).items():
        header, _pointer = _resolve(document, header, "")
        if name in ALWAYS_CHECKED_HEADERS or header.get("required"):
            if name.lower() not in present:
                raise AssertionError(f"{where}: header {name} is missing")


def _check_body(document, where, response, pointer, body):
    content = response.get("content", {})
    media_type = next(
        (t for t in content if t.split(";")[0].strip() == JSON_MEDIA_TYPE), None
    )
    if media_type is None or "schema" not in content[media_type]:
        return
    schema_pointer = f"{pointer}/content/{_escape(media_type)}/schema"
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource(DOCUMENT_URI, resource)
    schema = {"$ref": f"{DOCUMENT_URI}#{quote(schema_pointer, safe='/~')}"}
    validator = Draft202012Validator(schema, registry=registry)
    problems = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if problems:
        lines = "\n".join(
            f"  at {e.json_path}: {e.message[:300]}" for e in problems[:10]
        )
        raise AssertionError(
            f"{where}: the body does not match the document:\n{lines}\n"
            f"body: {json.dumps(body, default=str)[:1000]}"
        )


def validate_response(method, path, status, body, headers=None, document=None):
    """Raise ``AssertionError`` unless ``status``, ``body`` (parsed JSON) and
    ``headers`` are documented for ``method`` on the concrete URL ``path``."""
    document = document if document is not None else load_document()
    response, pointer = _find_response(document, method, path, status)
    where = f"{method.upper()} {path} -> {status}"
    if headers is not None:
        _check_headers(document, where, response, headers)
    _check_body(document, where, response, pointer, body)
