// Wiring between the route spec and the health monitor: the route spec's next hops become probe targets,
// and health changes re-rank the affected prefixes (failures found together, in one re-rank). Create the
// monitor first and pass `healthOf: (nh, group) => monitor.healthOf(nh, group)` to the RouteSpec so new next
// hops start with the right verdict (blackhole marks, newTargetsStartDown).
import type { RouteSpec } from '../rib/route-spec.js';
import type { HealthMonitor } from '../health/health-monitor.js';

/** Connects both ways and syncs the current targets. Returns a function that disconnects. */
export function connectHealth(spec: RouteSpec, monitor: HealthMonitor): () => void {
  const offNh = spec.onNextHops((added, removed) => {
    for (const nh of removed) monitor.removeTarget(nh);
    for (const a of added) monitor.addTarget(a.nextHop, a.group);
  });
  const offHealth = monitor.onChange((verdicts) => spec.setNextHopsHealth(verdicts));
  monitor.setTargets(spec.nextHopTargets());
  spec.setNextHopsHealth(spec.nextHopTargets().map((t) => ({ nextHop: t.nextHop, ...monitor.healthOf(t.nextHop, t.group) })));
  return () => {
    offNh();
    offHealth();
  };
}
