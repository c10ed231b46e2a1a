# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Check an API answer against the module's OpenAPI document.

Pure Python (no Odoo import), loaded by file path both by the Odoo tests
(``tests/common.py``) and by ``tests_standalone/``::

    validate_response("GET", "/partner_order_api/orders", 200, body, headers)

raises ``AssertionError`` when the answer is not what the document promises:
an undocumented route or status, a body that does not match the schema, an
error code the route does not document for that status (its response's
``x-error-codes``: a status may allow several, e.g. 409
``duplicate_external_order_id``, ``idempotency_key_reused`` or
``idempotency_in_progress``), a missing required header (also one required
only with some error codes: ``x-required-for-error-codes``, e.g.
``Retry-After`` with ``idempotency_in_progress``) or a documented header whose
value does not match its schema.
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


def _codes_of(response):
    """The error codes an error response allows (its ``x-error-codes``;
    None: any code)."""
    codes = response.get("x-error-codes")
    return list(codes) if codes is not None else None


def documented_error_codes(method, path, status, document=None):
    """The error codes documented for ``method path`` answering ``status``:
    every code that route may send with that status (None: any code)."""
    document = document if document is not None else load_document()
    response, _pointer = _find_response(document, method, path, status)
    return _codes_of(response)


def _error_code(body):
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("code")
    return None


def _header_value(header, value):
    """A header's text as the JSON value its schema describes."""
    if header.get("schema", {}).get("type") == "integer" and re.fullmatch(
        r"[0-9]{1,18}", value.strip()
    ):
        return int(value)
    return value


def _check_headers(document, where, response, headers, body):
    """Required headers are present (also those required only with some error
    codes: ``x-required-for-error-codes``) and every documented header that is
    present matches its schema."""
    present = {str(name).lower(): value for name, value in headers.items()}
    code = _error_code(body)
    for name, header in response.get("headers", {}).items():
        header, _pointer = _resolve(document, header, "")
        required = (
            name in ALWAYS_CHECKED_HEADERS
            or header.get("required")
            or code in header.get("x-required-for-error-codes", ())
        )
        value = present.get(name.lower())
        if value is None:
            if required:
                raise AssertionError(f"{where}: header {name} is missing")
            continue
        if "schema" in header:
            validator = Draft202012Validator(header["schema"])
            problems = list(validator.iter_errors(_header_value(header, value)))
            if problems:
                raise AssertionError(
                    f"{where}: header {name}: {value!r} does not match the "
                    f"document: {problems[0].message[:300]}"
                )


def _check_error_code(where, allowed, body):
    """An error body's code is one the route documents for that status."""
    code = _error_code(body)
    if allowed is not None and code is not None and code not in allowed:
        raise AssertionError(
            f"{where}: error code {code!r} is not documented for this route and "
            f"status (documented: {', '.join(allowed)})"
        )


def _json_media_type(response):
    """The key of the response's JSON content with a schema, or None."""
    content = response.get("content", {})
    return next(
        (
            media_type
            for media_type, media in content.items()
            if media_type.split(";")[0].strip() == JSON_MEDIA_TYPE and "schema" in media
        ),
        None,
    )


def _check_body(document, where, response, pointer, body):
    media_type = _json_media_type(response)
    if media_type is None:
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
        _check_headers(document, where, response, headers, body)
    _check_error_code(where, _codes_of(response), body)
    _check_body(document, where, response, pointer, body)
