// What the HTTP server needs from the daemon. The server knows nothing about BGP or EC2: the daemon (or a test)
// hands it these functions, so the API can be tested with plain objects.
import type { BfdSessionApiView, PeerView, ReadyView, RoutesPage, RoutesView, StatusView } from './views.js';
import type { TablesView } from '../vpc/table-view.js';
import type { RouteSpecHandler } from './route-spec-endpoint.js';

export interface ApiBackend {
  ready(): ReadyView;
  status(): StatusView;
  peers(): readonly PeerView[];
  routes(page: RoutesPage): RoutesView;
  /** Explains the route decision for one prefix (text from the query string); undefined → 404. */
  explain(prefix: string): unknown;
  tables(): TablesView;
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** GET /api/v1/bfd: BFD sessions (absent → an empty list). */
  bfd?(): readonly BfdSessionApiView[];
  /** GET/POST /route_spec; absent when the HTTP route spec source is disabled (→ 404). */
  readonly routeSpec?: RouteSpecHandler;
}
