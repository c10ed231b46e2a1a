#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A minimal receiver of Partner Order API webhooks (Standard Webhooks).

    pip install standardwebhooks
    WEBHOOK_SECRET=whsec_... PORT=8000 python receiver.py

Verifies every POST with the `standardwebhooks` package before trusting it:
the signature is computed over the RAW body bytes (never over re-serialised
JSON), the `webhook-timestamp` must be within 5 minutes of now (the
package's tolerance: a replayed old request is refused), and the
`webhook-signature` header may carry several signatures (space-separated,
during a secret rotation both the old and the new secret sign): one match is
enough. A delivery may come more than once (retries keep the same
`webhook-id`): it is processed once. Answers 204 when accepted (2xx stops
the retries), 400 when the request is not genuine. Prints one JSON line per
request on stdout.
"""

import http.server
import json
import os
import sys
from collections import OrderedDict

from standardwebhooks import Webhook, WebhookVerificationError

SEEN_MAX = 10_000  # webhook-ids remembered (use a database table in production)


class Receiver(http.server.BaseHTTPRequestHandler):
    webhook = Webhook(os.environ["WEBHOOK_SECRET"])
    seen = OrderedDict()

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            order = self.webhook.verify(raw, dict(self.headers))
        except WebhookVerificationError as exc:
            return self._answer(400, {"verified": False, "error": str(exc)})
        webhook_id = self.headers["webhook-id"]
        if webhook_id in self.seen:
            return self._answer(
                204, {"verified": True, "duplicate": True, "webhook_id": webhook_id}
            )
        self.seen[webhook_id] = True
        if len(self.seen) > SEEN_MAX:
            self.seen.popitem(last=False)
        # Process the event here (quickly: answer within a few seconds, queue
        # long work). The body is the order_status body of the order.
        event = self.headers.get("X-Webhook-Event", "")
        return self._answer(
            204,
            {
                "verified": True,
                "duplicate": False,
                "webhook_id": webhook_id,
                "event": event,
                "order": order.get("biomes_order_id"),
            },
        )

    def _answer(self, status, record):
        print(json.dumps(record), flush=True)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    port = int(os.environ.get("PORT", "8000"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    print(json.dumps({"listening": server.server_address[1]}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
