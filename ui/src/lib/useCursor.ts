import { useSearchParams } from "react-router-dom";
import { type Cursor, cursorFromParams, withCursor } from "./cursor";

// The list cursor kept in the URL (?after= or ?before=), and a way to move it.
export function useCursor(): [Cursor, (cursor: Cursor) => void] {
  const [params, setParams] = useSearchParams();
  return [cursorFromParams(params), (cursor) => setParams((current) => withCursor(current, cursor))];
}
