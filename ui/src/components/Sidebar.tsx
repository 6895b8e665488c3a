import { NavLink } from "react-router-dom";
import type { Merchant } from "../api/types";
import { Brand } from "./Brand";

const LINKS = [
  { to: "/dashboard", label: "Overview", end: true, icon: "M3 12h4l3-8 4 16 3-8h4" },
  { to: "/dashboard/transactions", label: "Transactions", icon: "M4 7h16M4 12h16M4 17h10" },
  { to: "/dashboard/refunds", label: "Refunds", icon: "M9 14 4 9l5-5M4 9h11a5 5 0 0 1 0 10h-4" },
  { to: "/dashboard/orders", label: "Orders", icon: "M6 3h12l2 4v14H4V7zM4 7h16M9 11h6" },
  {
    to: "/dashboard/webhooks",
    label: "Webhooks",
    icon: "M10 13a5 5 0 0 0 7 0l3-3a5 5 0 0 0-7-7l-1 1M14 11a5 5 0 0 0-7 0l-3 3a5 5 0 0 0 7 7l1-1",
  },
  { to: "/dashboard/events", label: "Events", icon: "M12 3v4M12 17v4M3 12h4M17 12h4M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z" },
  { to: "/dashboard/audit-log", label: "Audit log", icon: "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6zM9 12l2 2 4-4" },
  { to: "/dashboard/checkout", label: "Checkout", icon: "M3 6h18v12H3zM3 10h18M7 15h3" },
];

interface Props {
  merchant: Merchant;
  onLogout: () => void;
  loggingOut: boolean;
}

export function Sidebar({ merchant, onLogout, loggingOut }: Props) {
  return (
    <aside className="sidebar">
      <div className="sidebar-brand">
        <Brand />
        {merchant.apiKey.startsWith("key_test_") && <span className="pill">Test mode</span>}
      </div>
      <nav className="sidebar-nav" aria-label="Dashboard">
        {LINKS.map((link) => (
          <NavLink key={link.to} to={link.to} end={link.end} className="nav-link">
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
              <path
                d={link.icon}
                fill="none"
                stroke="currentColor"
                strokeWidth="1.8"
                strokeLinecap="round"
                strokeLinejoin="round"
              />
            </svg>
            {link.label}
          </NavLink>
        ))}
      </nav>
      <div className="sidebar-footer">
        <div className="merchant">
          <span className="avatar" aria-hidden="true">
            {merchant.name.slice(0, 1).toUpperCase()}
          </span>
          <div className="merchant-text">
            <strong>{merchant.name}</strong>
            <span>{merchant.email}</span>
          </div>
        </div>
        <button type="button" className="button button-secondary button-block" onClick={onLogout} disabled={loggingOut}>
          {loggingOut ? "Signing out…" : "Log out"}
        </button>
      </div>
    </aside>
  );
}
