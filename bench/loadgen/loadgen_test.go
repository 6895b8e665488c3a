package main

import (
	"os"
	"slices"
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	l := latency(ds)
	if l.P50 != 50 || l.P95 != 95 || l.P99 != 99 || l.Max != 100 || l.N != 100 {
		t.Errorf("latency = %+v", l)
	}
	if one := latency([]time.Duration{7 * time.Millisecond}); one.P50 != 7 || one.P99 != 7 {
		t.Errorf("one sample: %+v", one)
	}
	if (latency(nil) != Latency{}) {
		t.Error("no samples should give zeros")
	}
}

func TestListeningInodes(t *testing.T) {
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:4650 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:4650 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:3C8C 00000000:0000 0A 00000000:00000000 00:00000000 00000000   102        0 333 1 0000000000000000 100 0 0 10 0
`
	if got := listeningInodes(table, 18000); !slices.Equal(got, []string{"111"}) {
		t.Errorf("port 18000: %v", got)
	}
	if got := listeningInodes(table, 15500); !slices.Equal(got, []string{"333"}) {
		t.Errorf("port 15500: %v", got)
	}
}

func TestProcFiles(t *testing.T) {
	f := statFields("42 (a (weird) name) S 1 42 42 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 99")
	if f[2] != "S" || f[3] != "1" || f[13] != "7" || f[14] != "3" {
		t.Errorf("fields = %q", f)
	}
	if _, ok := procJiffies(os.Getpid()); !ok {
		t.Error("cannot read this process's CPU time")
	}
	if h := hostJiffies(); h[1] == 0 || h[0] > h[1] {
		t.Errorf("host jiffies = %v", h)
	}
}

func TestSampleIDsSpreadsEvenly(t *testing.T) {
	ids := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	if got := sampleIDs(ids, 4); !slices.Equal(got, []string{"a", "c", "e", "g"}) {
		t.Errorf("sample = %v", got)
	}
	if got := sampleIDs(ids, 10); len(got) != 8 {
		t.Errorf("sample larger than the set = %v", got)
	}
}

func TestOnlyLoopbackTargets(t *testing.T) {
	ok := options{url: "http://127.0.0.1:18000", temporal: "127.0.0.1:17233", database: "postgres://postgres@127.0.0.1:15432/gateway"}
	if err := checkLoopback(ok); err != nil {
		t.Errorf("loopback refused: %v", err)
	}
	for _, bad := range []options{
		{url: "http://10.0.0.1:8000"},
		{url: "http://127.0.0.1:8000", temporal: "temporal.example:7233"},
		{url: "http://127.0.0.1:8000", database: "postgres://db.example/gateway"},
	} {
		if checkLoopback(bad) == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}
