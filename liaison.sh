#!/usr/bin/env bash
# One entry point for a fresh machine: installs the project into .venv when needed, then
#   ./liaison.sh run   — starts the bot (a local chat in the terminal when no token is set)
#   ./liaison.sh test  — runs ruff and the full test suite (on every core)
#   ./liaison.sh <any liaison-bot subcommand …>
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
VENV=.venv
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "正在安装依赖到 $VENV …" >&2
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >&2
  "$VENV/bin/python" -m pip install -q -e ".[test]" >&2
  rm -f "$VENV"/.installed-* && touch "$stamp"
fi
# The digest chart needs a CJK font (Debian's fonts-wqy-microhei); install it when we can.
if ! fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk\|source han sans"; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "正在安装中文字体 fonts-wqy-microhei …" >&2
    (apt-get install -y -q fonts-wqy-microhei >/dev/null 2>&1 \
      || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q fonts-wqy-microhei >/dev/null 2>&1)) \
      || echo "未能安装中文字体;图表功能不可用(apt-get install fonts-wqy-microhei)" >&2
  else
    echo "提示:未找到中文字体,周报图表不可用;请安装 fonts-wqy-microhei" >&2
  fi
fi
cmd=${1:-run}
shift || true
case "$cmd" in
  test)
    "$VENV/bin/ruff" check .
    # One worker per core (pytest-xdist): the tests that wait on real processes and sockets
    # overlap with the ones that compute. Each worker has its own session fixtures and, on
    # PostgreSQL, its own databases. `./liaison.sh test -n0` runs everything in one process.
    exec "$VENV/bin/python" -m pytest -n auto "$@"
    ;;
  *)
    exec "$VENV/bin/liaison-bot" "$cmd" "$@"
    ;;
esac
