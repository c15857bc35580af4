"""Exit 0 when the PostgreSQL server behind a database URL answers, 1 otherwise."""

import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg

url = urlsplit(sys.argv[1])
# Connect to the maintenance database: the test database itself is created by pytest-django.
maintenance = urlunsplit((url.scheme.replace("postgres", "postgresql", 1) if url.scheme == "postgres" else url.scheme,
                          url.netloc, "/postgres", url.query, ""))
try:
    with psycopg.connect(maintenance, connect_timeout=5) as conn:
        conn.execute("SELECT 1")
except psycopg.Error as exc:
    sys.stderr.write(f"PostgreSQL: {exc}\n")
    sys.exit(1)
