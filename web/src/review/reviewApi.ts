import {
  ReviewChangesResponseSchema,
  ReviewFileResponseSchema,
  ReviewRefsResponseSchema,
  ThreadChangeResponseSchema,
  type ReviewChangesResponse,
  type ReviewFileResponse,
  type ReviewRefsResponse,
  type ThreadStatus,
} from '@coderoom/shared/client';
import { ApiError, call } from '../api';

/** The review endpoints of one room (`collab-server/SPEC.md` REVIEW1-7), with a fresh token per call. */
export class ReviewApi {
  constructor(
    private readonly roomId: string,
    private readonly token: () => Promise<string>,
  ) {}

  private path(rest: string): string {
    return `/api/rooms/${encodeURIComponent(this.roomId)}/review/${rest}`;
  }

  async refs(): Promise<ReviewRefsResponse> {
    return call(ReviewRefsResponseSchema, 'GET', this.path('refs'), undefined, await this.token());
  }

  async file(ref: string, path: string): Promise<ReviewFileResponse> {
    return call(ReviewFileResponseSchema, 'GET', this.path(`file?${new URLSearchParams({ ref, path })}`), undefined, await this.token());
  }

  async changes(base: string): Promise<ReviewChangesResponse> {
    return call(ReviewChangesResponseSchema, 'GET', this.path(`changes?${new URLSearchParams({ base })}`), undefined, await this.token());
  }

  async createThread(req: { path: string; fromLine: number; toLine: number; body: string; code: string }): Promise<string> {
    return (await call(ThreadChangeResponseSchema, 'POST', this.path('threads'), req, await this.token())).threadId;
  }

  async reply(threadId: string, body: string): Promise<void> {
    await call(ThreadChangeResponseSchema, 'POST', this.path(`threads/${threadId}/replies`), { body }, await this.token());
  }

  async edit(threadId: string, commentId: string, body: string): Promise<void> {
    await call(ThreadChangeResponseSchema, 'POST', this.path(`threads/${threadId}/comments/${commentId}`), { body }, await this.token());
  }

  async setStatus(threadId: string, status: ThreadStatus): Promise<void> {
    await call(ThreadChangeResponseSchema, 'POST', this.path(`threads/${threadId}/status`), { status }, await this.token());
  }

  /** Downloads the review export as a file. */
  async download(format: 'markdown' | 'json'): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.path(`export?format=${format}`), { headers: { authorization: `Bearer ${await this.token()}` } });
    } catch {
      throw new ApiError('NETWORK', 0, 'network');
    }
    if (!res.ok) throw new ApiError('INTERNAL', res.status, `HTTP ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = format === 'json' ? 'review.json' : 'review.md';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
