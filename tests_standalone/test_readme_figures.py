# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the README says the install adds, compared with the code where it
can be derived from the sources: how many crons the data files declare,
and which orders the portal users' record rules let them read (the states
of ``ORDER_API_STATES``, in words, and the lines beside the orders). The
statements per request are compared on a live server
(``tests_live/test_readme_figures.py``), the system parameters in
``test_readme_parameters.py``."""

import ast
import re

from conftest import REPO

READMES = ("README.rst", "readme/CONFIGURE.md", "readme/USAGE.md")
NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve".split()
STATE_WORDS = {
    "draft": "draft",
    "sent": "sent",
    "sale": "confirmed",
    "cancel": "cancelled",
}


def _crons_declared():
    return sum(
        path.read_text().count('model="ir.cron"')
        for path in (REPO / "data").glob("*.xml")
    )


def _order_api_states():
    tree = ast.parse((REPO / "models" / "sale_order.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "ORDER_API_STATES":
            return ast.literal_eval(node.value)
    raise AssertionError("ORDER_API_STATES not found")


def _sentences(text):
    return re.split(r"(?<=[.;])\s+", " ".join(text.split()))


def test_the_readme_counts_the_crons_the_data_declares():
    declared = _crons_declared()
    assert declared >= 4
    said = []
    for path in READMES:
        text = " ".join((REPO / path).read_text().split())
        for word in re.findall(r"\b(\w+) crons\b", text, re.I):
            if word.lower() in NUMBERS:
                said.append((path, word.lower()))
    assert said, "the README does not say how many crons the install adds"
    assert {word for _path, word in said} == {NUMBERS[declared]}, (declared, said)


def test_the_readme_says_which_orders_the_portal_rules_open():
    states = [STATE_WORDS[state] for state in _order_api_states()]
    words = ", ".join(states[:-1]) + " or " + states[-1]
    found = 0
    for path in READMES:
        for sentence in _sentences((REPO / path).read_text()):
            if re.search(r"record rules? (that )?let", sentence, re.I) and (
                "portal users read" in sentence
            ):
                found += 1
                assert words in sentence, (path, words, sentence)
                assert "their lines" in sentence, (path, sentence)
                assert "through the API" not in sentence, (path, sentence)
    assert found >= 3, found
