import { RoomIdSchema } from '@coderoom/shared/client';

/** The room id in a pasted invite link (`https://host/r/<id>`) or a bare id; null if neither. */
export function roomIdFromInput(input: string): string | null {
  const text = input.trim();
  const fromLink = /\/r\/([^/?#\s]+)/.exec(text);
  const candidate = fromLink ? decodeURIComponent(fromLink[1]!) : text;
  return RoomIdSchema.safeParse(candidate).success ? candidate : null;
}

/** The invite link of a room on this server. */
export function inviteLink(roomId: string): string {
  return `${location.origin}/r/${encodeURIComponent(roomId)}`;
}
