import { useState, type ChangeEvent, type FormEvent } from "react";
import { Link, useNavigate } from "react-router-dom";
import { api } from "../api/client";
import type { Credentials } from "../api/types";
import { AuthLayout } from "../components/AuthLayout";
import { CopyButton } from "../components/CopyButton";
import { ErrorNotice } from "../components/ErrorNotice";
import { Field } from "../components/Field";
import { SecretReveal } from "../components/SecretReveal";
import { Spinner } from "../components/Spinner";

const EMPTY = { name: "", email: "", password: "", confirmPassword: "" };

export function RegisterPage() {
  const navigate = useNavigate();
  const [form, setForm] = useState(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<Credentials>();
  const mismatch = form.confirmPassword !== "" && form.password !== form.confirmPassword;

  const update = (name: keyof typeof EMPTY) => (e: ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({ ...f, [name]: e.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(undefined);
    try {
      const { merchant } = await api.auth.register({ ...form, name: form.name.trim(), email: form.email.trim() });
      setCreated({ apiKey: merchant.apiKey, apiSecret: merchant.apiSecret });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <AuthLayout title="Your account is ready" subtitle="These are your API credentials." footer={null}>
        <div className="stack">
          <div>
            <div className="field-label">API key</div>
            <div className="secret-row">
              <code className="mono secret-value">{created.apiKey}</code>
              <CopyButton value={created.apiKey} />
            </div>
          </div>
          <SecretReveal label="API secret" secret={created.apiSecret} />
          <button type="button" className="button button-primary button-block" onClick={() => navigate("/login")}>
            I've saved my secret — continue to sign in
          </button>
        </div>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Create your account"
      subtitle="Start accepting UPI and card payments in minutes."
      footer={
        <>
          Already have an account? <Link to="/login">Sign in</Link>
        </>
      }
    >
      <form className="stack" onSubmit={submit}>
        {error !== undefined && <ErrorNotice error={error} />}
        <Field label="Business name" htmlFor="name">
          <input
            id="name"
            className="input"
            required
            autoComplete="organization"
            value={form.name}
            onChange={update("name")}
          />
        </Field>
        <Field label="Email" htmlFor="email">
          <input
            id="email"
            className="input"
            type="email"
            required
            autoComplete="email"
            value={form.email}
            onChange={update("email")}
          />
        </Field>
        <Field label="Password" htmlFor="password">
          <input
            id="password"
            className="input"
            type="password"
            required
            autoComplete="new-password"
            value={form.password}
            onChange={update("password")}
          />
        </Field>
        <Field
          label="Confirm password"
          htmlFor="confirm-password"
          error={mismatch ? "The passwords do not match" : undefined}
        >
          <input
            id="confirm-password"
            className="input"
            type="password"
            required
            autoComplete="new-password"
            value={form.confirmPassword}
            onChange={update("confirmPassword")}
            aria-invalid={mismatch}
          />
        </Field>
        <button type="submit" className="button button-primary button-block" disabled={busy || mismatch}>
          {busy && <Spinner label="Creating account" />}
          {busy ? "Creating account…" : "Create account"}
        </button>
      </form>
    </AuthLayout>
  );
}
