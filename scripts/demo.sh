#!/usr/bin/env bash
# make demo: venv, SQLite database under var/, demo data, web server + task worker on :8000.
set -euo pipefail
VENV=${VENV:-.venv}
# GONGKAI_DEMO_SKIP_VENV=1 uses $VENV as it is (bench/demo_cold_start.py --quick); otherwise the
# virtualenv is created or updated first.
if [ "${GONGKAI_DEMO_SKIP_VENV:-}" != "1" ]; then
  bash scripts/venv.sh
fi
mkdir -p var
if [ ! -s var/secret_key ]; then
  "$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(64))" > var/secret_key
  chmod 600 var/secret_key
fi
if [ ! -s var/field_key ]; then
  "$VENV/bin/python" -c "import secrets; print(secrets.token_hex(16))" > var/field_key
  chmod 600 var/field_key
fi
export GONGKAI_SECRET_KEY="$(cat var/secret_key)"
export GONGKAI_FIELD_KEY="$(cat var/field_key)"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$PWD/var/gongkai.sqlite3}"
export GONGKAI_HOST="${GONGKAI_HOST:-127.0.0.1}"
export GONGKAI_PORT="${GONGKAI_PORT:-8000}"
"$VENV/bin/gongkai" migrate --noinput -v 0
"$VENV/bin/gongkai" createcachetable -v 0
"$VENV/bin/gongkai" collectstatic --noinput -v 0
"$VENV/bin/gongkai" demo
"$VENV/bin/gongkai" search rebuild
echo "==> 门户: http://$GONGKAI_HOST:$GONGKAI_PORT/   （Ctrl+C 停止）"
exec "$VENV/bin/gongkai" serve --host "$GONGKAI_HOST" --port "$GONGKAI_PORT"
