# shellcheck shell=bash
# Start a local PostgreSQL server for the store tests and export
# ECOCLUSTER_TEST_POSTGRES_URL. Sourced by .ci/run as root on a Debian 12 machine.
#
# Safe to source more than once: it installs PostgreSQL from Debian's packages only when
# no server is installed, starts the newest installed major version's "main" cluster
# only when it is down, and creates the test role and database only when missing.
# It changes no shell option of the caller and returns non-zero on failure, so a caller
# running under `set -e` stops there.

# Run a command as the postgres user from /, which it can always enter (a fresh clone
# under a private temporary folder is not readable by postgres).
_ecocluster_as_postgres() {
    (cd / && runuser -u postgres -- "$@")
}

_ecocluster_postgres() {
    local role=ecocluster_test password=ecocluster_test database=ecocluster_test
    local version port status tries encoding

    if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
        echo "postgres.sh: installing PostgreSQL from Debian packages" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
    fi
    version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
    if [ -z "$version" ]; then
        echo "postgres.sh: no PostgreSQL server under /usr/lib/postgresql" >&2
        return 1
    fi
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {found = 1} END {exit !found}'; then
        pg_createcluster "$version" main >/dev/null || return 1
    fi
    # /var/run is a tmpfs on many machines: the socket folder may be gone after a reboot.
    install -d -m 2775 -o postgres -g postgres /var/run/postgresql || return 1
    status=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}')
    if [ "${status%%,*}" != "online" ]; then
        pg_ctlcluster "$version" main start || return 1
    fi
    port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')

    tries=0
    until pg_isready -q -h 127.0.0.1 -p "$port"; do
        tries=$((tries + 1))
        if [ "$tries" -ge 60 ]; then
            echo "postgres.sh: PostgreSQL $version did not accept connections on 127.0.0.1:$port" >&2
            return 1
        fi
        sleep 0.5
    done

    # The role and database are for throw-away test data: commits need not wait for the
    # disk, which makes the many small test transactions several times faster.
    _ecocluster_as_postgres psql -p "$port" -X -q -v ON_ERROR_STOP=1 <<SQL || return 1
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
        CREATE ROLE $role LOGIN;
    END IF;
END
\$\$;
ALTER ROLE $role WITH LOGIN CREATEDB PASSWORD '$password';
ALTER ROLE $role SET synchronous_commit = off;
SQL
    # UTF8 whatever the cluster's default: a cluster made without a locale is SQL_ASCII,
    # which would not give Vietnamese text back as written.
    encoding=$(_ecocluster_as_postgres psql -p "$port" -X -tAc \
        "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = '$database'") ||
        return 1
    if [ -n "$encoding" ] && [ "$encoding" != "UTF8" ]; then
        _ecocluster_as_postgres dropdb -p "$port" "$database" || return 1
        encoding=""
    fi
    if [ -z "$encoding" ]; then
        _ecocluster_as_postgres createdb -p "$port" -O "$role" -E UTF8 --locale=C.UTF-8 \
            -T template0 "$database" || return 1
    fi

    export ECOCLUSTER_TEST_POSTGRES_URL="postgresql+psycopg://$role:$password@127.0.0.1:$port/$database"
    echo "postgres.sh: PostgreSQL $version ready on 127.0.0.1:$port" >&2
}

_ecocluster_postgres
_ecocluster_postgres_status=$?
unset -f _ecocluster_postgres _ecocluster_as_postgres
if [ "$_ecocluster_postgres_status" -ne 0 ]; then
    unset _ecocluster_postgres_status
    echo "postgres.sh: could not start PostgreSQL for the tests" >&2
    return 1 2>/dev/null || exit 1
fi
unset _ecocluster_postgres_status
