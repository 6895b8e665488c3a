import type { ReactNode } from "react";
import { Brand } from "./Brand";

export function AuthLayout({
  title,
  subtitle,
  children,
  footer,
}: {
  title: string;
  subtitle: string;
  children: ReactNode;
  footer: ReactNode;
}) {
  return (
    <div className="auth-page">
      <div className="auth-column">
        <Brand />
        <div className="card auth-card">
          <h1>{title}</h1>
          <p className="muted">{subtitle}</p>
          {children}
        </div>
        <p className="auth-footer">{footer}</p>
      </div>
    </div>
  );
}
