import type { ReactNode } from 'react';
import { navigate } from './routing';
import { Logo } from './Logo';
import { useTranslation } from './i18n';

interface Props {
  title: string;
  message: ReactNode;
  /** An extra action, e.g. "Try again". */
  action?: { label: string; onClick: () => void };
}

/** A full-page explanation of why we cannot show what was asked for, with a way out. */
export function ErrorPage({ title, message, action }: Props) {
  const { t } = useTranslation();
  return (
    <main className="center-page">
      <div className="card error-card" data-testid="error-page" role="alert">
        <Logo />
        <h1>{title}</h1>
        <p className="muted">{message}</p>
        <div className="row">
          {action && (
            <button type="button" className="btn primary" onClick={action.onClick}>
              {action.label}
            </button>
          )}
          <a
            className="btn"
            href="/"
            onClick={(e) => {
              e.preventDefault();
              navigate('/');
            }}
          >
            {t('actions.goHome')}
          </a>
        </div>
      </div>
    </main>
  );
}
