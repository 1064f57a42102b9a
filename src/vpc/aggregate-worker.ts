// The aggregation worker thread (see off-thread.ts): aggregates what it is sent, one job at a time. Pure work, no
// state between jobs; an error goes back to the caller, which aggregates in its own thread instead.
import { parentPort } from 'node:worker_threads';
import { aggregate } from '../aggregate/aggregate.js';
import type { AggregateInput } from '../aggregate/types.js';
import { errorMessage } from '../base/errors.js';

parentPort?.on('message', (m: { readonly id: number; readonly input: AggregateInput }) => {
  try {
    parentPort?.postMessage({ id: m.id, result: aggregate(m.input) });
  } catch (err) {
    parentPort?.postMessage({ id: m.id, error: errorMessage(err) });
  }
});
