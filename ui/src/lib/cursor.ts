// Cursor pagination of the API's lists: a page is the one older than an object (starting_after)
// or the one just newer than it (ending_before); has_more tells whether more lie that way.

export interface Cursor {
  starting_after?: string;
  ending_before?: string;
}

export interface PageLinks {
  previous: Cursor | null; // newer items, or null on the newest page
  next: Cursor | null; // older items, or null on the oldest page
}

// The cursors of the pages around one that was read with cursor and holds items (newest first).
export function pageLinks(cursor: Cursor, items: { id: string | number }[], hasMore: boolean): PageLinks {
  const first = items[0];
  const last = items[items.length - 1];
  if (first === undefined || last === undefined) {
    // An empty page past either end: back to the newest page, unless already there.
    const onFirst = cursor.starting_after === undefined && cursor.ending_before === undefined;
    return { previous: onFirst ? null : {}, next: null };
  }
  const older = { starting_after: String(last.id) };
  const newer = { ending_before: String(first.id) };
  if (cursor.ending_before !== undefined) {
    // Paging towards the newest: has_more says whether newer items remain; the cursor is older.
    return { previous: hasMore ? newer : null, next: older };
  }
  return { previous: cursor.starting_after !== undefined ? newer : null, next: hasMore ? older : null };
}

// The cursor kept in a page's URL (?after= or ?before=), so a page can be reloaded or shared.
export function cursorFromParams(params: URLSearchParams): Cursor {
  const after = params.get("after");
  const before = params.get("before");
  if (after) return { starting_after: after };
  if (before) return { ending_before: before };
  return {};
}

// Writes cursor into a copy of params, replacing the one there.
export function withCursor(params: URLSearchParams, cursor: Cursor): URLSearchParams {
  const updated = new URLSearchParams(params);
  updated.delete("after");
  updated.delete("before");
  updated.delete("page");
  if (cursor.starting_after) updated.set("after", cursor.starting_after);
  if (cursor.ending_before) updated.set("before", cursor.ending_before);
  return updated;
}
