# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The README's figures that a live server can show, compared with what it
shows: the SQL statements of an empty authenticated request and of
``/web/health`` (README, "SQL statements per request"), read from Odoo's
access log (werkzeug logs each answer with its statement count) on a real
``odoo-bin --workers`` server. A change that makes every request pay one
statement more fails here until the README says so."""

import re
import time
from pathlib import Path

import requests
from conftest import api

REPO = Path(__file__).resolve().parent.parent
# README.rst's and readme/USAGE.md's sentence (backquotes differ)
FIGURES = re.compile(
    r"(\d+) for an empty authenticated request \((\d+) when a rate limit"
    r" applies\), (\d+) for `{1,2}/web/health`{1,2}"
)
ACCESS = re.compile(r'werkzeug: .*"GET (\S+) HTTP/1\.1" (\d{3}) - (\d+) ')


def _readme_figures():
    figures = set()
    for path in ("README.rst", "readme/USAGE.md"):
        text = (REPO / path).read_text().replace("\n", " ")
        found = FIGURES.findall(text)
        assert len(found) == 1, (path, found)
        figures.add(tuple(int(n) for n in found[0]))
    assert len(figures) == 1, f"README.rst and readme/USAGE.md disagree: {figures}"
    return figures.pop()


def _fewest_statements(server, since, path, count):
    """The fewest statements the access log gives the ``count`` answers
    of ``path`` logged after byte ``since`` (a warm worker's figure: a
    worker's first request also loads the registry's and the key's
    facts)."""
    deadline = time.monotonic() + 10
    while True:
        text = server.log.read_bytes()[since:].decode(errors="replace")
        counts = [
            int(m[3])
            for m in ACCESS.finditer(text)
            if m[1].split("?")[0] == path and m[2] == "200"
        ]
        if len(counts) >= count or time.monotonic() > deadline:
            assert len(counts) >= count, (path, counts)
            return min(counts)
        time.sleep(0.2)


def _empty_catalogue(world, name, limit):
    """The key of a new partner with no product, its own rate limit
    ``limit`` (0: the system parameter's, which the live database turns
    off)."""
    partner_id, _user_id, _login, key = world.new_partner(name)
    with world.registry.cursor() as cr:
        world.env(cr)["res.partner"].browse(partner_id).write(
            {"order_api_product_ids": False, "order_api_rate_limit_per_minute": limit}
        )
        cr.commit()
    return key


def _fewest_for_empty_requests(server, key, with_health=False):
    """The statements of a warm empty authenticated request (and of
    ``/web/health`` beside them): 12 of each, enough for every worker to
    answer several warm ones."""
    since = server.log.stat().st_size
    for _ in range(12):
        answer = api(server, "GET", "available_products", key)
        assert answer.status_code == 200, answer.text
        assert answer.json()["products"] == []
        if with_health:
            assert requests.get(f"{server.url}/web/health", timeout=10).ok
    route = "/partner_order_api/available_products"
    fewest = _fewest_statements(server, since, route, 12)
    if with_health:
        return fewest, _fewest_statements(server, since, "/web/health", 12)
    return fewest


def test_the_readme_counts_the_statements_of_an_empty_request(server, world):
    figures = _readme_figures()
    unlimited, health = _fewest_for_empty_requests(
        server, _empty_catalogue(world, "Empty Catalogue", 0), with_health=True
    )
    limited = _fewest_for_empty_requests(
        server, _empty_catalogue(world, "Empty Limited", 100000)
    )
    measured = (unlimited, limited, health)
    assert measured == figures, (
        f"the README says {figures} statements (empty request, with a rate "
        f"limit, /web/health), the server runs {measured}"
    )
