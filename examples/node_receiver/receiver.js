// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// A minimal receiver of Partner Order API webhooks (Standard Webhooks).
//
//   npm ci
//   WEBHOOK_SECRET=whsec_... PORT=8000 node receiver.js
//
// Verifies every POST with the `standardwebhooks` package before trusting it:
// the signature is computed over the RAW body (read it as bytes; never verify
// re-serialised JSON, e.g. after express.json()), the `webhook-timestamp`
// must be within 5 minutes of now (the package's tolerance: a replayed old
// request is refused), and `webhook-signature` may carry several signatures
// (space-separated; during a secret rotation both the old and the new secret
// sign): one match is enough. A delivery may come more than once (retries
// keep the same `webhook-id`): it is processed once. Answers 204 when
// accepted (2xx stops the retries), 400 when the request is not genuine.
// Prints one JSON line per request on stdout.
"use strict";

const http = require("node:http");
const { Webhook } = require("standardwebhooks");

const webhook = new Webhook(process.env.WEBHOOK_SECRET);
const seen = new Set(); // webhook-ids (use a database table in production)
const SEEN_MAX = 10000;

function answer(res, status, record) {
  console.log(JSON.stringify(record));
  res.writeHead(status, { "Content-Length": "0" });
  res.end();
}

const server = http.createServer((req, res) => {
  if (req.method !== "POST") return answer(res, 405, { error: "POST only" });
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const raw = Buffer.concat(chunks).toString("utf8");
    let order;
    try {
      order = webhook.verify(raw, req.headers);
    } catch (err) {
      return answer(res, 400, { verified: false, error: String(err.message || err) });
    }
    const webhookId = req.headers["webhook-id"];
    if (seen.has(webhookId)) {
      return answer(res, 204, { verified: true, duplicate: true, webhook_id: webhookId });
    }
    seen.add(webhookId);
    if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value);
    // Process the event here (quickly: answer within a few seconds, queue
    // long work). The body is the order_status body of the order.
    return answer(res, 204, {
      verified: true,
      duplicate: false,
      webhook_id: webhookId,
      event: req.headers["x-webhook-event"] || "",
      order: order.biomes_order_id || null,
    });
  });
});

server.listen(Number(process.env.PORT || 8000), "127.0.0.1", () => {
  console.log(JSON.stringify({ listening: server.address().port }));
});
