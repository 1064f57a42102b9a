// The aggregator must never take the sync down: if it rejects its input (a bug or an unexpected overlap), log
// it once per distinct message and fall back to one route per prefix (exactTable), which is always correct
// when it fits and reports damage when it does not.
import { errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { AggregateFn } from './desired-table.js';
import { exactTable } from './exact-table.js';

export function aggregateSafely(fn: AggregateFn, logger: Logger): AggregateFn {
  let lastMessage: string | undefined;
  return (input) => {
    try {
      return fn(input);
    } catch (err) {
      const msg = errorMessage(err);
      if (msg !== lastMessage)
        logger.error(
          { event: 'aggregate_failed', family: input.family, err: msg },
          `aggregation failed, using one route per prefix: ${msg}`,
        );
      lastMessage = msg;
      return exactTable(input);
    }
  };
}
