// Routes as Describe shows them. A route's state is computed when it is read: `blackhole` once the target
// instance stops or terminates, its ENI is deleted or detached, or the gateway is gone; the route itself stays.
import { formatPrefix } from '../../net/prefix.js';
import type { ModelState } from './model-state.js';
import type { Route, RouteTable, DescribedRoute } from './model-types.js';
import { parseDestination } from './route-ops.js';

export function findDescribedRoute(m: ModelState, routeTableId: string, destination: string): DescribedRoute | undefined {
  const table = m.routeTable(routeTableId);
  const route = table.routes.get(formatPrefix(parseDestination(destination)));
  return route ? describedRoute(m, table, route) : undefined;
}

export function describedRoutes(m: ModelState, table: RouteTable): DescribedRoute[] {
  const out: DescribedRoute[] = [];
  for (const r of table.routes.values()) out.push(describedRoute(m, table, r));
  return out;
}

/** The route as Describe shows it; state is blackhole when the target instance/ENI/gateway is gone. */
export function describedRoute(m: ModelState, table: RouteTable, r: Route): DescribedRoute {
  const base = { destination: r.destText, family: r.dest.family, targetKind: r.target.kind, origin: r.origin };
  const t = r.target;
  switch (t.kind) {
    case 'local':
      return { ...base, gatewayId: 'local', state: 'active' };
    case 'instance': {
      const inst = m.instances.get(t.id);
      const live = inst?.state === 'running' && r.eniId !== undefined && m.enis.get(r.eniId)?.attachment?.instanceId === t.id;
      return {
        ...base,
        instanceId: t.id,
        instanceOwnerId: m.ownerId,
        ...(r.eniId !== undefined ? { networkInterfaceId: r.eniId } : {}),
        state: live ? 'active' : 'blackhole',
      };
    }
    case 'network-interface': {
      const eni = m.enis.get(t.id);
      const attachedTo = eni?.attachment?.instanceId;
      const inst = attachedTo === undefined ? undefined : m.instances.get(attachedTo);
      const instanceId = attachedTo ?? r.instanceId;
      return {
        ...base,
        networkInterfaceId: t.id,
        ...(instanceId !== undefined ? { instanceId, instanceOwnerId: m.ownerId } : {}),
        state: inst?.state === 'running' ? 'active' : 'blackhole',
      };
    }
    case 'gateway': {
      const gw = m.gateways.get(t.id);
      return { ...base, gatewayId: t.id, state: gw && gw.vpcId === table.vpcId ? 'active' : 'blackhole' };
    }
    case 'nat-gateway':
      return { ...base, natGatewayId: t.id, state: m.gateways.has(t.id) ? 'active' : 'blackhole' };
    case 'vpc-peering-connection':
      return { ...base, vpcPeeringConnectionId: t.id, state: m.gateways.has(t.id) ? 'active' : 'blackhole' };
    case 'transit-gateway':
      return { ...base, transitGatewayId: t.id, state: m.gateways.has(t.id) ? 'active' : 'blackhole' };
    case 'egress-only-internet-gateway':
      return { ...base, egressOnlyInternetGatewayId: t.id, state: m.gateways.has(t.id) ? 'active' : 'blackhole' };
  }
}
