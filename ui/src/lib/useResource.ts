import { useCallback, useEffect, useRef, useState } from "react";

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean; // true until the first answer (or after the inputs change)
  reload: () => void;
}

interface Options {
  // Refresh every pollMs while the tab is visible, and at once when it becomes visible again.
  pollMs?: number;
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

// Loads data for a component. `key` names the inputs of the request; when it
// changes, the old request is cancelled and the data reloads with a spinner.
// Polls keep the old data on screen and replace it when the answer arrives.
export function useResource<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  options: Options = {},
): Resource<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: unknown; loading: boolean }>({
    key,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  if (state.key !== key) {
    setState({ key, loading: true });
  }

  useEffect(() => {
    let controller: AbortController | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const schedule = () => {
      if (options.pollMs && !stopped && document.visibilityState === "visible") {
        timer = setTimeout(run, options.pollMs);
      }
    };

    const run = () => {
      clearTimeout(timer);
      controller?.abort();
      controller = new AbortController();
      loadRef.current(controller.signal).then(
        (data) => {
          if (stopped) return;
          setState({ key, data, loading: false });
          schedule();
        },
        (error: unknown) => {
          if (stopped || isAbort(error)) return;
          setState((prev) => ({ key, data: prev.key === key ? prev.data : undefined, error, loading: false }));
          schedule();
        },
      );
    };

    const onVisibility = () => {
      if (document.visibilityState === "visible") run();
      else clearTimeout(timer);
    };

    run();
    if (options.pollMs) document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [key, generation, options.pollMs]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
