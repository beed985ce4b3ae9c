#!/usr/bin/env bash
# Start (or stop) a throwaway PostgreSQL server on 127.0.0.1 for the test suite.
#   scripts/pg-test-server.sh start   → prints the TEST_DATABASE_URL to use
#   scripts/pg-test-server.sh stop
# Installs Debian's postgresql package when it is missing (needs root, as on CI).
set -euo pipefail
PORT=${PGTEST_PORT:-54329}
DIR=${PGTEST_DIR:-/tmp/liaison-pgtest}
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  (apt-get install -y -q postgresql >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null)) >&2
fi
BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-start}" in
  start)
    if [ ! -f "$DIR/PG_VERSION" ]; then
      mkdir -p "$DIR"
      [ "$(id -u)" = "0" ] && chown postgres "$DIR"
      as_pg "$BIN/initdb" -D "$DIR" -A trust -U postgres >/dev/null
    fi
    if ! as_pg "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
    fi
    echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_pg "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true
    ;;
esac
