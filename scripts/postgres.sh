#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the example suites (EXAMPLES_DB=postgres).
#
#   eval "$(scripts/postgres.sh start)"   # install if missing, initdb, start; print the env to use
#   scripts/postgres.sh env               # print the env again
#   scripts/postgres.sh status            # exit 0 when it is running
#   scripts/postgres.sh stop              # stop it and delete its data directory
#
# Settings (environment):
#   PG_DATA_DIR  data directory (default /tmp/async-migrate-pg); it is created, and deleted by `stop`
#   PGPORT       TCP port on 127.0.0.1 (default 54329)
#   PG_INSTALL   0 = never apt-get install postgresql when it is missing (default 1; needs root)
#
# Debian's postgresql package is used (apt-get install -y postgresql). As root, initdb and pg_ctl
# run as the `postgres` user; otherwise as the current user. Authentication is `trust` and the
# server listens on 127.0.0.1 only, with fsync off: for tests, never for data you want to keep.
# Messages go to stderr; only the `export` lines go to stdout.
set -euo pipefail

DATA="${PG_DATA_DIR:-/tmp/async-migrate-pg}"
PORT="${PGPORT:-54329}"
INSTALL="${PG_INSTALL:-1}"
SUPERUSER=postgres

say() { echo "postgres.sh: $*" >&2; }
die() { say "$*"; exit 1; }

bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
    dir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
    if [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
    return 1
}

install_postgres() {
    bindir >/dev/null && return 0
    [ "$INSTALL" = 1 ] || die "PostgreSQL is not installed (and PG_INSTALL=0)"
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed; run as root or: apt-get install -y postgresql"
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is not available"
    say "installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bindir >/dev/null || die "postgresql installed but initdb not found"
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

print_env() {
    cat <<EOF
export EXAMPLES_DB=postgres
export PGHOST=127.0.0.1
export PGPORT=$PORT
export PGUSER=$SUPERUSER
export PGPASSWORD=
export PGDATABASE=postgres
EOF
}

running() {
    local bin
    bin=$(bindir) || return 1
    [ -f "$DATA/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
    install_postgres
    local bin
    bin=$(bindir)
    if running; then
        say "already running (data $DATA)"
        print_env
        return 0
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        mkdir -p "$DATA"
        if [ "$(id -u)" = 0 ]; then
            id postgres >/dev/null 2>&1 || die "no postgres user (is the postgresql package installed?)"
            chown postgres: "$DATA"
        fi
        chmod 700 "$DATA"
        say "initdb $DATA"
        as_owner "$bin/initdb" -D "$DATA" -U "$SUPERUSER" --auth=trust -E UTF8 --locale=C -N >"$DATA.initdb.log" 2>&1 \
            || { cat "$DATA.initdb.log" >&2; die "initdb failed"; }
        rm -f "$DATA.initdb.log"
    fi
    say "starting on 127.0.0.1:$PORT (data $DATA)"
    if ! as_owner "$bin/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >&2; then
        tail -n 20 "$DATA/server.log" >&2 || true
        die "pg_ctl start failed"
    fi
    print_env
}

stop() {
    local bin
    if bin=$(bindir) && [ -f "$DATA/PG_VERSION" ]; then
        as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
    fi
    case "$DATA" in
        /|"") die "refusing to delete '$DATA'" ;;
    esac
    if [ -f "$DATA/PG_VERSION" ] || { [ -d "$DATA" ] && [ -z "$(ls -A "$DATA")" ]; }; then
        rm -rf "$DATA"
        say "stopped; removed $DATA"
    elif [ -d "$DATA" ]; then
        say "stopped; left $DATA alone (not a PostgreSQL data directory)"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) print_env ;;
    status) running && say "running on 127.0.0.1:$PORT (data $DATA)" || { say "not running"; exit 1; } ;;
    *) echo "usage: $0 start|stop|env|status" >&2; exit 2 ;;
esac
