import type { Cursor, PageLinks } from "../lib/cursor";

interface Props {
  shown: number; // items on this page
  total?: number; // every matching item, when the list counts them
  links: PageLinks;
  onPage: (cursor: Cursor) => void;
}

// Previous (newer) and Next (older) pages of a list read by cursor.
export function Pagination({ shown, total, links, onPage }: Props) {
  const { previous, next } = links;
  if (total === 0 || (total === undefined && shown === 0 && previous === null)) return null;
  return (
    <nav className="pagination" aria-label="Pagination">
      <span className="muted">{total === undefined ? `${shown} shown` : `${shown} of ${total}`}</span>
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
