# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The API's own autocommit connections to the primary, and the slots held
on them.

What must hold whatever the request's transaction does (rolled back, run on
a read-only cursor or a standby) goes through here: the request budgets
(``partner_order_api_rate_limit``) and the **slots**, PostgreSQL session
advisory locks that bound how much of some work runs at once across every
worker and server of the database: a partner's requests in flight, PDF
renders, webhook tests. A slot is held on a connection borrowed for as long
as the work runs, and given back by ``pg_advisory_unlock_all()``; a worker
that dies (Odoo's ``limit_time_real`` kill included) closes its connections,
and PostgreSQL frees its slots with them: nothing is ever left taken.

No model here, and no Odoo import: pure infrastructure, used by the models
that need it (the budgets, the PDF cache and render slots, the webhook
test). Where to connect is given by the model that owns the budgets, when Odoo
loads the registry (``partner.order.api.rate.bucket._register_hook``:
``CONNECTIONS.configure``), from Odoo's own connection settings.
"""

import contextlib
import logging
import os
import threading
import time
import zlib

import psycopg2

# the statements are logged where Odoo logs its own (--log-sql)
_sql_logger = logging.getLogger("odoo.sql_db")

# slot kinds: the first key of the two-int advisory locks (apart from the
# one-bigint locks of external order ids, which PostgreSQL never confuses
# with these); their second key is the slot's owner and number
SLOT_KINDS = {
    "partner_requests": zlib.crc32(b"partner_order_api.partner_requests") >> 1,
    "pdf_render": zlib.crc32(b"partner_order_api.pdf_render") >> 1,
    "webhook_test": zlib.crc32(b"partner_order_api.webhook_test") >> 1,
}
MAX_SLOTS = 64  # per kind and owner

# the first free slot of ``count``, taken (no row: all are held)
TRY_SLOT = """
SELECT s FROM generate_series(0, %(count)s - 1) AS s
 WHERE pg_try_advisory_lock(%(kind)s, %(base)s + s)
 LIMIT 1
"""


def slot_params(kind, owner, count):
    """The parameters of ``TRY_SLOT`` for ``count`` slots of ``kind`` held
    for ``owner`` (an integer: a partner id, or 0 for server-wide slots)."""
    count = max(1, min(int(count), MAX_SLOTS))
    base = (int(owner) * MAX_SLOTS) % (2**31 - MAX_SLOTS)
    return {"kind": SLOT_KINDS[kind], "base": base, "count": count}


class Connections:
    """Autocommit connections to the primary, one per database and thread
    at a time, kept by this process.

    Odoo's pooled cursor would cost five round trips for one statement
    (``DISCARD ALL`` on borrowing, ``BEGIN``, the settings, ``COMMIT``); a
    connection of our own, in autocommit with ``synchronous_commit`` off for
    its session (it never serves anything else), costs one. Each statement
    is counted in the request's query count as Odoo's cursors count theirs
    (the access log stays truthful), and logged as theirs (``odoo.sql_db``
    at DEBUG, without parameters). A connection that fails is dropped and
    the statement tried once on a new one; connections inherited through a
    fork are never used."""

    def __init__(self):
        self._connection_info = None  # see configure
        self._lock = threading.Lock()
        self._idle = {}  # dbname -> [connection]
        self._pid = os.getpid()
        # the Held connections lent now: kept alive (and their slots held)
        # until released, never closed behind the holder's back by the
        # garbage collector
        self.lent = set()

    def configure(self, connection_info):
        """Where to connect: ``connection_info(dbname)`` answers the keyword
        arguments of ``psycopg2.connect`` for a database (given by
        ``partner.order.api.rate.bucket._register_hook``: Odoo's
        ``connection_info_for``)."""
        self._connection_info = connection_info

    def _connect(self, dbname):
        if self._connection_info is None:
            raise RuntimeError(
                "partner_order_api: CONNECTIONS used before Odoo loaded the "
                "registry (partner.order.api.rate.bucket._register_hook)"
            )
        cnx = psycopg2.connect(**self._connection_info(dbname))
        cnx.autocommit = True
        with cnx.cursor() as cur:
            # a crash may forget the last milliseconds of buckets (a few
            # tokens given back), never corrupt them; no disk sync to wait
            cur.execute("SET synchronous_commit TO OFF")
        return cnx

    def borrow(self, dbname):
        with self._lock:
            if self._pid != os.getpid():  # forked: not ours
                self._idle, self._pid = {}, os.getpid()
            idle = self._idle.get(dbname)
            if idle:
                return idle.pop()
        return self._connect(dbname)

    def give_back(self, dbname, cnx):
        with self._lock:
            if self._pid == os.getpid() and not cnx.closed:
                self._idle.setdefault(dbname, []).append(cnx)
                return
        cnx.close()

    @staticmethod
    def run(cnx, query, params):
        """The first row of ``query`` run on ``cnx`` (counted and logged as
        Odoo's own statements)."""
        started = time.time()
        with cnx.cursor() as cur:
            cur.execute(query, params)
            row = cur.fetchone()
        delay = time.time() - started
        thread = threading.current_thread()
        if hasattr(thread, "query_count"):
            thread.query_count += 1
            thread.query_time += delay
        if _sql_logger.isEnabledFor(logging.DEBUG):
            _sql_logger.debug(
                "[%.3f ms] query (partner_order_api): %s",
                1000 * delay,
                query.strip(),
            )
        return row

    def fetchone(self, dbname, query, params):
        """The first row of ``query``, run and committed on its own."""
        for attempt in (1, 2):
            cnx = self.borrow(dbname)
            try:
                row = self.run(cnx, query, params)
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                cnx.close()  # lost (server restarted, idle timeout): a new one
                if attempt == 2:
                    raise
                continue
            except Exception:
                cnx.close()
                raise
            self.give_back(dbname, cnx)
            return row

    def hold(self, dbname):
        """A ``Held`` connection: slots taken on it stay taken until its
        ``release()``."""
        held = Held(self, dbname)
        with self._lock:
            self.lent.add(held)
        return held


class Held:
    """A connection borrowed for as long as some work runs, and the slots
    taken on it. ``release()`` frees them and gives the connection back;
    it may be called more than once."""

    def __init__(self, connections, dbname):
        self._connections = connections
        self._dbname = dbname
        self._cnx = None
        self.locked = False  # whether a slot may be held on it

    def fetchone(self, query, params, locks=True):
        """The first row of ``query`` on the held connection (a lost one is
        replaced once, while it holds no slot). ``locks``: whether the
        query may take a slot."""
        for attempt in (1, 2):
            if self._cnx is None:
                self._cnx = self._connections.borrow(self._dbname)
            try:
                self.locked = self.locked or locks
                return Connections.run(self._cnx, query, params)
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                self._cnx.close()
                self._cnx = None
                self.locked = False  # its slots went with it
                if attempt == 2:
                    raise
            except Exception:
                self._cnx.close()
                self._cnx = None
                self.locked = False
                raise
        return None

    def try_slot(self, kind, owner, count):
        """Take one of ``count`` slots of ``kind`` for ``owner``: the slot's
        number, or None when all are held (by any worker or server)."""
        row = self.fetchone(TRY_SLOT, slot_params(kind, owner, count))
        return row and row[0]

    def release(self):
        with self._connections._lock:
            self._connections.lent.discard(self)
        cnx, self._cnx = self._cnx, None
        if cnx is None:
            return
        if self.locked:
            self.locked = False
            try:
                Connections.run(cnx, "SELECT pg_advisory_unlock_all()", {})
            except Exception:  # pylint: disable=broad-except
                cnx.close()  # closing frees its locks too
                return
        self._connections.give_back(self._dbname, cnx)


CONNECTIONS = Connections()


@contextlib.contextmanager
def slot(dbname, kind, owner, count):
    """``with slot(db, "pdf_render", 0, 2) as taken:``: ``taken`` is whether
    one of the ``count`` slots was free; held until the block ends."""
    held = CONNECTIONS.hold(dbname)
    try:
        yield held.try_slot(kind, owner, count) is not None
    finally:
        held.release()
