# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The ``pagination`` member of a list answer (``GET orders``): the one
place its shape is made. Pure Python, imports nothing of Odoo."""

import math


def page_of(page, page_size, total_count):
    """``{page, page_size, total_count, total_pages, has_next,
    has_previous}`` of page ``page`` (from 1) of ``page_size`` items among
    ``total_count``."""
    total_pages = math.ceil(total_count / page_size)
    return {
        "page": page,
        "page_size": page_size,
        "total_count": total_count,
        "total_pages": total_pages,
        "has_next": page < total_pages,
        "has_previous": page > 1 and total_count > 0,
    }
