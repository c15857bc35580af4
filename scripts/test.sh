#!/usr/bin/env bash
# make test: venv with test extras, browser deps, ruff, mypy, pytest on SQLite then PostgreSQL.
set -euo pipefail
VENV=${VENV:-.venv}
EXTRAS=test bash scripts/venv.sh
bash scripts/browser-deps.sh

export GONGKAI_TESTING=1
echo "==> ruff"
"$VENV/bin/ruff" check .
echo "==> mypy"
"$VENV/bin/mypy" gongkai
echo "==> migrations up to date"
DATABASE_URL="sqlite:///$PWD/var/migration-check.sqlite3" "$VENV/bin/gongkai" makemigrations --check --dry-run >/dev/null

mkdir -p var
echo "==> pytest (SQLite)"
DATABASE_URL="sqlite:///$PWD/var/test.sqlite3" "$VENV/bin/pytest" -p no:cacheprovider "$@"

PG_URL=${GONGKAI_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gongkai_test}
if "$VENV/bin/python" scripts/pg_reachable.py "$PG_URL"; then
  echo "==> pytest (PostgreSQL: ${PG_URL%%\?*})"
  DATABASE_URL="$PG_URL" "$VENV/bin/pytest" -p no:cacheprovider "$@"
else
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL 不可达（$PG_URL），CI=true 时视为失败。" >&2
    exit 1
  fi
  echo "==> 跳过 PostgreSQL 测试：无法连接 $PG_URL（设置 GONGKAI_TEST_DATABASE_URL 或启动 PostgreSQL 后重试）。"
fi
