import { api } from "../api/client";
import { Card } from "../components/Card";
import { ErrorNotice } from "../components/ErrorNotice";
import { PageHeader } from "../components/PageHeader";
import { Pagination } from "../components/Pagination";
import { LoadingBlock } from "../components/Spinner";
import { TableMessage } from "../components/TableMessage";
import { auditActionLabel, auditActor, auditDetails, truncate } from "../lib/audit";
import { formatDateTime } from "../lib/dates";
import { pageLinks } from "../lib/cursor";
import { useCursor } from "../lib/useCursor";
import { useResource } from "../lib/useResource";

const PAGE_SIZE = 20;
const COLUMNS = 6;
const DETAILS_LENGTH = 60;

export function AuditLogPage() {
  const [cursor, setCursor] = useCursor();
  const entries = useResource(
    `audit-log:${JSON.stringify(cursor)}`,
    (signal) => api.auditLog.list({ limit: PAGE_SIZE, ...cursor }, signal),
    { pollMs: 3000 },
  );

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Sign-ins, secret and webhook changes, refunds and manual webhook retries on your account. Updates live."
      />
      <Card>
        <div className="table-wrap">
          <table className="table" data-test-id="audit-log-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Action</th>
                <th>Actor</th>
                <th>Target</th>
                <th>Source address</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.error !== undefined && (
                <TableMessage colSpan={COLUMNS}>
                  <ErrorNotice error={entries.error} onRetry={entries.reload} />
                </TableMessage>
              )}
              {entries.loading && (
                <TableMessage colSpan={COLUMNS}>
                  <LoadingBlock label="Loading the audit log…" />
                </TableMessage>
              )}
              {entries.data?.items.length === 0 && (
                <TableMessage colSpan={COLUMNS}>
                  <p className="empty">Nothing recorded yet. Sign-ins and changes to your account will appear here.</p>
                </TableMessage>
              )}
              {entries.data?.items.map((entry) => {
                const actor = auditActor(entry.actor);
                const details = auditDetails(entry.details);
                return (
                  <tr key={entry.id} data-test-id="audit-log-row" data-entry-id={entry.id} data-action={entry.action}>
                    <td className="muted nowrap">{formatDateTime(entry.created_at)}</td>
                    <td className={entry.action === "login_failed" ? "strong nowrap text-danger" : "strong nowrap"}>
                      {auditActionLabel(entry.action)}
                    </td>
                    <td>
                      {actor.who}
                      {actor.via && <div className="muted small">{actor.via}</div>}
                    </td>
                    <td className="mono">{entry.target ?? "—"}</td>
                    <td className="mono">{entry.source_address}</td>
                    <td className="mono muted small audit-details" title={details || undefined}>
                      {details ? truncate(details, DETAILS_LENGTH) : "—"}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <Pagination
          shown={entries.data?.items.length ?? 0}
          total={entries.data?.total ?? 0}
          links={pageLinks(cursor, entries.data?.items ?? [], entries.data?.hasMore ?? false)}
          onPage={setCursor}
        />
      </Card>
    </>
  );
}
