import type { Role } from '@coderoom/shared/client';

const LABELS: Record<Role, string> = { host: 'Host', editor: 'Editor', viewer: 'Viewer' };

/** A person's role, as a small badge. Pass a testId only for the signed-in person's own badge. */
export function RoleBadge({ role, testId }: { role: Role; testId?: string }) {
  return (
    <span className={`role-badge role-${role}`} data-testid={testId} data-role={role} title={role === 'viewer' ? 'Can watch and follow, not edit' : undefined}>
      {LABELS[role]}
    </span>
  );
}
