import { useSearchParams } from "react-router-dom";

// The 0-based page number kept in the URL's ?page= parameter.
export function usePage(): [number, (page: number) => void] {
  const [params, setParams] = useSearchParams();
  const page = Math.max(0, Number(params.get("page") ?? 0) || 0);
  const setPage = (next: number) =>
    setParams((current) => {
      const updated = new URLSearchParams(current);
      if (next > 0) updated.set("page", String(next));
      else updated.delete("page");
      return updated;
    });
  return [page, setPage];
}
