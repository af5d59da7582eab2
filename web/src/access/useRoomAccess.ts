import { useEffect, useState } from 'react';
import { RoomResponseSchema, type RoomAccess } from '@coderoom/shared/client';
import { call } from '../api';

/** How a room is entered (its kind, approval, join by link), or null until known (or when the server did not say). */
export function useRoomAccess(roomId: string): RoomAccess | null {
  const [access, setAccess] = useState<RoomAccess | null>(null);
  useEffect(() => {
    let live = true;
    call(RoomResponseSchema, 'GET', `/api/rooms/${encodeURIComponent(roomId)}`).then(
      (r) => live && setAccess(r.access),
      () => undefined, // unknown: callers keep their defaults
    );
    return () => {
      live = false;
    };
  }, [roomId]);
  return access;
}
