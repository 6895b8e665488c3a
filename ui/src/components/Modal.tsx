import { useEffect, useId, useRef, type ReactNode } from "react";

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  variant?: "dialog" | "drawer";
  testId?: string;
}

// A native modal <dialog>: it traps focus, makes the page behind it inert and
// closes on Escape. As a "drawer" it slides in from the right edge.
export function Modal({ title, onClose, children, footer, variant = "dialog", testId }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    dialog?.showModal();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={ref}
      className={variant}
      aria-labelledby={titleId}
      data-test-id={testId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose(); // a click on the backdrop
      }}
    >
      <div className={`${variant}-panel`}>
        <header className={`${variant}-header`}>
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        <div className={`${variant}-body`}>{children}</div>
        {footer && <footer className={`${variant}-footer`}>{footer}</footer>}
      </div>
    </dialog>
  );
}
