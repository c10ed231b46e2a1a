# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""JSON as the answers carry it: compact UTF-8, and texts made beforehand
(the cached order objects) put into an answer as they are."""

import json
import uuid

_SEPARATORS = (",", ":")


def json_text(value):
    """``value`` as compact JSON in UTF-8 bytes (with lone surrogates, which
    UTF-8 cannot carry, the whole text ASCII with escapes)."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=_SEPARATORS).encode()
    except UnicodeEncodeError:
        return json.dumps(value, separators=_SEPARATORS).encode()


class RawJSON:
    """A JSON text (UTF-8 bytes) that ``dumps`` puts as it is where this
    object stands in a value."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


def dumps(value):
    """``json_text(value)``, with every ``RawJSON`` of ``value`` replaced
    by its text."""
    raw = {}

    def placeholder(item):
        if not isinstance(item, RawJSON):
            raise TypeError(f"{type(item).__name__} is not JSON serializable")
        # a string no value can hold: a NUL, which PostgreSQL texts never have
        mark = f"\0{uuid.uuid4().hex}\0"
        raw[json.dumps(mark).encode()] = item.text
        return mark

    try:
        body = json.dumps(
            value, ensure_ascii=False, separators=_SEPARATORS, default=placeholder
        ).encode()
    except UnicodeEncodeError:
        raw.clear()
        body = json.dumps(value, separators=_SEPARATORS, default=placeholder).encode()
    for mark, text in raw.items():
        body = body.replace(mark, text, 1)
    return body
