import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, Navigate, RouterProvider } from "react-router-dom";
import { ToastProvider } from "./components/Toast";
import { AuditLogPage } from "./pages/AuditLogPage";
import { CheckoutDemoPage } from "./pages/CheckoutDemoPage";
import { DashboardLayout } from "./pages/DashboardLayout";
import { EventsPage } from "./pages/EventsPage";
import { HostedCheckoutPage } from "./pages/HostedCheckoutPage";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { OrdersPage } from "./pages/OrdersPage";
import { OverviewPage } from "./pages/OverviewPage";
import { RefundsPage } from "./pages/RefundsPage";
import { RegisterPage } from "./pages/RegisterPage";
import { TransactionsPage } from "./pages/TransactionsPage";
import { WebhooksPage } from "./pages/WebhooksPage";
import "./styles.css";

const router = createBrowserRouter([
  { path: "/", element: <Navigate to="/dashboard" replace /> },
  { path: "/login", element: <LoginPage /> },
  { path: "/register", element: <RegisterPage /> },
  { path: "/checkout", element: <HostedCheckoutPage /> },
  {
    path: "/dashboard",
    element: <DashboardLayout />,
    children: [
      { index: true, element: <OverviewPage /> },
      { path: "transactions", element: <TransactionsPage /> },
      { path: "refunds", element: <RefundsPage /> },
      { path: "orders", element: <OrdersPage /> },
      { path: "webhooks", element: <WebhooksPage /> },
      { path: "events", element: <EventsPage /> },
      { path: "audit-log", element: <AuditLogPage /> },
      { path: "checkout", element: <CheckoutDemoPage /> },
    ],
  },
  { path: "*", element: <NotFoundPage /> },
]);

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <ToastProvider>
      <RouterProvider router={router} />
    </ToastProvider>
  </StrictMode>,
);
