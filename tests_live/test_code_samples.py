# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The code the docs give (``lib/code_samples.py``: curl in docs/EXAMPLES.md,
curl, Python and JavaScript in the document's ``x-codeSamples``) works when
pasted: each sample of the read routes runs as it is, in bash, Python and
Node, against a real server with a partner's own URL and key in the
environment, and gets the route's success answer."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# reads whose recorded request names nothing of the recording's data
READS = (
    "listAvailableProducts",
    "listOrders",
    "listCarriers",
    "listAddresses",
    "getWebhook",
    "listWebhookEvents",
    "getAccount",
)


def _samples():
    document = json.loads((REPO / "static" / "openapi.json").read_text())
    found = {}
    for item in document["paths"].values():
        for operation in item.values():
            if operation.get("operationId") in READS:
                found[operation["operationId"]] = {
                    sample["lang"]: sample["source"]
                    for sample in operation["x-codeSamples"]
                }
    assert set(found) == set(READS), set(READS) - set(found)
    return found


def _run(command, env, stdin=None):
    result = subprocess.run(  # noqa: S603
        command,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, (command, result.stdout, result.stderr)
    return result.stdout


def test_every_read_sample_works_when_pasted(server, world):
    _partner_id, _user_id, key = world.partners[2]
    env = dict(os.environ, POA_URL=server.url, POA_KEY=key, POA_READONLY_KEY=key)
    for operation_id, samples in _samples().items():
        where = f"{operation_id}: "
        answer = json.loads(_run(["bash", "-c", samples["Shell"]], env))
        assert answer["success"] is True, where + str(answer)[:300]
        printed = _run([sys.executable, "-c", samples["Python"]], env)
        assert printed.startswith("200 {"), where + printed[:300]
        printed = _run(
            ["node", "--input-type=module"], env, stdin=samples["JavaScript"]
        )
        assert printed.startswith("200 {"), where + printed[:300]
