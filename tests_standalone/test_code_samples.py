# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""lib/code_samples.py: what a pasted sample sends (run against a server in
tests_live/test_code_samples.py)."""

import json
import subprocess

from conftest import load_lib

code_samples = load_lib("code_samples")

POST = {
    "method": "POST",
    "path": "/partner_order_api/order",
    "headers": {
        "Authorization": "Bearer <API key>",
        "Idempotency-Key": "order-2026-11-23-0001",
        "X-Request-Id": "example-request",
    },
    "body": {"ean": "4260582941016", "note": "it's fine", "url": "https://x.example/h"},
}


def test_curl_sends_the_body_the_key_and_a_content_type():
    """Bash parses the command into exactly the request: the body as it
    is (quotes included), JSON's Content-Type, the key from POA_KEY."""
    command = code_samples.curl(POST).replace("curl ", "printf '%s\\n' ", 1)
    printed = subprocess.run(
        ["bash", "-c", command],
        env={
            "POA_URL": "https://odoo.example",
            "POA_KEY": "k1",
            "PATH": "/usr/bin:/bin",
        },
        input=None,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert "https://odoo.example/partner_order_api/order" in printed
    assert "Authorization: Bearer k1" in printed
    assert "Content-Type: application/json" in printed
    assert "Idempotency-Key: order-2026-11-23-0001" in printed
    assert not any("X-Request-Id" in line for line in printed)
    # the placeholder host is flagged for the reader
    assert code_samples.curl(POST).startswith("# the .example addresses")


def test_curl_body_is_the_json_sent():
    """What curl reads from the here-document is the JSON body (a function
    named curl stands in for it and prints its standard input)."""
    command = "curl() { cat; }\n" + code_samples.curl(POST)
    sent = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(sent) == POST["body"]


def test_a_read_only_example_names_the_read_only_key():
    request = {
        "method": "POST",
        "path": "/partner_order_api/order",
        "headers": {"Authorization": "Bearer <read-only API key>"},
        "body": {},
    }
    assert "$POA_READONLY_KEY" in code_samples.curl(request)
    assert 'os.environ["POA_READONLY_KEY"]' in code_samples.python(request)
    assert "process.env.POA_READONLY_KEY" in code_samples.javascript(request)


def test_python_sample_is_valid_python():
    compile(code_samples.python(POST), "<sample>", "exec")
    compile(
        code_samples.python(dict(POST, body=None) | {"raw_body": "<Order/>"}, True),
        "<s>",
        "exec",
    )
