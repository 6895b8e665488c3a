import { useEffect, useState } from "react";
import { api, errorMessage } from "../api/client";
import type { Replay } from "../api/types";
import { useToast } from "./Toast";

// Follows a replay until it ends: a progress bar of sent (and failed) over total, and a way to
// cancel it while it runs.
export function ReplayProgress({ replay: started }: { replay: Replay }) {
  const [replay, setReplay] = useState(started);
  const [canceling, setCanceling] = useState(false);
  const toast = useToast();
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
  const cancel = async () => {
    setCanceling(true);
    try {
      setReplay(await api.endpoints.cancelReplay(replay.id));
    } catch (err) {
      toast(errorMessage(err), "error");
    } finally {
      setCanceling(false);
    }
  };
  const done = replay.sent + replay.failed;
  const percent = replay.total > 0 ? Math.round((100 * done) / replay.total) : replay.status === "running" ? 0 : 100;
  return (
    <div className="replay-progress" data-test-id="replay-progress" data-status={replay.status}>
      <progress max={100} value={percent} aria-label="Replay progress" />
      <span data-test-id="replay-progress-text">
        {replay.status}: {replay.sent} sent, {replay.failed} failed of {replay.total}
      </span>
      {replay.status === "running" && (
        <button type="button" className="link-button small" onClick={cancel} disabled={canceling}>
          Cancel replay
        </button>
      )}
    </div>
  );
}
