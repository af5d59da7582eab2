import { useEffect, useState, type FormEvent } from 'react';
import { RoomKindSchema, RoomNameSchema, type JoinResponse, type RoomKind, type User, type WorkspaceRole } from '@coderoom/shared/client';
import { z } from 'zod';
import { ConfirmDialog } from '../ConfirmDialog';
import { Field } from '../Field';
import { useTranslation } from '../i18n';
import { navigate, roomPath } from '../routing';
import { saveSession, sessionFromJoin } from '../session';
import { createWorkspace, createWorkspaceRoom, enterRoom, getWorkspace, listWorkspaces, removeMember, setMember } from './accessApi';
import { AuditView } from './AuditView';
import { InviteDialog, InviteList } from './InviteDialog';
import { workspacePath } from './routes';
import { AccessShell, CheckField, errorText, Link, SelectField, FormError, FormFooter } from './ui';

type WorkspaceDetail = Awaited<ReturnType<typeof getWorkspace>>;
type WorkspaceList = Awaited<ReturnType<typeof listWorkspaces>>;

/** Opens a room with the answer of a create or enter call. */
function openRoom(res: JoinResponse, displayName: string): void {
  saveSession(sessionFromJoin(res, displayName));
  navigate(roomPath(res.room.id));
}

/** `/workspaces`: the workspaces I belong to, and a new one. */
export function WorkspacesPage({ user }: { user: User }) {
  const { t } = useTranslation('access');
  const [list, setList] = useState<WorkspaceList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    listWorkspaces().then(setList, (err: unknown) => setError(errorText(t, err)));
  }, [t]);
  async function create(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return setError(t('dashboard.nameRequired'));
    setBusy(true);
    try {
      const res = await createWorkspace(name.trim());
      navigate(workspacePath(res.workspace.id));
    } catch (err) {
      setError(errorText(t, err));
      setBusy(false);
    }
  }
  return (
    <AccessShell user={user} title={t('dashboard.title')}>
      <section className="card access-section" aria-labelledby="ws-list" data-testid="workspace-list">
        <h2 id="ws-list">{t('dashboard.yourWorkspaces')}</h2>
        {list === null && !error && <p className="muted">{t('common.loading')}</p>}
        {list?.length === 0 && <p className="muted">{t('dashboard.noWorkspaces')}</p>}
        {list && list.length > 0 && (
          <ul className="access-list">
            {list.map((w) => (
              <li key={w.id} className="access-item">
                <Link to={workspacePath(w.id)} className="grow" testId="workspace-link">
                  {w.name}
                </Link>
                <span className="pill access-pill">{t(`workspaceRoles.${w.role}`)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <form className="card access-section" onSubmit={(e) => void create(e)} noValidate aria-labelledby="ws-new">
        <h2 id="ws-new">{t('dashboard.newWorkspace')}</h2>
        <Field label={t('dashboard.workspaceName')} value={name} onChange={(e) => setName(e.target.value)} data-testid="workspace-name-input" />
        <FormFooter error={error} busy={busy} label={t('dashboard.createWorkspace')} testId="workspace-create" />
      </form>
    </AccessShell>
  );
}

/** `/workspaces/<id>`: rooms, members, invites and (owners) the audit log. */
export function WorkspacePage({ user, workspaceId }: { user: User; workspaceId: string }) {
  const { t } = useTranslation('access');
  const [ws, setWs] = useState<WorkspaceDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  const reload = () => setN((x) => x + 1);
  useEffect(() => {
    getWorkspace(workspaceId).then(setWs, (err: unknown) => setError(errorText(t, err)));
  }, [workspaceId, n, t]);
  if (!ws)
    return (
      <AccessShell user={user} title={t('dashboard.workspace')}>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : (
          <p className="muted">{t('common.loading')}</p>
        )}
      </AccessShell>
    );
  const owner = ws.role === 'owner';
  return (
    <AccessShell user={user} title={ws.workspace.name}>
      <Rooms ws={ws} user={user} onChange={reload} />
      <Members ws={ws} user={user} onChange={reload} />
      {owner && (
        <section className="card access-section" aria-labelledby="ws-audit">
          <h2 id="ws-audit">{t('audit.titleWorkspace')}</h2>
          <AuditView scope={{ kind: 'workspace', workspaceId }} />
        </section>
      )}
    </AccessShell>
  );
}

function Rooms({ ws, user, onChange }: { ws: WorkspaceDetail; user: User; onChange: () => void }) {
  const { t } = useTranslation('access');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<RoomKind>('review');
  const [approval, setApproval] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [inviteFor, setInviteFor] = useState<{ id: string; kind: RoomKind } | null>(null);
  const [invitesOf, setInvitesOf] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);

  async function create(e: FormEvent) {
    e.preventDefault();
    if (!RoomNameSchema.safeParse(name).success) return setError(t('dashboard.roomNameInvalid'));
    setBusy(true);
    setError(null);
    try {
      openRoom(await createWorkspaceRoom(ws.workspace.id, { name: name.trim(), kind, requireApproval: approval }), user.displayName);
    } catch (err) {
      setError(errorText(t, err));
      setBusy(false);
      onChange();
    }
  }
  async function enter(roomId: string) {
    try {
      openRoom(await enterRoom(roomId), user.displayName);
    } catch (err) {
      setError(errorText(t, err));
    }
  }
  return (
    <section className="card access-section" aria-labelledby="ws-rooms" data-testid="room-list">
      <h2 id="ws-rooms">{t('dashboard.rooms')}</h2>
      {ws.rooms.length === 0 && <p className="muted">{t('dashboard.noRooms')}</p>}
      <ul className="access-list">
        {ws.rooms.map((r) => (
          <li key={r.id} className="access-item wrap" data-testid="room-item">
            <div className="grow">
              <div className="ellipsis">{r.name}</div>
              <div className="muted small">
                {t(`kinds.${r.access.kind}`)}
                {r.access.requireApproval && ` · ${t('dashboard.approval')}`}
              </div>
            </div>
            <div className="row">
              <button type="button" className="btn tiny primary" onClick={() => void enter(r.id)} data-testid="room-open">
                {t('dashboard.open')}
              </button>
              {ws.role === 'owner' && (
                <>
                  <button type="button" className="btn tiny" onClick={() => setInviteFor({ id: r.id, kind: r.access.kind })} data-testid="room-invite">
                    {t('invite.open')}
                  </button>
                  <button type="button" className="btn tiny" aria-expanded={invitesOf === r.id} onClick={() => setInvitesOf((c) => (c === r.id ? null : r.id))}>
                    {t('invite.list')}
                  </button>
                </>
              )}
            </div>
            {invitesOf === r.id && (
              <div className="access-sub">
                <InviteList roomId={r.id} refresh={refresh} />
              </div>
            )}
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void create(e)} noValidate className="access-stack access-form" aria-labelledby="room-new">
        <h3 id="room-new">{t('dashboard.newRoom')}</h3>
        <Field label={t('dashboard.roomName')} value={name} onChange={(e) => setName(e.target.value)} data-testid="ws-room-name" />
        <SelectField label={t('dashboard.kind')} value={kind} onChange={(e) => setKind(RoomKindSchema.parse(e.target.value))} data-testid="ws-room-kind">
          {RoomKindSchema.options.map((k) => (
            <option key={k} value={k}>
              {t(`kinds.${k}`)} — {t(`kindHints.${k}`)}
            </option>
          ))}
        </SelectField>
        <CheckField label={t('dashboard.requireApproval')} hint={t('dashboard.requireApprovalHint')} checked={approval} onChange={setApproval} testId="ws-room-approval" />
        <FormFooter error={error} busy={busy} label={t('dashboard.createRoom')} testId="ws-room-create" />
      </form>
      {inviteFor && (
        <InviteDialog
          roomId={inviteFor.id}
          kind={inviteFor.kind}
          onClose={() => {
            setInviteFor(null);
            setRefresh((x) => x + 1);
          }}
        />
      )}
    </section>
  );
}

const WorkspaceRole = z.enum(['owner', 'member']);

function Members({ ws, user, onChange }: { ws: WorkspaceDetail; user: User; onChange: () => void }) {
  const { t } = useTranslation('access');
  const owner = ws.role === 'owner';
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<WorkspaceRole>('member');
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<{ userId: string; name: string } | null>(null);

  const run = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      onChange();
      return true;
    } catch (err) {
      setError(errorText(t, err));
      return false;
    }
  };
  async function add(e: FormEvent) {
    e.preventDefault();
    if (!email.trim()) return setError(t('auth.emailInvalid'));
    if (await run(() => setMember(ws.workspace.id, email.trim(), role))) setEmail('');
  }
  return (
    <section className="card access-section" aria-labelledby="ws-members" data-testid="member-list">
      <h2 id="ws-members">{t('dashboard.members')}</h2>
      <ul className="access-list">
        {ws.members.map((m) => (
          <li key={m.userId} className="access-item" data-testid="member-item">
            <div className="grow">
              <div className="ellipsis">
                {m.displayName} {m.userId === user.id && <span className="muted">({t('common.you')})</span>}
              </div>
              <div className="muted small ellipsis">{m.email}</div>
            </div>
            {owner && m.userId !== user.id ? (
              <>
                <select
                  className="access-select"
                  aria-label={t('dashboard.roleOf', { name: m.displayName })}
                  value={m.role}
                  onChange={(e) => {
                    const next = WorkspaceRole.parse(e.target.value); // read now, before React restores the controlled value
                    void run(() => setMember(ws.workspace.id, m.email, next));
                  }}
                >
                  <option value="owner">{t('workspaceRoles.owner')}</option>
                  <option value="member">{t('workspaceRoles.member')}</option>
                </select>
                <button type="button" className="btn tiny" onClick={() => setRemoving({ userId: m.userId, name: m.displayName })}>
                  {t('common.remove')}
                </button>
              </>
            ) : (
              <span className="pill access-pill">{t(`workspaceRoles.${m.role}`)}</span>
            )}
          </li>
        ))}
      </ul>
      {owner && (
        <form onSubmit={(e) => void add(e)} noValidate className="row access-form">
          <div className="grow">
            <Field label={t('dashboard.addByEmail')} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <SelectField label={t('dashboard.role')} value={role} onChange={(e) => setRole(WorkspaceRole.parse(e.target.value))}>
            <option value="member">{t('workspaceRoles.member')}</option>
            <option value="owner">{t('workspaceRoles.owner')}</option>
          </SelectField>
          <button type="submit" className="btn primary align-end">
            {t('dashboard.add')}
          </button>
        </form>
      )}
      <FormError message={error} />
      {removing && (
        <ConfirmDialog
          title={t('dashboard.removeMemberTitle', { name: removing.name })}
          confirmLabel={t('common.remove')}
          onCancel={() => setRemoving(null)}
          onConfirm={() => {
            const r = removing;
            setRemoving(null);
            void run(() => removeMember(ws.workspace.id, r.userId));
          }}
        >
          {t('dashboard.removeMemberBody')}
        </ConfirmDialog>
      )}
    </section>
  );
}
