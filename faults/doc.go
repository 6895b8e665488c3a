// Package faults is the gateway's fault suite. Each test starts its own gateway from the built
// bin/gateway (`gateway dev`, or `gateway temporal`, `migrate`, `serve` and `worker` processes
// against a PostgreSQL cluster the suite owns), injects a fault while payments flow (SIGKILL of
// a worker or of the whole gateway, PostgreSQL stopped, misbehaving webhook endpoints, hostile
// requests, request bursts) and checks in PostgreSQL, Temporal and through the API that nothing
// was lost or done twice.
//
// The tests carry the build tag "faults", so `go test ./...` leaves them out:
//
//	make test-faults   # go test -tags faults -count=1 -timeout 15m ./faults/
//
// They send traffic to 127.0.0.1 only, bound every loop in count or time, and stop every process
// they start. The figures (requests, faults, payments, lost, settled or delivered twice) are
// printed at the end and, with FAULTS_REPORT=file, written there as JSON. See
// docs/reliability.md.
package faults
