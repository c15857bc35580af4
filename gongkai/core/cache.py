"""The shared cache (``settings.CACHES``) and counting in it: throttles and rate limits count in
a cache every process of every node sees — the database (``AtomicDatabaseCache``, created by
``gongkai createcachetable``; nothing extra to run on a fresh machine) or, when
``GONGKAI_CACHE_URL`` is set, Redis (Django's ``RedisCache``).

Counting is ``cache.add`` (the first hit creates the key with the window as its timeout) then
``cache.incr``. Redis increments atomically and keeps the TTL. Django's ``DatabaseCache`` inherits
``BaseCache.incr`` — a read then a ``set`` — which loses concurrent increments and resets the
timeout to the default on every hit; ``AtomicDatabaseCache.incr`` locks the row instead
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the ``IMMEDIATE`` transaction already holds the
write lock) and rewrites the value only, so the window still ends where the first hit put it.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, models, router, transaction
from django.utils import timezone


class AtomicDatabaseCache(DatabaseCache):
    """``DatabaseCache`` whose ``incr``/``decr`` are atomic across processes and keep the expiry."""

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)  # type: ignore[attr-defined]  # set by BaseDatabaseCache
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')} FROM {table} "  # noqa: S608 - quoted names only
                f"WHERE {quote('cache_key')} = %s{lock}", [key])
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value, expires = row
            for converter in converters:
                expires = converter(expires, expression, connection)
            if expires < timezone.now():
                raise ValueError(f"Key '{key}' not found")
            # Django's DatabaseCache stores pickles it wrote itself; read them the same way.
            current = pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode()))  # noqa: S301
            new_value = current + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s",  # noqa: S608
                [encoded, key])
        return new_value

    def decr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        return self.incr(key, -delta, version)


def count_hit(key: str, window_seconds: int) -> int:
    """Count one hit on ``key`` in the shared cache; returns the hits so far in the window that
    the first hit opened (``window_seconds`` long). Atomic across processes."""
    if cache.add(key, 1, window_seconds):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:
        # The window closed between add and incr: this hit opens the next one.
        if cache.add(key, 1, window_seconds):
            return 1
        return int(cache.incr(key))


def hits(key: str) -> int:
    """Hits counted on ``key`` in its current window (0 when none)."""
    return int(cache.get(key, 0) or 0)
