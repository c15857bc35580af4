"""The ``gongkai`` console script: Django's management commands under one name.

``gongkai migrate``, ``gongkai demo``, ``gongkai serve``, ``gongkai worker``,
``gongkai calendar deadline --from 2026-09-21 --days 20``, ``gongkai audit verify`` …
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "gongkai"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
