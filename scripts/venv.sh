#!/usr/bin/env bash
# Create or update the virtualenv; reinstall only when pyproject.toml changed.
set -euo pipefail
PYTHON=${PYTHON:-python3.11}
VENV=${VENV:-.venv}
EXTRAS=${EXTRAS:-}
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "找不到 $PYTHON：Gongkai 需要 Python 3.11。" >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> 创建虚拟环境 $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
stamp="$VENV/.installed${EXTRAS:+-$EXTRAS}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> 安装依赖${EXTRAS:+ ($EXTRAS)}"
  target="."
  [ -n "$EXTRAS" ] && target=".[$EXTRAS]"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$target"
  touch "$stamp"
fi
