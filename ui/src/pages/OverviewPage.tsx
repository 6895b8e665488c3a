import { api } from "../api/client";
import { Card } from "../components/Card";
import { CredentialsCard } from "../components/CredentialsCard";
import { ErrorNotice } from "../components/ErrorNotice";
import { PageHeader } from "../components/PageHeader";
import { LoadingBlock } from "../components/Spinner";
import { StatsGrid } from "../components/StatsGrid";
import { VolumeChart } from "../components/VolumeChart";
import { useResource } from "../lib/useResource";
import { fillDays } from "../lib/volume";
import { useSession } from "../session";

export function OverviewPage() {
  const { merchant } = useSession();
  const stats = useResource("stats", (signal) => api.stats(signal), { pollMs: 3000 });

  return (
    <>
      <PageHeader title={`Welcome, ${merchant.name}`} description="Your payments at a glance. Figures update live." />
      <div className="stack-lg">
        {stats.error !== undefined && <ErrorNotice error={stats.error} onRetry={stats.reload} />}
        {stats.loading ? (
          <Card>
            <LoadingBlock label="Loading stats…" />
          </Card>
        ) : (
          stats.data && (
            <>
              <StatsGrid stats={stats.data} />
              <Card title="Volume" description="Successful payments per day, last 30 days">
                <VolumeChart days={fillDays(stats.data.volume_by_day, 30, new Date())} currency={stats.data.currency} />
              </Card>
            </>
          )
        )}
        <CredentialsCard />
      </div>
    </>
  );
}
