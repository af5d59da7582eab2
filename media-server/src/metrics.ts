import type { types } from 'mediasoup';
import { defineCounter, defineGauge } from '@coderoom/shared';

/** The worker slots of every live pool in this process, read when metrics are scraped. */
type SlotSource = () => readonly { readonly index: number; readonly worker: types.Worker; readonly alive: boolean }[];
const sources = new Set<SlotSource>();

/** Reports `source`'s workers in the worker metrics until the returned function is called. */
export function reportWorkers(source: SlotSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

/** mediasoup workers by state (`alive`, `dead` while being replaced). */
export const workersGauge = defineGauge<'state'>({
  name: 'media_workers',
  help: 'mediasoup workers by state.',
  labelNames: ['state'],
  collect() {
    let alive = 0;
    let dead = 0;
    for (const source of sources) {
      for (const slot of source()) {
        if (slot.alive) alive++;
        else dead++;
      }
    }
    this.set({ state: 'alive' }, alive);
    this.set({ state: 'dead' }, dead);
  },
});

/** CPU time of each live worker (getResourceUsage ru_utime/ru_stime), by worker index and mode. */
export const workerCpuCounter = defineCounter<'worker' | 'mode'>({
  name: 'media_worker_cpu_seconds_total',
  help: 'CPU time used by each mediasoup worker process, by mode (user, system).',
  labelNames: ['worker', 'mode'],
  async collect() {
    // A replaced worker starts from zero: the series resets, which rate() handles.
    this.reset();
    for (const source of sources) {
      for (const slot of source()) {
        if (!slot.alive || slot.worker.closed) continue;
        const usage = await slot.worker.getResourceUsage().catch(() => null);
        if (!usage) continue;
        const worker = String(slot.index);
        this.inc({ worker, mode: 'user' }, usage.ru_utime / 1000);
        this.inc({ worker, mode: 'system' }, usage.ru_stime / 1000);
      }
    }
  },
});

/** Workers that died (each is replaced). */
export const workerDeathsCounter = defineCounter({ name: 'media_worker_deaths_total', help: 'mediasoup workers that died.' });
/** Transports open, by type (`webrtc`, `pipe`, ...). */
export const transportsGauge = defineGauge<'type'>({ name: 'media_transports', help: 'mediasoup transports open, by type.', labelNames: ['type'] });
/** Producers open, by kind. */
export const producersGauge = defineGauge<'kind'>({ name: 'media_producers', help: 'mediasoup producers open, by kind.', labelNames: ['kind'] });
/** Consumers open, by kind. */
export const consumersGauge = defineGauge<'kind'>({ name: 'media_consumers', help: 'mediasoup consumers open, by kind.', labelNames: ['kind'] });

/** Counts the transports, producers and consumers of every router `worker` creates. */
export function instrumentWorker(worker: types.Worker): void {
  worker.observer.on('newrouter', (router) => {
    router.observer.on('newtransport', (transport) => {
      const type = transport.type;
      transportsGauge.inc({ type });
      transport.observer.once('close', () => transportsGauge.dec({ type }));
      transport.observer.on('newproducer', (producer) => {
        producersGauge.inc({ kind: producer.kind });
        producer.observer.once('close', () => producersGauge.dec({ kind: producer.kind }));
      });
      transport.observer.on('newconsumer', (consumer) => {
        consumersGauge.inc({ kind: consumer.kind });
        consumer.observer.once('close', () => consumersGauge.dec({ kind: consumer.kind }));
      });
    });
  });
}
