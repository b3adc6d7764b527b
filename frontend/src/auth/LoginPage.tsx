/** The login form of server mode: email, password, optional organisation. */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { LoginError } from "./session";
import "./auth.css";

interface Props {
  /** Log in; rejects with a LoginError (its message is shown). */
  onLogin: (email: string, password: string, organization?: string) => Promise<void>;
  /** Why the form is shown, e.g. after a session ended. */
  notice?: string;
}

export function LoginPage({ onLogin, notice }: Props) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [organization, setOrganization] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const emailInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    emailInput.current?.focus();
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!email.trim() || !password) {
      setError("Enter your email address and password.");
      (email.trim() ? passwordInput : emailInput).current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onLogin(email.trim(), password, organization.trim() || undefined);
    } catch (err) {
      const status = err instanceof LoginError ? err.status : 0;
      setError(err instanceof Error ? err.message : String(err));
      if (status === 401) {
        // the usual mistake is the password: keep the email, retype the password
        setPassword("");
        passwordInput.current?.focus();
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-screen">
      <main id="main" className="login-card" aria-labelledby="login-title">
        <h1 id="login-title" className="login-brand">
          <span className="logo" aria-hidden="true" />
          MatDiscover
        </h1>
        <p className="muted">Log in to your organisation&apos;s workspace.</p>
        {notice && (
          <p className="login-notice" role="status">
            {notice}
          </p>
        )}
        <form onSubmit={(e) => void submit(e)} noValidate aria-describedby={error ? "login-error" : undefined}>
          <label htmlFor="login-email">Email</label>
          <input
            ref={emailInput}
            id="login-email"
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={error !== null || undefined}
          />
          <label htmlFor="login-password">Password</label>
          <input
            ref={passwordInput}
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={error !== null || undefined}
          />
          <details className="login-more">
            <summary>Organisation</summary>
            <label htmlFor="login-organization">Organisation (optional)</label>
            <input
              id="login-organization"
              name="organization"
              type="text"
              autoComplete="organization"
              value={organization}
              onChange={(e) => setOrganization(e.target.value)}
              aria-describedby="login-organization-help"
            />
            <span id="login-organization-help" className="muted small">
              Its short name (slug) or id, if your account belongs to several; default: your first.
            </span>
          </details>
          {error && (
            <div id="login-error" className="error-box" role="alert" data-testid="login-error">
              {error}
            </div>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Logging in…" : "Log in"}
          </button>
        </form>
      </main>
    </div>
  );
}
