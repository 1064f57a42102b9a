// Aggregation of large inputs in a worker thread, so a pass never holds the event loop for the seconds a large
// table can take (a least-damage table over thousands of routes with many targets): BGP keepalives, probes and the
// API go on meanwhile. Small inputs (the common case once single-ENI subtrees are collapsed) run in this thread:
// handing them over costs more than it saves. An injected aggregator always runs here (functions cannot cross
// threads). If the worker dies, the job runs here instead and a new worker takes the next large job.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { AggregateInput, AggregateResult } from '../aggregate/types.js';
import type { AggregateFn } from './desired-table.js';

/** Inputs of at least this many routes go to the worker (about 10–50 ms of aggregation in this thread). */
export const OFF_THREAD_ABOVE = 5000;

type Reply = { readonly id: number; readonly result: AggregateResult } | { readonly id: number; readonly error: string };

/**
 * Running from the TypeScript sources (tests, tsx scripts), the worker registers tsx's loader before it imports
 * its module (`--import` does not reach worker threads). From dist/ it is plain JavaScript.
 */
function fromSources(): Worker {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const entry = new URL('./aggregate-worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, {
    eval: true,
  });
}

export class OffThreadAggregator {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  /** Jobs run, by thread (metrics, tests). */
  readonly runs = { worker: 0, inline: 0 };

  constructor(
    /** The aggregator in this thread (small inputs, fallback). */
    private readonly inline: AggregateFn,
    private readonly log: Logger,
    /** undefined: never use a worker (an injected aggregator). */
    private readonly threshold: number | undefined = OFF_THREAD_ABOVE,
  ) {}

  async run(input: AggregateInput): Promise<AggregateResult> {
    if (this.threshold === undefined || input.routes.length < this.threshold) return this.here(input);
    try {
      const r = await this.inWorker(input);
      this.runs.worker++;
      // The aggregator refused the input: here it falls back to one route per prefix and says why, once.
      return 'error' in r ? this.inline(input) : r.result;
    } catch (err) {
      this.log.error(
        { event: 'aggregate_worker_failed', err: errorMessage(err) },
        `aggregation worker failed, aggregating in the main thread: ${errorMessage(err)}`,
      );
      this.stopWorker();
      return this.here(input);
    }
  }

  /** Ends the worker (VPC sync stopping). */
  close(): void {
    this.stopWorker();
  }

  private here(input: AggregateInput): AggregateResult {
    this.runs.inline++;
    return this.inline(input);
  }

  private inWorker(input: AggregateInput): Promise<Reply> {
    const w = (this.worker ??= this.startWorker());
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, input });
    });
  }

  private startWorker(): Worker {
    const w = import.meta.url.endsWith('.ts') ? fromSources() : new Worker(new URL('./aggregate-worker.js', import.meta.url));
    w.unref();
    w.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p?.resolve(m);
    });
    const fail = (err: Error): void => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      if (this.worker === w) this.worker = undefined;
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`aggregation worker exited with code ${code}`)));
    return w;
  }

  private stopWorker(): void {
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate();
  }
}
