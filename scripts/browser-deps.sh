#!/usr/bin/env bash
# The browser tests drive Debian's chromium; fonts-noto-cjk makes Chinese render in screenshots.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# grep without -q reads all input: with pipefail, an early exit would SIGPIPE fc-list.
if ! fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; then missing+=(fonts-noto-cjk); fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "==> 安装浏览器依赖: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "需要 root 权限安装 ${missing[*]}（apt-get install ${missing[*]}）。" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
