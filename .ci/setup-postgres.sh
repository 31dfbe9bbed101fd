#!/usr/bin/env bash
# Install Debian's PostgreSQL, start a server on loopback and create the test database.
#
# Idempotent: installs only when absent, starts the cluster only when down, creates the
# role and database only when missing. Prints the URL the tests use and writes it to
# .ci/postgres.env, so the caller can do:
#     eval "$(bash .ci/setup-postgres.sh | tail -n 1)"     # or: source .ci/postgres.env
# tests/test_store.py and tests/test_server.py read SLANT_TEST_POSTGRES_URL.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DB_USER="${SLANT_PG_USER:-slant}"
DB_PASS="${SLANT_PG_PASSWORD:-slant}"
DB_NAME="${SLANT_PG_DB:-slant_test}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    $SUDO apt-get update >&2
    $SUDO apt-get install -y --no-install-recommends postgresql >&2
fi
VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main"' | grep -q .; then
    $SUDO pg_createcluster "$VERSION" main >&2
fi
PORT="$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $3}')"
STATUS="$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $4}')"
if [ "$STATUS" != "online" ]; then
    # loopback only: no other host can reach the test server
    $SUDO pg_ctlcluster "$VERSION" main start -o "-c listen_addresses=127.0.0.1" >&2
fi
for _ in $(seq 1 30); do
    if pg_isready -h 127.0.0.1 -p "$PORT" -q; then break; fi
    sleep 1
done
pg_isready -h 127.0.0.1 -p "$PORT" >&2

psql_admin() { $SUDO -u postgres psql -p "$PORT" -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(id -u)" -eq 0 ]; then
    psql_admin() { su postgres -s /bin/sh -c "psql -p $PORT -v ON_ERROR_STOP=1 -qAt $(printf '%q ' "$@")"; }
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != "1" ]; then
    psql_admin -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASS' CREATEDB"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
    psql_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
fi

URL="postgresql+psycopg://$DB_USER:$DB_PASS@127.0.0.1:$PORT/$DB_NAME"
mkdir -p "$HERE"
echo "export SLANT_TEST_POSTGRES_URL=$URL" > "$HERE/postgres.env"
echo "export SLANT_TEST_POSTGRES_URL=$URL"
