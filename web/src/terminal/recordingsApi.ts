import { RecordingEntrySchema, type RecordingEntry } from '@coderoom/shared/client';
import { z } from 'zod';
import { ApiError } from '../api';
import { i18next } from '../i18n';

export type { RecordingEntry };

const ListSchema = z.object({ recordings: z.array(RecordingEntrySchema) });
const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function recordingsPath(roomId: string): string {
  return `/api/rooms/${encodeURIComponent(roomId)}/recordings`;
}

async function get(path: string, token: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch {
    throw new ApiError('NETWORK', 0, 'Could not reach the server. Check your connection and try again.');
  }
  if (!res.ok) {
    const body = ErrorBodySchema.safeParse(await res.json().catch(() => null));
    if (body.success) throw new ApiError(body.data.error.code as ApiError['code'], res.status, body.data.error.message);
    throw new ApiError(res.status === 404 ? 'NOT_FOUND' : 'INTERNAL', res.status, `The server answered ${res.status} ${res.statusText}.`);
  }
  return res;
}

/** The room's recordings, newest first. */
export async function listRecordings(roomId: string, token: string): Promise<RecordingEntry[]> {
  const parsed = ListSchema.safeParse(await (await get(recordingsPath(roomId), token)).json().catch(() => null));
  if (!parsed.success) throw new ApiError('INTERNAL', 200, i18next.t('terminal:rec.badList'));
  return parsed.data.recordings;
}

/** The asciicast file of a recording, as a Blob (the download needs the Bearer header, so no plain link). */
export async function fetchRecording(roomId: string, token: string, id: string): Promise<Blob> {
  return (await get(`${recordingsPath(roomId)}/${encodeURIComponent(id)}`, token)).blob();
}
