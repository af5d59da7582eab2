import { useId, type InputHTMLAttributes } from 'react';

interface Props extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  /** Validation message shown under the input (and announced). */
  error?: string | null;
  hint?: string;
}

/** A labelled text input with its validation message wired up for screen readers. */
export function Field({ label, error, hint, ...input }: Props) {
  const id = useId();
  const msgId = `${id}-msg`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={error || hint ? msgId : undefined} {...input} />
      {error ? (
        <p id={msgId} className="field-error" role="alert">
          {error}
        </p>
      ) : hint ? (
        <p id={msgId} className="field-hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
