# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Code that repeats one recorded exchange (``docs/examples.json``) from a
shell (curl), Python (requests) and JavaScript (fetch): pasted as it is,
with the reader's own server and key in environment variables, it sends
the very request the server answered.

``POA_URL`` is the server (``https://odoo.example``), ``POA_KEY`` the API
key, ``POA_READONLY_KEY`` a read-only key where the example used one. Host
names under ``.example`` in a body are the reader's to replace (a comment
says so). Used by ``scripts/gen_examples_docs.py`` (docs/EXAMPLES.md) and
``lib/openapi.py`` (the document's ``x-codeSamples``, shown by the docs
page). Pure Python.
"""

import json

READONLY_PLACEHOLDER = "<read-only API key>"
SKIPPED_HEADERS = ("X-Request-Id",)


def _key_variable(headers):
    auth = headers.get("Authorization", "")
    if not auth:
        return None
    return "POA_READONLY_KEY" if READONLY_PLACEHOLDER in auth else "POA_KEY"


def _other_headers(request):
    """The request's headers but the key and the request id; JSON bodies
    always name their Content-Type."""
    headers = {
        name: value
        for name, value in request["headers"].items()
        if name != "Authorization" and name not in SKIPPED_HEADERS
    }
    if "body" in request:
        headers.setdefault("Content-Type", "application/json")
    return headers


def _body_text(request):
    if "body" in request:
        return json.dumps(request["body"], indent=2, ensure_ascii=False)
    return request.get("raw_body")


def _placeholder_note(request, comment):
    body = _body_text(request) or ""
    if ".example" in body:
        return [
            f"{comment} the .example addresses in the body are placeholders: use yours"
        ]
    return []


def curl(request):
    """A shell command (bash, zsh) repeating ``request``."""
    url = f'"$POA_URL{request["path"]}"'
    lines = _placeholder_note(request, "#")
    method = request["method"]
    first = f"curl -sS {url}" if method == "GET" else f"curl -sS -X {method} {url}"
    parts = [first]
    key = _key_variable(request["headers"])
    if key:
        parts.append(f'-H "Authorization: Bearer ${key}"')
    parts += [
        f"-H '{name}: {value}'" for name, value in _other_headers(request).items()
    ]
    body = _body_text(request)
    if body is None:
        lines.append(" \\\n  ".join(parts))
        return "\n".join(lines)
    parts.append("--data-binary @- <<'BODY'")
    lines.append(" \\\n  ".join(parts))
    lines += [body, "BODY"]
    return "\n".join(lines)


def python(request, binary=False):
    """A Python snippet (requests) repeating ``request``; ``binary``: the
    answer is a file (saved), not JSON."""
    lines = [*_placeholder_note(request, "#"), "import os", "", "import requests", ""]
    headers = []
    key = _key_variable(request["headers"])
    if key:
        headers.append(f'"Authorization": "Bearer " + os.environ["{key}"]')
    headers += [
        f"{json.dumps(name)}: {json.dumps(value)}"
        for name, value in _other_headers(request).items()
        if not ("body" in request and name == "Content-Type")
    ]
    lines.append(f"response = requests.request(\n    {json.dumps(request['method'])},")
    lines.append(f'    os.environ["POA_URL"] + {json.dumps(request["path"])},')
    lines.append(f"    headers={{{', '.join(headers)}}},")
    if "body" in request:
        body = json.dumps(request["body"], indent=4, ensure_ascii=False)
        lines.append(f"    json={_indent(body, '    ')},")
    elif "raw_body" in request:
        lines.append(f"    data={json.dumps(request['raw_body'])}.encode(),")
    lines += ["    timeout=30,", ")"]
    if binary:
        lines.append('open("document", "wb").write(response.content)')
    else:
        lines.append("print(response.status_code, response.json())")
    return "\n".join(lines)


def javascript(request, binary=False):
    """A JavaScript snippet (Node 18+, fetch) repeating ``request``."""
    lines = _placeholder_note(request, "//")
    headers = []
    key = _key_variable(request["headers"])
    if key:
        headers.append(f"Authorization: `Bearer ${{process.env.{key}}}`")
    headers += [
        f"{json.dumps(name)}: {json.dumps(value)}"
        for name, value in _other_headers(request).items()
    ]
    lines.append(
        f"const response = await fetch(`${{process.env.POA_URL}}{request['path']}`, {{"
    )
    lines.append(f"  method: {json.dumps(request['method'])},")
    lines.append(f"  headers: {{{', '.join(headers)}}},")
    if "body" in request:
        body = json.dumps(request["body"], indent=2, ensure_ascii=False)
        lines.append(f"  body: JSON.stringify({_indent(body, '  ')}),")
    elif "raw_body" in request:
        lines.append(f"  body: {json.dumps(request['raw_body'])},")
    lines.append("});")
    if binary:
        lines.append(
            'require("fs").writeFileSync("document", '
            "Buffer.from(await response.arrayBuffer()));"
        )
    else:
        lines.append("console.log(response.status, await response.json());")
    return "\n".join(lines)


def _indent(text, prefix):
    first, *rest = text.splitlines()
    return "\n".join([first, *(prefix + line for line in rest)])


def samples(exchange):
    """The ``x-codeSamples`` of one recorded exchange."""
    request = exchange["request"]
    content_type = exchange["response"]["headers"].get("Content-Type", "")
    binary = not content_type.startswith("application/json")
    return [
        {"lang": "Shell", "label": "curl", "source": curl(request)},
        {"lang": "Python", "label": "Python", "source": python(request, binary)},
        {
            "lang": "JavaScript",
            "label": "JavaScript",
            "source": javascript(request, binary),
        },
    ]
