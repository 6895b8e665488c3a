// The chevron that opens and closes a table row's details; what names them for screen readers.
export function ExpandButton({ open, what, onToggle }: { open: boolean; what: string; onToggle: () => void }) {
  return (
    <button
      type="button"
      className="icon-button chevron"
      aria-expanded={open}
      aria-label={`${open ? "Hide" : "Show"} ${what}`}
      onClick={onToggle}
    >
      ›
    </button>
  );
}
