#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas to this server version's,
# with Temporal's own schema tool (temporal-sql-tool and the schemas embedded in it): the step the
# temporalio/admin-tools image runs in docker-compose.yml, and `make cluster` runs with the tool
# built from go.mod. Every step is idempotent: on an existing database it only applies the
# versioned upgrades it lacks. Reads SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD (the tool's own
# variables), DB, DBNAME and VISIBILITY_DBNAME (deploy/temporal.env).
set -eu

export SQL_PLUGIN="${DB:-postgres12}"
for target in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  db="${target%%:*}"
  schema="postgresql/v12/${target#*:}"
  temporal-sql-tool --db "$db" create-database
  temporal-sql-tool --db "$db" setup-schema -v 0.0
  temporal-sql-tool --db "$db" update-schema --schema-name "$schema"
done
