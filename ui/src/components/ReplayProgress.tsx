import { useEffect, useState } from "react";
import { api } from "../api/client";
import type { Replay } from "../api/types";

// Follows a replay until it ends: a progress bar of sent (and failed) over total.
export function ReplayProgress({ replay: started }: { replay: Replay }) {
  const [replay, setReplay] = useState(started);
  useEffect(() => {
    if (replay.status !== "running") return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.endpoints.getReplay(replay.id, controller.signal).then(setReplay, () => undefined);
    }, 700);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [replay]);
  const done = replay.sent + replay.failed;
  const percent = replay.total > 0 ? Math.round((100 * done) / replay.total) : replay.status === "running" ? 0 : 100;
  return (
    <div className="replay-progress" data-test-id="replay-progress" data-status={replay.status}>
      <progress max={100} value={percent} aria-label="Replay progress" />
      <span data-test-id="replay-progress-text">
        {replay.status}: {replay.sent} sent, {replay.failed} failed of {replay.total}
      </span>
    </div>
  );
}
