import { z } from 'zod';

/** Longest base ref carried in presence, in characters. */
const MAX_BASE_CHARS = 200;

/**
 * What a tab shows, published in the room index's awareness so followers can go there too:
 * the editor or the diff (against which base, side by side or unified) and the first visible line.
 * Read from other people's awareness, so validated.
 */
export const ViewStateSchema = z.object({
  mode: z.enum(['editor', 'diff']),
  base: z.string().max(MAX_BASE_CHARS),
  layout: z.enum(['split', 'unified']),
  /** First visible line of the file (1-based). */
  top: z.number().int().min(1),
});
export type ViewState = z.infer<typeof ViewStateSchema>;

/** The base a diff starts from. */
export const DEFAULT_BASE = 'HEAD';
