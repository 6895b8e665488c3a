import { useEffect, useMemo, useState } from "react";
import { Outlet, useLocation, useNavigate } from "react-router-dom";
import { api, ApiError, errorMessage, onUnauthorized } from "../api/client";
import type { Merchant } from "../api/types";
import { DisabledEndpointsBanner } from "../components/DisabledEndpointsBanner";
import { ErrorNotice } from "../components/ErrorNotice";
import { Sidebar } from "../components/Sidebar";
import { LoadingBlock } from "../components/Spinner";
import { useToast } from "../components/Toast";
import { useResource } from "../lib/useResource";
import { SessionContext } from "../session";

// Everything under /dashboard: checks the session, then shows the sidebar, the banner about
// endpoints disabled for failing, and the page.
export function DashboardLayout() {
  const navigate = useNavigate();
  const location = useLocation();
  const toast = useToast();
  const me = useResource("session", (signal) => api.auth.session(signal));
  const [merchant, setMerchant] = useState<Merchant>();
  const [loggingOut, setLoggingOut] = useState(false);
  const from = location.pathname + location.search;

  // Signed out when the dashboard opens, or any 401 while it is shown: the session is gone.
  const signedOut = me.data !== undefined && me.data.merchant === null;
  useEffect(() => {
    if (signedOut) navigate("/login", { replace: true, state: { from } });
  }, [signedOut, navigate, from]);
  useEffect(() => onUnauthorized(() => navigate("/login", { replace: true, state: { from } })), [navigate, from]);

  const current = merchant ?? me.data?.merchant ?? undefined;
  const session = useMemo(() => (current ? { merchant: current, setMerchant } : null), [current]);

  const logout = async () => {
    setLoggingOut(true);
    try {
      await api.auth.logout();
      navigate("/login", { replace: true });
    } catch (error) {
      setLoggingOut(false);
      toast(errorMessage(error), "error");
    }
  };

  if (!session) {
    const unauthorized = me.error instanceof ApiError && me.error.status === 401;
    return (
      <div className="full-page-center">
        {me.error !== undefined && !unauthorized ? (
          <ErrorNotice error={me.error} onRetry={me.reload} />
        ) : (
          <LoadingBlock />
        )}
      </div>
    );
  }

  return (
    <SessionContext.Provider value={session}>
      <div className="app-shell">
        <Sidebar merchant={session.merchant} onLogout={logout} loggingOut={loggingOut} />
        <main className="content">
          <DisabledEndpointsBanner />
          <Outlet />
        </main>
      </div>
    </SessionContext.Provider>
  );
}
