# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A noisy neighbour's storm, for tests_live/, tests_cluster/ and bench/
(plain Python: requests and threads, no Odoo). Not part of the addon.

Partner A sends, from several threads at once and back to back, what costs
a server most: PDF documents, webhook tests (to a receiver that trickles its
answer), batches of 100 orders, deep pages, and random keys that fail their
authentication from the same address as B (every client here is
127.0.0.1). Partner B meanwhile reads its orders and an order's status, one
request at a time, as a quiet integration polls. ``quiet()`` times B alone,
``run()`` B under A's storm; ``a_problems()`` and ``b_problems()`` list the
answers outside what the contract allows each of them.
"""

import itertools
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

API = "/partner_order_api"
BATCH_SIZE = 100
# A's threads: how many send each kind of request at once
A_THREADS = {"pdf": 2, "webhook_test": 2, "batch": 1, "deep_page": 2, "bad_key": 1}
# what A may be answered, beside a PDF (200 application/pdf), a JSON 200/201,
# and 401 ``unauthorized`` for a bad key
LIMITED = {429: {"rate_limited", "concurrency_limited"}, 503: {"busy"}}


@dataclass
class Partner:
    """A partner as the storm sees it: the servers it talks to (base URLs,
    taken in turn), its key, some of its orders' names, an EAN it may order."""

    urls: list
    key: str
    orders: list
    ean: str = ""
    _turn: itertools.count = field(default_factory=itertools.count, repr=False)

    def url(self):
        return self.urls[next(self._turn) % len(self.urls)]


@dataclass
class Answer:
    """One request and what came back (``status`` None: no answer at all)."""

    kind: str
    status: int
    seconds: float
    code: str = None
    retry_after: str = None
    content_type: str = None
    error: str = None  # no answer, or a body that is not the contract's JSON


def send(kind, method, url, key, timeout, **kwargs):
    """The ``Answer`` to one request (a new connection, as Odoo answers
    HTTP/1.0)."""
    headers = {"Authorization": f"Bearer {key}"}
    started = time.monotonic()
    try:
        resp = requests.request(method, url, headers=headers, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        seconds = time.monotonic() - started
        return Answer(kind, None, seconds, error=f"{type(exc).__name__}: {exc}")
    seconds = time.monotonic() - started
    answer = Answer(
        kind,
        resp.status_code,
        seconds,
        retry_after=resp.headers.get("Retry-After"),
        content_type=resp.headers.get("Content-Type"),
    )
    if answer.content_type == "application/pdf" and resp.status_code == 200:
        return answer
    try:
        body = json.loads(resp.content)
        if resp.status_code >= 400:
            answer.code = body["error"]["code"]
        elif body.get("success") is not True:
            answer.error = f"not a success body: {resp.text[:200]}"
    except (ValueError, KeyError, TypeError):
        answer.error = f"not the contract's JSON: {resp.text[:200]!r}"
    return answer


def b_request(b, index, timeout):
    """B's ``index``-th request: its orders, then an order's status, in turn."""
    if index % 2 == 0:
        return send(
            "GET orders",
            "GET",
            f"{b.url()}{API}/orders",
            b.key,
            timeout,
            params={"page_size": 20},
        )
    return send(
        "GET order_status",
        "GET",
        f"{b.url()}{API}/order_status",
        b.key,
        timeout,
        params={"identifiedBy": "biomes", "order_id": b.orders[index % len(b.orders)]},
    )


def batch_body(ean, size=BATCH_SIZE):
    order = {
        "ean": ean,
        "amount": 1,
        "delivery_address": {
            "name": "Storm Receiver",
            "street": "Noisy Street 1",
            "zip": "10115",
            "city": "Berlin",
            "country_code": "DE",
        },
    }
    return {"orders": [order] * size}


def a_request(a, kind, index, timeout):
    """A's ``index``-th request of ``kind`` (see ``A_THREADS``)."""
    url = f"{a.url()}{API}"
    order = a.orders[index % len(a.orders)]
    if kind == "pdf":
        params = {"identifiedBy": "biomes", "order_id": order, "type": "order"}
        return send(kind, "GET", f"{url}/order/document", a.key, timeout, params=params)
    if kind == "webhook_test":
        return send(kind, "POST", f"{url}/webhook/test", a.key, timeout, json={})
    if kind == "batch":
        body = batch_body(a.ean)
        return send(kind, "POST", f"{url}/orders/batch", a.key, timeout, json=body)
    if kind == "deep_page":
        params = {"page": 50 + index % 950, "page_size": 100}
        return send(kind, "GET", f"{url}/orders", a.key, timeout, params=params)
    if kind == "bad_key":
        bad = secrets.token_hex(20)
        return send(kind, "GET", f"{url}/orders", bad, timeout, params={"page": 1})
    raise ValueError(kind)


def quiet(b, count=20, pause=0.3, timeout=30):
    """B alone: ``count`` requests one after the other."""
    answers = []
    for index in range(count):
        answers.append(b_request(b, index, timeout))
        time.sleep(pause)
    return answers


def retry_after(answer):
    """The seconds a 429 or 503 asks the client to wait (``Retry-After`` in
    seconds), else 0."""
    if answer.status in (429, 503) and (answer.retry_after or "").isdigit():
        return int(answer.retry_after)
    return 0


def run(
    a,
    b,
    seconds=25,
    a_threads=None,
    b_pause=0.3,
    a_timeout=180,
    b_timeout=30,
    honour_retry_after=False,
):
    """A's storm for ``seconds`` and B's requests meanwhile, every
    ``b_pause`` s: ``(B's answers, A's answers)``. A's threads send back to
    back, whatever they are answered (a careless client ignores
    Retry-After), or with ``honour_retry_after`` wait what a 429 or 503's
    ``Retry-After`` says before their next request (a heavy but compliant
    client); the requests in flight at the end are waited for."""
    stop = threading.Event()
    a_answers, lock = [], threading.Lock()

    def a_loop(kind):
        for index in itertools.count():
            if stop.is_set():
                return
            answer = a_request(a, kind, index, a_timeout)
            with lock:
                a_answers.append(answer)
            if honour_retry_after and retry_after(answer):
                stop.wait(retry_after(answer))  # cut short when the storm ends
            time.sleep(0.02)  # the client's own CPU: this machine's cores are few

    threads = [
        threading.Thread(target=a_loop, args=(kind,), daemon=True)
        for kind, count in (a_threads or A_THREADS).items()
        for _copy in range(count)
    ]
    for thread in threads:
        thread.start()
    b_answers = []
    deadline = time.monotonic() + seconds
    time.sleep(min(1.0, seconds / 10))  # A's first requests are in flight
    for index in itertools.count():
        if time.monotonic() >= deadline:
            break
        b_answers.append(b_request(b, index, b_timeout))
        time.sleep(b_pause)
    stop.set()
    for thread in threads:
        thread.join(a_timeout + 10)
    return b_answers, a_answers


def b_problems(answers):
    """B's answers that are not a 200 with the contract's JSON."""
    return [
        f"B {a.kind}: {a.status} {a.code or ''} {a.error or ''} after {a.seconds:.1f} s"
        for a in answers
        if a.status != 200 or a.error
    ]


def a_problems(answers):
    """A's answers outside the contract: no answer, a 5xx but 503 ``busy``,
    a body that is not the contract's JSON, a 429/503 without Retry-After,
    a 401 to a valid key, a PDF that is not ``application/pdf``."""
    problems = []
    for a in answers:
        why = a.error
        if a.status is None:
            why = why or "no answer"
        elif a.status in LIMITED:
            if a.code not in LIMITED[a.status]:
                why = f"code {a.code}"
            elif not (a.retry_after or "").isdigit():
                why = f"Retry-After {a.retry_after!r}"
        elif a.status == 401:
            if a.kind != "bad_key" or a.code != "unauthorized":
                why = f"code {a.code}"
        elif a.status == 200 and a.kind == "pdf":
            if a.content_type != "application/pdf":
                why = f"Content-Type {a.content_type}"
        elif a.status not in (200, 201) or a.kind == "bad_key":
            why = f"code {a.code}"
        if why:
            problems.append(f"A {a.kind}: {a.status} {why} after {a.seconds:.1f} s")
    return problems


def failures(quiet_answers, b_answers, a_answers, bound, min_b_requests):
    """What breaks the proof, the first ten of each: B refused or not
    answered, B waiting ``bound`` s or more, B served fewer than
    ``min_b_requests`` during the storm (only starvation makes it so few),
    A answered outside the contract, a kind of A's requests never sent."""
    found = b_problems(quiet_answers)[:10] + b_problems(b_answers)[:10]
    slowest = max(latencies(b_answers), default=0)
    if slowest >= bound:
        found.append(f"B waited {slowest:.1f} s (bound {bound} s)")
    if len(b_answers) < min_b_requests:
        found.append(
            f"B sent {len(b_answers)} requests during the storm "
            f"(at least {min_b_requests} expected)"
        )
    found += a_problems(a_answers)[:10]
    missing = set(A_THREADS) - {answer.kind for answer in a_answers}
    if missing:
        found.append(f"A never sent: {', '.join(sorted(missing))}")
    return found


def percentile(values, pct):
    values = sorted(values)
    if not values:
        return float("nan")
    rank = (len(values) - 1) * pct / 100.0
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def latencies(answers):
    """Seconds of the answered requests."""
    return [a.seconds for a in answers if a.status is not None]


def figures(answers):
    """``p50 / p95 / max`` in ms of the answers' latencies."""
    values = latencies(answers)
    if not values:
        return "no answer"
    return " / ".join(
        f"{1000 * v:.0f}"
        for v in (percentile(values, 50), percentile(values, 95), max(values))
    )


def tally(answers):
    """``kind status code: count`` of the answers, most frequent first."""
    counts = Counter(
        f"{a.kind} {a.status if a.status is not None else 'no answer'}"
        + (f" {a.code}" if a.code else "")
        for a in answers
    )
    return ", ".join(f"{name}: {count}" for name, count in counts.most_common())


def report(quiet_answers, b_answers, a_answers):
    """The storm's figures, B quiet beside B under the storm."""
    return "\n".join(
        (
            f"B quiet       p50 / p95 / max ms: {figures(quiet_answers)} "
            f"({len(quiet_answers)} requests)",
            f"B under storm p50 / p95 / max ms: {figures(b_answers)} "
            f"({len(b_answers)} requests; not 200: {len(b_problems(b_answers))})",
            f"A's answers ({len(a_answers)}): {tally(a_answers)}",
        )
    )
