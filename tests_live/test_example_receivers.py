# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The example webhook receivers (examples/) verify real deliveries.

Each receiver runs as its own process (Python with the ``standardwebhooks``
package of this venv; Node 20 with the package from its committed lock
file, ``npm ci`` when node_modules is missing) with the secret the partner got
from ``PUT webhook``. It must accept a signed delivery from the server (a
ping and an order event), refuse the same delivery with a tampered body, a
tampered signature or an old timestamp, and count a redelivery of the same
``webhook-id`` as a duplicate.
"""

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from conftest import api, order_body

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from webhook_receiver import WebhookReceiver  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from odoo_server import free_port  # noqa: E402

EXAMPLES = ROOT / "examples"


def _node_command():
    folder = EXAMPLES / "node_receiver"
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.fail("Node.js and npm are needed for examples/node_receiver")
    if not (folder / "node_modules" / "standardwebhooks").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder,
            check=True,
            timeout=300,
        )
    return ["node", str(folder / "receiver.js")]


RECEIVERS = {
    "python": lambda: [
        sys.executable,
        str(EXAMPLES / "python_receiver" / "receiver.py"),
    ],
    "node": _node_command,
}


class ExampleReceiver:
    def __init__(self, command, secret):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks/orders"
        self.process = subprocess.Popen(  # noqa: S603
            command,
            env=dict(os.environ, WEBHOOK_SECRET=secret, PORT=str(self.port)),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self.line()
        assert first == {"listening": self.port}, first

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def post(self, record, **changes):
        """Send a recorded request again, with changes to its headers/body."""
        headers = {
            k: v
            for k, v in record["headers"].items()
            if k.startswith("webhook-") or k in ("content-type", "x-webhook-event")
        }
        headers.update(changes.get("headers", {}))
        body = changes.get("body", record["body"])
        return requests.post(self.url, data=body, headers=headers, timeout=10)

    def line(self, timeout=60):
        """The receiver's next JSON line (what it made of the next request)."""
        try:
            return json.loads(self.lines.get(timeout=timeout))
        except queue.Empty:
            pytest.fail(f"the receiver printed nothing within {timeout} s")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.mark.parametrize("language", sorted(RECEIVERS))
def test_example_receiver_verifies_a_real_delivery(server, world, language):
    command = RECEIVERS[language]()
    _partner, _user, _login, key = world.new_partner(f"Receiver {language}")
    with WebhookReceiver() as recorder:
        put = api(server, "PUT", "webhook", key, json={"url": f"{recorder.url}/hook"})
        assert put.status_code == 200, put.text
        secret = put.json()["signing_secret"]
        assert api(server, "POST", "webhook/test", key).json()["delivered"]
        recorded = recorder.wait_for(1)[0]
    receiver = ExampleReceiver(command, secret)
    try:
        # real deliveries, straight from the server
        # the one order event this test follows (order.updated, sent beside
        # every event, left out)
        put = api(
            server,
            "PUT",
            "webhook",
            key,
            json={"url": receiver.url, "event_types": ["order.cancelled"]},
        )
        assert put.status_code == 200, put.text
        ping = api(server, "POST", "webhook/test", key).json()
        assert ping["delivered"] and ping["status_code"] == 204, ping
        assert receiver.line() == {
            "verified": True,
            "duplicate": False,
            "webhook_id": ping["webhook_id"],
            "event": "ping",
            "order": None,
        }
        created = api(server, "POST", "order", key, json=order_body(world.ean))
        assert created.status_code == 201, created.text
        name = created.json()["biomes_order_id"]
        cancel = api(server, "POST", "order/cancel", key,
                     json={"identifiedBy": "biomes", "order_id": name})  # fmt: skip
        assert cancel.status_code == 200, cancel.text
        line = receiver.line()  # the sender cron delivers it
        assert line["verified"] and line["order"] == name, line
        assert line["event"] == "order.cancelled", line

        # a delivery recorded earlier: genuine, then tampered
        body = recorded["body"]
        assert receiver.post(recorded).status_code == 204
        assert receiver.line()["duplicate"] is False
        assert receiver.post(recorded).status_code == 204
        assert receiver.line()["duplicate"] is True
        tampered = body.replace(b'"ping"', b'"pong"')
        assert tampered != body
        assert receiver.post(recorded, body=tampered).status_code == 400
        assert receiver.line()["verified"] is False
        signature = recorded["headers"]["webhook-signature"]
        at = len("v1,") + 5  # one base64 character of the HMAC, changed
        forged = (
            signature[:at]
            + ("A" if signature[at] != "A" else "B")
            + signature[at + 1 :]
        )
        answer = receiver.post(recorded, headers={"webhook-signature": forged})
        assert answer.status_code == 400
        assert receiver.line()["verified"] is False
        old = str(int(recorded["headers"]["webhook-timestamp"]) - 3600)
        assert (
            receiver.post(recorded, headers={"webhook-timestamp": old}).status_code
            == 400
        )
        assert receiver.line()["verified"] is False
    finally:
        receiver.stop()
