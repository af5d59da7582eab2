import type { types } from 'mediasoup';
import type { Logger } from '@coderoom/shared';
import type { MediaConfig } from './config.js';
import { instrumentWorker, reportWorkers, workerDeathsCounter } from './metrics.js';

/** Wait before replacing a dead worker, in ms (its WebRtcServer port must be released first). */
export const WORKER_RESPAWN_DELAY_MS = 500;

type Mediasoup = typeof import('mediasoup');

/** One mediasoup worker with its WebRtcServer (one UDP and one TCP port). */
export interface WorkerSlot {
  /** Position in the pool; the WebRtcServer port is rtcBasePort + index. */
  readonly index: number;
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  /** Routers currently living on this worker (rooms spread their load by it). */
  routers: number;
  alive: boolean;
}

/** Called when a worker died; routers on it are gone. */
export type WorkerDiedListener = (slot: WorkerSlot) => void;

/**
 * Loads mediasoup with the configured worker binary. mediasoup reads MEDIASOUP_WORKER_BIN once,
 * when its module loads, so the variable is set here, before the first import.
 */
export async function loadMediasoup(config: MediaConfig, logger: Logger): Promise<Mediasoup> {
  // The one process.env write of this package: mediasoup's only way to take a worker path.
  if (config.workerBin) process.env.MEDIASOUP_WORKER_BIN = config.workerBin;
  const mediasoup = await import('mediasoup');
  if (config.workerBin && mediasoup.workerBin !== config.workerBin) {
    logger.warn({ workerBin: mediasoup.workerBin, wanted: config.workerBin }, 'loadMediasoup() | mediasoup was loaded earlier with another worker binary');
  }
  return mediasoup;
}

/** The workers, one per core by default; dead ones are replaced and reported until they are. */
export class WorkerPool {
  private readonly slots: WorkerSlot[] = [];
  private readonly diedListeners = new Set<WorkerDiedListener>();
  private readonly respawnTimers = new Set<NodeJS.Timeout>();
  private lastDeath: string | null = null;
  private closed = false;
  private readonly unreport = reportWorkers(() => this.slots);

  private constructor(
    private readonly mediasoup: Mediasoup,
    private readonly config: MediaConfig,
    private readonly logger: Logger,
  ) {}

  /** Starts every worker and its WebRtcServer; fails if any cannot start. */
  static async start(config: MediaConfig, logger: Logger): Promise<WorkerPool> {
    const mediasoup = await loadMediasoup(config, logger);
    const pool = new WorkerPool(mediasoup, config, logger);
    try {
      for (let i = 0; i < config.workers; i++) pool.slots.push(await pool.spawn(i));
    } catch (err) {
      pool.close();
      throw err;
    }
    logger.info({ workers: pool.slots.map((s) => s.worker.pid), workerBin: mediasoup.workerBin }, 'start() | mediasoup workers running');
    return pool;
  }

  /** Every worker slot (alive or being replaced). */
  list(): readonly WorkerSlot[] {
    return this.slots;
  }

  /** Null when every worker is alive, else why not. */
  readiness(): string | null {
    if (this.closed) return 'closed';
    const dead = this.slots.filter((s) => !s.alive);
    if (dead.length === 0) return null;
    return `${dead.length} of ${this.slots.length} mediasoup workers down (${this.lastDeath ?? 'died'}); replacing`;
  }

  /** The live worker with the fewest routers, skipping `exclude` when another is alive. */
  leastLoaded(exclude: ReadonlySet<WorkerSlot> = new Set()): WorkerSlot {
    const alive = this.slots.filter((s) => s.alive);
    if (alive.length === 0) throw new Error('no mediasoup worker alive');
    const candidates = alive.filter((s) => !exclude.has(s));
    const pool = candidates.length > 0 ? candidates : alive;
    return pool.reduce((a, b) => (b.routers < a.routers ? b : a));
  }

  /** Listens for worker deaths. Returns the unsubscribe function. */
  onWorkerDied(listener: WorkerDiedListener): () => void {
    this.diedListeners.add(listener);
    return () => this.diedListeners.delete(listener);
  }

  /** Creates a router on `slot` and counts it against the worker's load until it closes. */
  async createRouter(slot: WorkerSlot, mediaCodecs: types.RouterRtpCodecCapability[]): Promise<types.Router> {
    const router = await slot.worker.createRouter({ mediaCodecs });
    slot.routers++;
    router.observer.once('close', () => {
      slot.routers--;
    });
    return router;
  }

  private async spawn(index: number): Promise<WorkerSlot> {
    const worker = await this.mediasoup.createWorker({ logLevel: this.config.workerLogLevel, logTags: [...this.config.workerLogTags], disableLiburing: true });
    instrumentWorker(worker);
    const port = this.config.rtcBasePort + index;
    const announced = this.config.announcedAddress ? { announcedAddress: this.config.announcedAddress } : {};
    let webRtcServer: types.WebRtcServer;
    try {
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ip: this.config.listenIp, port, ...announced },
          { protocol: 'tcp', ip: this.config.listenIp, port, ...announced },
        ],
      });
    } catch (err) {
      worker.close();
      throw new Error(`cannot listen on ${this.config.listenIp}:${port} for worker ${index} (MEDIA_RTC_MIN_PORT): ${(err as Error).message}`);
    }
    const slot: WorkerSlot = { index, worker, webRtcServer, routers: 0, alive: true };
    worker.on('died', (err) => this.handleDeath(slot, err));
    return slot;
  }

  private handleDeath(slot: WorkerSlot, err: Error): void {
    slot.alive = false;
    workerDeathsCounter.inc();
    this.lastDeath = `worker ${slot.worker.pid} died: ${err.message}`;
    this.logger.error({ pid: slot.worker.pid, index: slot.index, err: err.message }, 'worker died | replacing it');
    for (const listener of this.diedListeners) listener(slot);
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.respawnTimers.delete(timer);
      if (this.closed) return;
      this.spawn(slot.index).then(
        (fresh) => {
          if (this.closed) {
            fresh.worker.close();
            return;
          }
          this.slots[slot.index] = fresh;
          this.logger.info({ pid: fresh.worker.pid, index: slot.index }, 'worker replaced');
        },
        (e: unknown) => {
          this.lastDeath = `replacing worker ${slot.index} failed: ${(e as Error).message}`;
          this.logger.error({ index: slot.index, err: (e as Error).message }, 'worker replacement failed');
        },
      );
    }, WORKER_RESPAWN_DELAY_MS);
    this.respawnTimers.add(timer);
  }

  /** Closes every worker (and with them every router); idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unreport();
    for (const t of this.respawnTimers) clearTimeout(t);
    this.respawnTimers.clear();
    this.diedListeners.clear();
    for (const slot of this.slots) {
      slot.alive = false;
      if (!slot.worker.closed) slot.worker.close();
    }
  }
}
