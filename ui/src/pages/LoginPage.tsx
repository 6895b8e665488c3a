import { useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router-dom";
import { api } from "../api/client";
import { AuthLayout } from "../components/AuthLayout";
import { ErrorNotice } from "../components/ErrorNotice";
import { Field } from "../components/Field";
import { Spinner } from "../components/Spinner";

export function LoginPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? "/dashboard";
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.auth.login({ email: email.trim(), password });
      navigate(from.startsWith("/dashboard") ? from : "/dashboard", { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title="Sign in"
      subtitle="Welcome back. Sign in to your merchant dashboard."
      footer={
        <>
          New to PayGate? <Link to="/register">Create an account</Link>
        </>
      }
    >
      <form className="stack" onSubmit={submit} data-test-id="login-form">
        {error !== undefined && <ErrorNotice error={error} />}
        <Field label="Email" htmlFor="email">
          <input
            id="email"
            className="input"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            data-test-id="email-input"
          />
        </Field>
        <Field label="Password" htmlFor="password">
          <input
            id="password"
            className="input"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-test-id="password-input"
          />
        </Field>
        <button
          type="submit"
          className="button button-primary button-block"
          disabled={busy}
          data-test-id="login-button"
        >
          {busy && <Spinner label="Signing in" />}
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </AuthLayout>
  );
}
