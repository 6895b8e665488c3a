package devtemporal

import (
	"fmt"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"go.temporal.io/server/common/resolver"
)

// unusedVisibilityIndexes are indexes of Temporal's SQLite visibility schema that neither the
// gateway nor the Web UI's usual lists query: the pre-allocated Bool, Datetime and Double slots
// (the gateway registers only Keyword and Int search attributes), the slots reserved for
// Temporal's CHASM components, and system columns nobody filters this server by. Every
// visibility write (a workflow's start and its close, which SQLite runs as a delete and an
// insert) updates all 58 indexes of the table, and those writes were about 40 % of the gateway
// process's CPU under load. Queries on these columns still work, by scanning.
var unusedVisibilityIndexes = []string{
	"by_history_length", "by_history_size_bytes", "by_execution_duration", "by_state_transition_count",
	"by_parent_run_id", "by_root_run_id",
	"by_batcher_user", "by_temporal_scheduled_start_time", "by_temporal_pause_info",
	"by_temporal_worker_deployment_version", "by_temporal_workflow_versioning_behavior", "by_temporal_worker_deployment",
	"by_bool_01", "by_bool_02", "by_bool_03",
	"by_datetime_01", "by_datetime_02", "by_datetime_03",
	"by_double_01", "by_double_02", "by_double_03",
	"by_temporal_bool_01", "by_temporal_bool_02", "by_temporal_datetime_01", "by_temporal_datetime_02",
	"by_temporal_double_01", "by_temporal_double_02", "by_temporal_int_01", "by_temporal_int_02",
	"by_temporal_keyword_01", "by_temporal_keyword_02", "by_temporal_keyword_03", "by_temporal_keyword_04",
	"by_temporal_low_cardinality_keyword_01",
}

// trimVisibilityIndexes drops unusedVisibilityIndexes, through the Temporal SQLite plugin's
// shared connection (the file is opened once per process, exclusively). Dropping is idempotent,
// so it runs on every start and also trims files created by earlier versions.
func trimVisibilityIndexes(sqlCfg *config.SQL) error {
	db, err := sql.NewSQLAdminDB(sqlplugin.DbKindVisibility, sqlCfg, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		return fmt.Errorf("devtemporal: open visibility store: %w", err)
	}
	defer db.Close()
	for _, name := range unusedVisibilityIndexes {
		if err := db.Exec("DROP INDEX IF EXISTS " + name); err != nil {
			return fmt.Errorf("devtemporal: drop index %s: %w", name, err)
		}
	}
	return nil
}
