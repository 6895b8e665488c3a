import type { ReactNode } from "react";

// A full-width row inside a table body for the loading, empty and error states.
export function TableMessage({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr className="table-message">
      <td colSpan={colSpan}>{children}</td>
    </tr>
  );
}
