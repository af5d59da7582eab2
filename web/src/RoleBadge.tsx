import type { Role } from '@coderoom/shared/client';
import { useTranslation } from './i18n';

/** A person's role, as a small badge. Pass a testId only for the signed-in person's own badge. */
export function RoleBadge({ role, testId }: { role: Role; testId?: string }) {
  const { t } = useTranslation('room');
  return (
    <span className={`role-badge role-${role}`} data-testid={testId} data-role={role} title={role === 'viewer' ? t('roles.viewerTitle') : undefined}>
      {t(`roles.${role}`)}
    </span>
  );
}
