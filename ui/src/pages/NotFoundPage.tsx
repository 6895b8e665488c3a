import { Link } from "react-router-dom";
import { Brand } from "../components/Brand";

export function NotFoundPage() {
  return (
    <div className="full-page-center stack">
      <Brand />
      <h1>Page not found</h1>
      <p className="muted">The page you are looking for does not exist.</p>
      <Link to="/dashboard" className="button button-primary">
        Go to dashboard
      </Link>
    </div>
  );
}
