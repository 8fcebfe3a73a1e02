import type { Queryable } from "../db/index.js";
import type { Jobs } from "../jobs/index.js";

export interface DomainEvent<T = Record<string, unknown>> {
  type: string;
  occurredAt: string;
  payload: T;
}

/**
 * Domain events: publishing enqueues one durable job per subscriber inside the publisher's
 * transaction, so a subscriber sees every committed event exactly once (handlers must be
 * idempotent: the job may run again after a crash).
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
    this.jobs.define<DomainEvent<T>>({
      name: queue,
      handler: (e) => handler(e),
      retryLimit: opts.retryLimit ?? 8,
      ...(opts.many ? { handleMany: opts.many } : {}),
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
   * it), enqueued together per subscriber. Returns the number of jobs enqueued.
   */
  async publishMany<T extends Record<string, unknown>>(
    q: Queryable,
    type: string,
    payloads: T[],
  ): Promise<number> {
    const queues = this.subscribers.get(type) ?? [];
    if (!payloads.length || !queues.length) return 0;
    const occurredAt = new Date().toISOString();
    const items = payloads.map((payload) => ({
      data: { type, occurredAt, payload } satisfies DomainEvent<T>,
    }));
    for (const queue of queues) await this.jobs.sendMany(q, queue, items);
    return queues.length * payloads.length;
  }
}
