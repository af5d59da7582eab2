import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { canEdit, RoleSchema, type LobbyEntry, type Participant, type Role, type RoomKind } from '@coderoom/shared/client';
import { ConfirmDialog } from '../ConfirmDialog';
import { Icon } from '../Icon';
import { useTranslation } from '../i18n';
import type { TokenKeeper } from '../TokenKeeper';
import { useStore } from '../useStore';
import { changeRole, decideLobby, listLobby, listParticipants, removeParticipant } from './accessApi';
import { AuditView } from './AuditView';
import { InviteDialog } from './InviteDialog';
import { useRoomAccess } from './useRoomAccess';
import { errorText, MessagePage, Modal, FormError } from './ui';

/** How often a host's page checks the lobby, in ms. */
const LOBBY_POLL_MS = 3000;
/** How long the role-change notice stays, in ms. */
const NOTICE_MS = 8000;

/**
 * The room header's access controls (issue 5): the people panel (participants; for hosts the
 * lobby queue with a count badge, role changes, removal, invites and the room's audit log) and
 * the notice shown when a host changes our role.
 */
export function RoomAccessControls({ keeper, linkInvite }: { keeper: TokenKeeper; linkInvite: ReactNode }) {
  const { t } = useTranslation('access');
  const session = useStore(keeper.session);
  const host = session.role === 'host';
  const roomId = session.roomId;
  const [open, setOpen] = useState(false);
  const [waiting, setWaiting] = useState<LobbyEntry[]>([]);
  const access = useRoomAccess(roomId);

  // Hosts watch the lobby (the badge), whether or not the panel is open.
  useEffect(() => {
    if (!host) return;
    let live = true;
    const tick = async () => {
      try {
        const list = await listLobby(roomId, await keeper.token());
        if (live) setWaiting(list);
      } catch {
        // the next tick tries again; the panel shows errors
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), LOBBY_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [host, roomId, keeper]);

  return (
    <>
      <button
        type="button"
        className="btn ghost people-btn"
        onClick={() => setOpen(true)}
        data-testid="people-open"
        aria-label={host && waiting.length > 0 ? t('room.peopleWaiting', { count: waiting.length }) : t('room.people')}
        title={t('room.people')}
      >
        <Icon name="people" />
        <span className="btn-label">{t('room.people')}</span>
        {host && waiting.length > 0 && (
          <span className="count-badge" data-testid="lobby-count">
            {waiting.length}
          </span>
        )}
      </button>
      <span className="visually-hidden" role="status">
        {host && waiting.length > 0 ? t('room.peopleWaiting', { count: waiting.length }) : ''}
      </span>
      {/* A room of a workspace is entered by invite, so its address is no invite link. */}
      {access?.joinByLink !== false && linkInvite}
      {open && <PeoplePanel keeper={keeper} host={host} kind={access?.kind ?? 'review'} waiting={waiting} onWaiting={setWaiting} onClose={() => setOpen(false)} />}
      <RoleNotice role={session.role} />
    </>
  );
}

/** A short notice when our role changes while we are in the room. */
function RoleNotice({ role }: { role: Role }) {
  const { t } = useTranslation('access');
  const prev = useRef(role);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (prev.current === role) return;
    prev.current = role;
    setNotice(t(canEdit(role) ? 'room.nowEditable' : 'room.nowReadOnly', { role: t(`roles.${role}`) }));
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [role, t]);
  if (!notice) return null;
  return (
    <div className="access-toast" role="status" data-testid="role-notice">
      {notice}
      <button type="button" className="btn ghost tiny" onClick={() => setNotice(null)} aria-label={t('common.close')}>
        <Icon name="close" />
      </button>
    </div>
  );
}

interface PanelProps {
  keeper: TokenKeeper;
  host: boolean;
  kind: RoomKind;
  waiting: LobbyEntry[];
  onWaiting: (w: LobbyEntry[]) => void;
  onClose: () => void;
}

function PeoplePanel({ keeper, host, kind, waiting, onWaiting, onClose }: PanelProps) {
  const { t } = useTranslation('access');
  const session = useStore(keeper.session);
  const roomId = session.roomId;
  const [people, setPeople] = useState<Participant[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Participant | null>(null);
  const [dialog, setDialog] = useState<'invite' | 'audit' | null>(null);

  const load = useCallback(async () => {
    try {
      const token = await keeper.token();
      setPeople(await listParticipants(roomId, token));
    } catch (err) {
      setError(errorText(t, err));
    }
  }, [keeper, roomId, t]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), LOBBY_POLL_MS);
    return () => clearInterval(timer);
  }, [load]);

  const act = async (f: (token: string) => Promise<unknown>) => {
    setError(null);
    try {
      await f(await keeper.token());
      await load();
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  const decide = (e: LobbyEntry, d: 'admit' | 'refuse') =>
    act(async (token) => {
      onWaiting(await decideLobby(roomId, e.id, d, token));
    });

  const current = (people ?? []).filter((p) => p.removedAt === null);
  const removed = (people ?? []).filter((p) => p.removedAt !== null);

  if (dialog === 'invite') return <InviteDialog roomId={roomId} kind={kind} token={keeper.token} onClose={() => setDialog(null)} />;
  if (dialog === 'audit')
    return (
      <Modal title={t('audit.titleRoom')} onClose={() => setDialog(null)} wide testId="room-audit">
        <AuditView scope={{ kind: 'room', roomId, token: keeper.token }} />
      </Modal>
    );
  return (
    <Modal title={t('room.people')} onClose={onClose} testId="people-panel">
      {host && (
        <section aria-labelledby="lobby-title" className="access-stack" data-testid="lobby-queue">
          <h3 id="lobby-title">
            {t('room.lobby')} <span className="count-badge static">{waiting.length}</span>
          </h3>
          {waiting.length === 0 ? (
            <p className="muted small">{t('room.lobbyEmpty')}</p>
          ) : (
            <ul className="access-list">
              {waiting.map((e) => (
                <li key={e.id} className="access-item" data-testid="lobby-entry">
                  <div className="grow">
                    <div className="ellipsis">{e.name}</div>
                    <div className="muted small">{t('room.asRole', { role: t(`roles.${e.role}`) })}</div>
                  </div>
                  <button type="button" className="btn tiny primary" onClick={() => void decide(e, 'admit')} data-testid="lobby-admit">
                    {t('room.admit')}
                  </button>
                  <button type="button" className="btn tiny" onClick={() => void decide(e, 'refuse')} data-testid="lobby-refuse">
                    {t('room.refuse')}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <section aria-labelledby="participants-title" className="access-stack" data-testid="participants-panel">
        <h3 id="participants-title">{t('room.participants')}</h3>
        {people === null && !error && <p className="muted small">{t('common.loading')}</p>}
        {people !== null && current.length === 0 && <p className="muted small">{t('room.nobody')}</p>}
        <ul className="access-list">
          {current.map((p) => {
            const self = p.sub === session.sub;
            return (
              <li key={p.sub} className="access-item" data-testid="participant" data-sub={p.sub}>
                <div className="grow ellipsis">
                  {p.name} {self && <span className="muted">({t('common.you')})</span>}
                </div>
                {host && !self ? (
                  <>
                    <select
                      className="access-select"
                      aria-label={t('room.roleOf', { name: p.name })}
                      value={p.role}
                      onChange={(e) => {
                        // read now: React puts the controlled value back before the call runs
                        const role = RoleSchema.parse(e.target.value);
                        void act((token) => changeRole(roomId, p.sub, role, token));
                      }}
                      data-testid="participant-role"
                    >
                      {(['host', 'editor', 'viewer'] as const).map((r) => (
                        <option key={r} value={r}>
                          {t(`roles.${r}`)}
                        </option>
                      ))}
                    </select>
                    <button type="button" className="btn tiny" onClick={() => setRemoving(p)} data-testid="participant-remove">
                      {t('common.remove')}
                    </button>
                  </>
                ) : (
                  <span className="pill access-pill">{t(`roles.${p.role}`)}</span>
                )}
              </li>
            );
          })}
        </ul>
        {removed.length > 0 && (
          <details>
            <summary className="muted small">{t('room.removedCount', { count: removed.length })}</summary>
            <ul className="access-list">
              {removed.map((p) => (
                <li key={p.sub} className="access-item muted">
                  <span className="grow ellipsis">{p.name}</span>
                  {host && (
                    <button type="button" className="btn tiny" onClick={() => void act((token) => changeRole(roomId, p.sub, p.role, token))}>
                      {t('room.restore')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </details>
        )}
      </section>
      <FormError message={error} />
      {host && (
        <div className="row end">
          <button type="button" className="btn" onClick={() => setDialog('audit')} data-testid="room-audit-open">
            {t('room.auditLog')}
          </button>
          <button type="button" className="btn primary" onClick={() => setDialog('invite')} data-testid="room-invite-open">
            {t('invite.open')}
          </button>
        </div>
      )}
      {removing && (
        <ConfirmDialog
          title={t('room.removeTitle', { name: removing.name })}
          confirmLabel={t('common.remove')}
          onCancel={() => setRemoving(null)}
          onConfirm={() => {
            const p = removing;
            setRemoving(null);
            void act((token) => removeParticipant(roomId, p.sub, token));
          }}
        >
          {t('room.removeBody')}
        </ConfirmDialog>
      )}
    </Modal>
  );
}

/** Shown instead of the room when a host removed us (the server closed our sockets with 4403). */
export function RemovedPage() {
  const { t } = useTranslation('access');
  return <MessagePage title={t('room.removedTitle')} message={t('room.removedBody')} testId="removed-page" />;
}
