import type { Cursor, PageLinks } from "../lib/cursor";

interface Props {
  shown: number; // items on this page
  total: number;
  links: PageLinks;
  onPage: (cursor: Cursor) => void;
}

// Previous (newer) and Next (older) pages of a list read by cursor.
export function Pagination({ shown, total, links, onPage }: Props) {
  if (total === 0) return null;
  const { previous, next } = links;
  return (
    <nav className="pagination" aria-label="Pagination">
      <span className="muted">
        {shown} of {total}
      </span>
      <div className="pagination-buttons">
        <button
          type="button"
          className="button button-secondary button-small"
          disabled={previous === null}
          onClick={() => previous && onPage(previous)}
        >
          Previous
        </button>
        <button
          type="button"
          className="button button-secondary button-small"
          disabled={next === null}
          onClick={() => next && onPage(next)}
        >
          Next
        </button>
      </div>
    </nav>
  );
}
