# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A least-recently-used mapping bounded by the bytes it holds.

The order objects' cache of each worker (``models/order_reader.py``)
holds JSON texts whose size goes from about 1 kB (an order of one line) to
tens of kB (an order of a hundred lines): a bound by count would let a
partner of large orders take many times the memory of one of small orders.
Each entry costs the length of its value (bytes) plus ``overhead`` (the key
and the bookkeeping); beyond ``max_bytes`` the least recently used entries
go. A value larger than the whole budget is not kept. Thread-safe (Odoo's
threaded server shares one registry between threads). Pure Python: no Odoo.
"""

import collections
import threading
from collections.abc import MutableMapping

# what an entry costs beside its value: the key tuple, the ordered dict's
# node, the bytes object's header (measured: about 200 bytes on CPython 3.11)
ENTRY_OVERHEAD = 256


class ByteLRU(MutableMapping):
    def __init__(self, max_bytes, overhead=ENTRY_OVERHEAD):
        self.max_bytes = max_bytes
        self.overhead = overhead
        self.size = 0  # the bytes held, as counted
        self._items = collections.OrderedDict()  # oldest first
        self._lock = threading.RLock()

    def _cost(self, value):
        return len(value) + self.overhead

    def __getitem__(self, key):
        with self._lock:
            value = self._items[key]
            self._items.move_to_end(key)
            return value

    def __setitem__(self, key, value):
        cost = self._cost(value)
        with self._lock:
            self._discard(key)
            if cost > self.max_bytes:
                return
            self._items[key] = value
            self.size += cost
            while self.size > self.max_bytes:
                _key, evicted = self._items.popitem(last=False)
                self.size -= self._cost(evicted)

    def __delitem__(self, key):
        with self._lock:
            if not self._discard(key):
                raise KeyError(key)

    def _discard(self, key):
        old = self._items.pop(key, None)
        if old is None:
            return False
        self.size -= self._cost(old)
        return True

    def __iter__(self):
        with self._lock:
            return iter(list(self._items))

    def __len__(self):
        return len(self._items)

    def clear(self):
        with self._lock:
            self._items.clear()
            self.size = 0
