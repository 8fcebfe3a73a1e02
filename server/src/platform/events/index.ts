import type { Queryable } from "../db/index.js";
import type { Jobs } from "../jobs/index.js";

export interface DomainEvent<T = Record<string, unknown>> {
  type: string;
  occurredAt: string;
  payload: T;
}

/** Events published together travel this many to a queued job (one row instead of a hundred). */
export const EVENTS_PER_JOB = 100;

/** What a queued job carries when events were published together: one type, many payloads. */
interface EventChunk<T> {
  type: string;
  occurredAt: string;
  payloads: T[];
}

const isChunk = <T>(d: DomainEvent<T> | EventChunk<T>): d is EventChunk<T> =>
  Array.isArray((d as EventChunk<T>).payloads);

const expand = <T>(d: DomainEvent<T> | EventChunk<T>): DomainEvent<T>[] =>
  isChunk(d) ? d.payloads.map((payload) => ({ type: d.type, occurredAt: d.occurredAt, payload })) : [d];

/**
 * Domain events: publishing enqueues one durable job per subscriber inside the publisher's
 * transaction, so a subscriber sees every committed event exactly once (handlers must be
 * idempotent: the job may run again after a crash). Events published together (a bulk
 * import) share a job per subscriber, EVENTS_PER_JOB at a time; an event of such a job that
 * fails is queued again as a job of its own, with its own retries, so it never holds back or
 * repeats the others.
 */
export class Events {
  private readonly subscribers = new Map<string, string[]>();

  constructor(private readonly jobs: Jobs) {}

  subscribe<T>(
    type: string,
    subscriber: string,
    handler: (event: DomainEvent<T>) => Promise<void>,
    opts: {
      retryLimit?: number;
      /** Events delivered together (a bulk of terminations): handled in one go, see Jobs handleMany. */
      many?: (events: DomainEvent<T>[]) => Promise<void>;
      /** Events fetched at once (default 10). */
      batchSize?: number;
    } = {},
  ): void {
    const queue = `event.${subscriber}`;
    const size = opts.batchSize ?? 10;
    const many = opts.many;
    /** The events of one job: through `many` a batch at a time where there is one, else one by one. */
    const deliver = async (events: DomainEvent<T>[]) => {
      const failed: DomainEvent<T>[] = [];
      let error: unknown;
      for (let i = 0; i < events.length; i += size) {
        const slice = events.slice(i, i + size);
        if (many && slice.length > 1) {
          try {
            await many(slice);
            continue;
          } catch {
            // one by one below, so only the event at fault fails
          }
        }
        for (const e of slice) {
          try {
            await handler(e);
          } catch (err) {
            failed.push(e);
            error = err;
          }
        }
      }
      if (failed.length === events.length) throw error;
      if (failed.length) await this.jobs.sendNow(queue, failed);
    };
    this.jobs.define<DomainEvent<T> | EventChunk<T>>({
      name: queue,
      handler: (d) => (isChunk(d) ? deliver(expand(d)) : handler(d)),
      retryLimit: opts.retryLimit ?? 8,
      ...(many
        ? {
            handleMany: async (ds) => {
              const events = ds.flatMap((d) => expand(d));
              for (let i = 0; i < events.length; i += size) await many(events.slice(i, i + size));
            },
          }
        : {}),
      ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    });
    this.subscribers.set(type, [...(this.subscribers.get(type) ?? []), queue]);
  }

  async publish<T extends Record<string, unknown>>(q: Queryable, type: string, payload: T): Promise<number> {
    const event: DomainEvent<T> = { type, occurredAt: new Date().toISOString(), payload };
    const queues = this.subscribers.get(type) ?? [];
    for (const queue of queues) await this.jobs.send(q, queue, event);
    return queues.length;
  }

  /**
   * Publishes one event of a type per payload (each its own event, as `publish` would make
   * it), enqueued together per subscriber, EVENTS_PER_JOB events to a job. Returns the number
   * of events delivered (payloads × subscribers).
   */
  async publishMany<T extends Record<string, unknown>>(
    q: Queryable,
    type: string,
    payloads: T[],
  ): Promise<number> {
    const queues = this.subscribers.get(type) ?? [];
    if (!payloads.length || !queues.length) return 0;
    const occurredAt = new Date().toISOString();
    const items: { data: DomainEvent<T> | EventChunk<T> }[] = [];
    if (payloads.length === 1) items.push({ data: { type, occurredAt, payload: payloads[0] as T } });
    else
      for (let i = 0; i < payloads.length; i += EVENTS_PER_JOB)
        items.push({ data: { type, occurredAt, payloads: payloads.slice(i, i + EVENTS_PER_JOB) } });
    for (const queue of queues) await this.jobs.sendMany(q, queue, items);
    return queues.length * payloads.length;
  }
}
