package devtemporal

import (
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/server/common/config"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
)

// A new data directory gets a visibility file of its own; one whose main file predates it keeps
// its visibility in the main file, where its workflows are listed; a visibility file once made
// is used from then on.
func TestPrepareVisibility(t *testing.T) {
	dir := t.TempDir()
	main := &config.SQL{PluginName: sqliteplugin.PluginName, DatabaseName: filepath.Join(dir, "temporal.db"), ConnectAttributes: map[string]string{"mode": "rwc"}}
	vis := filepath.Join(dir, "visibility.db")

	legacy, err := prepareVisibility(main, vis, true)
	if err != nil || legacy != main {
		t.Fatalf("main file older than the visibility file: got %+v, %v; want the main store", legacy, err)
	}
	if _, err := os.Stat(vis); !os.IsNotExist(err) {
		t.Fatalf("visibility file made for a legacy data dir: %v", err)
	}

	fresh, err := prepareVisibility(main, vis, false)
	if err != nil || fresh == main || fresh.DatabaseName != vis {
		t.Fatalf("new data dir: got %+v, %v; want a store on %s", fresh, err, vis)
	}
	if _, err := os.Stat(vis); err != nil {
		t.Fatalf("visibility file not made: %v", err)
	}

	again, err := prepareVisibility(main, vis, true)
	if err != nil || again.DatabaseName != vis {
		t.Fatalf("existing visibility file: got %+v, %v; want it used", again, err)
	}
}
