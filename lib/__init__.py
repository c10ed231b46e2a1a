"""Pure-Python pieces of the Partner Order API (no Odoo import).

They hold the contract's error codes and the parsing of client input, so
that they can be tested without Odoo (``tests_standalone/``).
"""
