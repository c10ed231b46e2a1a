# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order objects' cache is bounded by the bytes it holds
(``lib.byte_lru``), not by a count: large orders take their share of one
budget, not many times it."""

import threading

from conftest import load_lib

byte_lru = load_lib("byte_lru")


def _lru(max_bytes, overhead=0):
    return byte_lru.ByteLRU(max_bytes, overhead=overhead)


def test_the_bytes_held_stay_within_the_budget_oldest_used_first_out():
    cache = _lru(1000)
    for n in range(10):
        cache[n] = b"x" * 300
        assert cache.size <= 1000
    assert list(cache) == [7, 8, 9]
    assert cache.size == 900
    # read: the most recently used is kept
    assert cache[7] == b"x" * 300
    cache["big"] = b"y" * 500
    assert list(cache) == [7, "big"]
    assert cache.size == 800


def test_large_values_take_their_share_small_ones_theirs():
    cache = _lru(100_000, overhead=256)
    for n in range(1000):
        cache[n] = b"s" * 1_000  # small orders: about 80 of them fit
    small = len(cache)
    for n in range(1000):
        cache[("large", n)] = b"L" * 40_000  # an order of about 100 lines
    assert small == 100_000 // 1_256
    assert len(cache) == 2
    assert cache.size <= 100_000


def test_a_value_beyond_the_budget_is_not_kept_and_replacing_recounts():
    cache = _lru(1000)
    cache["a"] = b"a" * 400
    cache["huge"] = b"h" * 1001
    assert "huge" not in cache
    assert cache.size == 400
    cache["a"] = b"a" * 100
    assert cache.size == 100
    del cache["a"]
    assert cache.size == 0 and len(cache) == 0
    cache["b"] = b"b"
    cache.clear()
    assert cache.size == 0 and list(cache) == []
    assert cache.get("b") is None


def test_threads_keep_the_count_exact():
    cache = _lru(50_000, overhead=10)

    def fill(offset):
        for n in range(2000):
            cache[(offset, n % 300)] = b"z" * (n % 97 + 1)
            cache.get((offset, (n * 7) % 300))

    threads = [threading.Thread(target=fill, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert cache.size == sum(len(cache[key]) + 10 for key in list(cache))
    assert cache.size <= 50_000
