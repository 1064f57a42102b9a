// What the HTTP server needs from the daemon. The server knows nothing about BGP or EC2: the daemon (or a test)
// hands it these functions, so the API can be tested with plain objects.
import type { PeerView, ReadyView, RoutesView, StatusView, TablesView } from './views.js';

/** Result of a POST /route_spec: accepted, or rejected with the reason shown to the client (HTTP 400). */
export type RouteSpecPostResult = { readonly ok: true; readonly message?: string } | { readonly ok: false; readonly reason: string };

export interface RouteSpecEndpoint {
  /** Current HTTP-sourced route spec, vpc-router format: {"10.1.0.0/16": ["10.0.0.5", ...]}. */
  get(): Readonly<Record<string, readonly string[]>>;
  /** Replaces the HTTP-sourced spec with a parsed JSON body. Must not throw for bad input. */
  post(body: unknown): RouteSpecPostResult;
}

export interface ApiBackend {
  ready(): ReadyView;
  status(): StatusView;
  peers(): readonly PeerView[];
  routes(): RoutesView;
  /** Explains the route decision for one prefix (text from the query string); undefined → 404. */
  explain(prefix: string): unknown;
  tables(): TablesView;
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** Absent when the HTTP route spec source is disabled: GET/POST /route_spec → 404. */
  readonly routeSpec?: RouteSpecEndpoint;
}
