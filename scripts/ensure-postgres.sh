#!/usr/bin/env bash
# Makes sure Debian's PostgreSQL server binaries are on this machine, for the tests that start a
# private server of their own (org.jdlm.fencing.store.LocalPostgres: initdb in a temporary
# directory, a free loopback port). Installs the `postgresql` package when they are missing and
# this is root with apt-get; creates no cluster and starts no system service.
# Exit 0 when the binaries are there afterwards, 1 otherwise (with the reason on stderr).
set -euo pipefail

have_binaries() {
  if [[ -n "${JDLM_PG_BIN:-}" ]]; then
    [[ -x "$JDLM_PG_BIN/initdb" ]]
    return
  fi
  compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null
}

if have_binaries; then
  exit 0
fi
if [[ "$(id -u)" != 0 ]] || ! command -v apt-get > /dev/null; then
  echo "ensure-postgres: PostgreSQL is not installed and this is not root with apt-get;" \
       "install Debian's postgresql package (or set JDLM_PG_BIN) to run the PostgreSQL tests" >&2
  exit 1
fi
echo "ensure-postgres: installing Debian's postgresql package ..." >&2
# The package would create and start a system cluster; the tests need neither.
mkdir -p /etc/postgresql-common
grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf \
  || echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq > /dev/null
apt-get install -y -qq --no-install-recommends postgresql > /dev/null
have_binaries || { echo "ensure-postgres: postgresql installed but no initdb found" >&2; exit 1; }
