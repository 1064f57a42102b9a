// Every emulated action by name.
import type { ActionDef } from './action.js';
import { computeActions } from './compute-actions.js';
import { eniActions } from './eni-actions.js';
import { networkActions } from './network-actions.js';
import { routeActions } from './route-actions.js';

export const ACTIONS: ReadonlyMap<string, ActionDef> = new Map(
  Object.entries({ ...networkActions, ...computeActions, ...eniActions, ...routeActions }),
);
