import { errorMessage } from "../api/client";

interface Props {
  error: unknown;
  onRetry?: () => void;
}

// Shows an API error's description to the person, with an optional retry.
export function ErrorNotice({ error, onRetry }: Props) {
  return (
    <div className="notice notice-error" role="alert">
      <span>{errorMessage(error)}</span>
      {onRetry && (
        <button type="button" className="link-button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
