#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests, on a free loopback port, in a temporary
# directory. Used by .ci/run; developers may use it by hand too (see CONTRIBUTING.md):
#
#   pg_env=$(bash .ci/postgres.sh start) && eval "$pg_env"
#       # prints, and so exports: TICKETCORE_TEST_POSTGRES=<dsn>; TICKETCORE_PG_DIR=<dir>
#   bash .ci/postgres.sh restart      # pg_ctl restart -m fast ($TICKETCORE_PG_DIR)
#   bash .ci/postgres.sh stop         # stops it and removes the directory
#
# start installs PostgreSQL from the distribution's packages when no initdb is found (as
# root, with apt-get), and as root runs the cluster as an unprivileged user (postgres
# when it exists, else a new ticketcore-ci system user): initdb refuses to run as root.
# Only the export line goes to standard output; everything else goes to standard error.
# The cluster itself is made by tests/pgserver.py, the helper the tests use when
# TICKETCORE_TEST_POSTGRES is not set, with the system's python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."

have_postgres() {
    command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

install_postgres() {
    have_postgres && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "postgres.sh: PostgreSQL is not installed; install it (initdb, pg_ctl)" >&2
        return 1
    fi
    echo "postgres.sh: installing PostgreSQL with apt-get" >&2
    # The package would create and start a cluster of its own; the binaries are enough.
    mkdir -p /etc/postgresql-common
    if ! grep -qs '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf; then
        echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
    fi
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
    have_postgres
}

server_user() {
    [ "$(id -u)" = 0 ] || return 0 # not root: the cluster runs as this user
    if id postgres >/dev/null 2>&1; then
        echo postgres
        return 0
    fi
    if ! id ticketcore-ci >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin ticketcore-ci >&2
    fi
    echo ticketcore-ci
}

directory() {
    local folder="${1:-${TICKETCORE_PG_DIR:-}}"
    if [ -z "$folder" ]; then
        echo "postgres.sh: give the server's directory, or set TICKETCORE_PG_DIR" >&2
        return 2
    fi
    echo "$folder"
}

case "${1:-}" in
start)
    install_postgres
    user=$(server_user)
    exec python3 tests/pgserver.py start ${user:+--user "$user"}
    ;;
restart | stop)
    folder=$(directory "${2:-}")
    exec python3 tests/pgserver.py "$1" "$folder"
    ;;
*)
    echo "usage: $0 start | restart [DIRECTORY] | stop [DIRECTORY]" >&2
    exit 2
    ;;
esac
