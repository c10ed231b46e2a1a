# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the differential test of the order object reads, and how it
compares (test_order_object_differential.py).

A reading is, for each API user: every page of ``GET orders``, ``GET
order_status`` of one order and ``GET available_products``. The warm server
answers each request several times, until at least two of its workers have
answered it (the access log names the worker of each answer); the reference
server once. ``first_difference`` names the first field where two answers
differ, as a path (``orders[S00042].deliveries[0].carrier``);
``check_kind`` holds every check of one kind of change.
"""

import re
import time
from concurrent.futures import ThreadPoolExecutor

import requests

PAGE_SIZE = 2
# concurrent requests per round on the warm server, and rounds at most
WARM_COPIES = 4
WARM_ROUNDS = 4
_MISSING = "<missing>"
# what a line shows of its product: as ordered, never changed
AS_ORDERED = ("product_name", "ean", "default_code")


def get(server, route, user, params):
    """``route`` answered to ``user`` ({"key", "lang"}: its API key and the
    language its requests ask for, ``Accept-Language``, as the API names
    carriers and products in the request's language)."""
    url = f"{server.url}/partner_order_api/{route}"
    headers = {
        "Authorization": f"Bearer {user['key']}",
        "Accept-Language": user["lang"].replace("_", "-"),
    }
    response = requests.get(url, params=params, headers=headers, timeout=60)
    assert response.status_code == 200, (route, params, response.text[:500])
    return response.json()


class AccessLog:
    """The workers that answered requests, from the server's access log
    (werkzeug logs a line per answer, in the worker's process: its pid in
    the third column). The warm server answers this test alone, one request
    at a time or a batch of the same request at once."""

    def __init__(self, server):
        self.server = server

    def mark(self):
        return self.server.log.stat().st_size

    def workers(self, since, route, count, timeout=5):
        """The pids of the workers that answered ``route``, from the
        ``count`` answers logged after the mark ``since``."""
        pattern = re.compile(
            rf'^\S+ \S+ (\d+) INFO \S+ werkzeug: .*"GET /partner_order_api/{route}[? ]'
        )
        deadline = time.monotonic() + timeout
        while True:
            with self.server.log.open("rb") as log:
                log.seek(since)
                text = log.read().decode(errors="replace")
            pids = [
                match[1] for match in map(pattern.match, text.splitlines()) if match
            ]
            if len(pids) >= count or time.monotonic() > deadline:
                return set(pids)
            time.sleep(0.05)


def read_warm(server, route, user, params, problems):
    """``route`` answered by the warm server ``WARM_COPIES`` times at once,
    again until two workers or more answered it (``WARM_ROUNDS`` rounds at
    most; otherwise a line in ``problems``): every answer."""
    log = AccessLog(server)
    answers = []
    workers = set()
    with ThreadPoolExecutor(max_workers=WARM_COPIES) as pool:
        for _round in range(WARM_ROUNDS):
            since = log.mark()
            answers += pool.map(
                lambda _i: get(server, route, user, params), range(WARM_COPIES)
            )
            workers |= log.workers(since, route, WARM_COPIES)
            if len(workers) >= 2:
                return answers
    problems.append(f"only the worker(s) {sorted(workers)} answered {route} {params}")
    return answers


def read_user(server, user, warm, problems=None):
    """What ``user`` ({"key", "lang", "status_order"}) reads: ``{"orders": {name:
    object}, "pages": [page answers], "status": answer, "products": answer}``;
    from the warm server (``warm``), a list of answers for each request
    (``"pages"``, ``"status"``, ``"products"``) and ``"orders"`` from the
    first answer of each page."""

    def read(route, params):
        if warm:
            return read_warm(server, route, user, params, problems)
        return [get(server, route, user, params)]

    pages = []
    page = 1
    while True:
        answers = read("orders", {"page": page, "page_size": PAGE_SIZE})
        pages.append(answers)
        if not answers[0]["pagination"]["has_next"]:
            break
        page += 1
    status = read(
        "order_status", {"identifiedBy": "biomes", "order_id": user["status_order"]}
    )
    products = read("available_products", {})
    orders = {
        order["biomes_order_id"]: order
        for answers in pages
        for order in answers[0]["orders"]
    }
    return {"orders": orders, "pages": pages, "status": status, "products": products}


def first_difference(left, right, path=""):
    """``(path, left value, right value)`` of the first difference between
    two JSON values, or None. Orders are matched by their name."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            found = first_difference(
                left.get(key, _MISSING), right.get(key, _MISSING), f"{path}.{key}"
            )
            if found:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        if _orders_list(left) and _orders_list(right):
            return first_difference(_by_name(left), _by_name(right), path)
        for index, (a, b) in enumerate(zip(left, right, strict=False)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        if len(left) != len(right):
            return (f"{path}.length", len(left), len(right))
        return None
    if left != right or type(left) is not type(right):
        return (path.lstrip(".") or "(answer)", left, right)
    return None


def _orders_list(value):
    return bool(value) and all(
        isinstance(item, dict) and "biomes_order_id" in item for item in value
    )


def _by_name(orders):
    return {f"[{order['biomes_order_id']}]": order for order in orders}


def compare_warm(kind, lang, warm, fresh):
    """Lines saying where an answer of the warm server differs from the
    reference server's, for each request of ``lang``'s reading."""
    problems = []
    requests_ = [
        (f"orders page {index + 1}", answers, fresh["pages"][index][0])
        for index, answers in enumerate(warm["pages"])
        if index < len(fresh["pages"])
    ]
    if len(warm["pages"]) != len(fresh["pages"]):
        problems.append(
            f"{kind}: {lang}: {len(warm['pages'])} pages warm, "
            f"{len(fresh['pages'])} fresh"
        )
    requests_ += [
        ("order_status", warm["status"], fresh["status"][0]),
        ("available_products", warm["products"], fresh["products"][0]),
    ]
    for label, answers, reference in requests_:
        for copy, answer in enumerate(answers):
            found = first_difference(answer, reference)
            if found:
                where, value, expected = found
                problems.append(
                    f"{kind}: {lang}: {label}: warm server (answer {copy + 1} of "
                    f"{len(answers)}) differs from a fresh one at {where}: "
                    f"warm {value!r}, fresh {expected!r}"
                )
                break
    return problems


def compare_moves(kind, owner, before, after):
    """Lines naming the orders of ``owner`` whose ``updated_at`` moved
    although their object (all fields but ``updated_at``, in every language
    read: ``{name: {language: object}}``) did not change, or did not move
    although it changed, between two fresh readings; and ``(changed,
    moved)``: the names of the changed and the moved orders."""
    problems = []
    changed, moved = [], []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old is None or new is None:
            problems.append(f"{kind}: {owner}: order {name} appeared or disappeared")
            continue
        difference = first_difference(_without_stamp(old), _without_stamp(new))
        stamps = (_stamp(old), _stamp(new))
        if difference:
            changed.append(name)
        if stamps[0] != stamps[1]:
            moved.append(name)
        if difference and stamps[0] == stamps[1]:
            where, value, expected = difference
            problems.append(
                f"{kind}: {owner}: order {name} changed at {where.lstrip('.')} "
                f"({value!r} -> {expected!r}) but its updated_at did not move"
            )
        elif stamps[0] != stamps[1] and not difference:
            problems.append(
                f"{kind}: {owner}: order {name}'s updated_at moved "
                f"({stamps[0]} -> {stamps[1]}) but its object did not change "
                f"in {', '.join(sorted(new))}"
            )
    return problems, changed, moved


def _stamp(objects):
    stamps = {order["updated_at"] for order in objects.values()}
    assert len(stamps) == 1, f"one order, several updated_at: {stamps}"
    return stamps.pop()


def _without_stamp(objects):
    return {
        lang: {key: value for key, value in order.items() if key != "updated_at"}
        for lang, order in objects.items()
    }


def _lines_as_ordered(kind, label, before, after):
    problems = []
    for name, order in after.items():
        old = before.get(name)
        if not old:
            continue
        shown = [[line[k] for k in AS_ORDERED] for line in order["lines"]]
        was = [[line[k] for k in AS_ORDERED] for line in old["lines"]]
        found = first_difference(was, shown, "lines")
        if found:
            problems.append(
                f"{kind}: {label}: order {name}'s lines are not as ordered: "
                f"{found[0]} {found[1]!r} -> {found[2]!r}"
            )
    return problems


def _by_owner(readers, readings, owner):
    """``{order name: {language: object}}`` of the orders of ``owner``, as
    its user read them in every language."""
    objects = {}
    for label, reader in readers.items():
        if reader["owner"] == owner:
            for name, order in readings[label]["orders"].items():
                objects.setdefault(name, {})[reader["lang"]] = order
    return objects


def check_kind(kind, expected, readers, warm, before, fresh, tags):
    """Every problem of one kind: warm against fresh, ``updated_at``
    against the object, the lines as ordered, the expected changes
    (``expected``: the order tags, or alternatives of them, and the users
    reading in their language whose available_products change); and what
    the kind changed, as the reference server shows it."""
    problems = []
    changed, moved, products_changed = set(), set(), set()
    for label, reader in readers.items():
        problems += compare_warm(kind, label, warm[label], fresh[label])
        old, new = before[label]["orders"], fresh[label]["orders"]
        problems += _lines_as_ordered(kind, label, old, new)
        if reader["lang"] == reader["owner"] and (
            before[label]["products"] != fresh[label]["products"]
        ):
            products_changed.add(label)
    for owner in {reader["owner"] for reader in readers.values()}:
        moves, changed_names, moved_names = compare_moves(
            kind,
            owner,
            _by_owner(readers, before, owner),
            _by_owner(readers, fresh, owner),
        )
        problems += moves
        changed |= {tags[name] for name in changed_names}
        moved |= {tags[name] for name in moved_names}
    orders, products = expected
    alternatives = orders if isinstance(orders, tuple) else (orders,)
    if changed not in alternatives:
        wanted = " or ".join(str(sorted(option)) for option in alternatives)
        problems.append(
            f"{kind}: the order objects {sorted(changed)} changed, expected {wanted}"
        )
    if products_changed != products:
        problems.append(
            f"{kind}: the available_products of {sorted(products_changed)} "
            f"changed, expected {sorted(products)}"
        )
    seen = (
        f"objects changed {','.join(sorted(changed)) or '-'}; updated_at moved "
        f"{','.join(sorted(moved)) or '-'}; available_products changed "
        f"{','.join(sorted(products_changed)) or '-'}"
    )
    return problems, seen
