// Per-peer counters: plain mutable numbers so reads are O(1) (the ingest benchmark polls them) and the hot path
// pays one increment. The speaker exposes a read-only view.

export class PeerCounters {
  /** UPDATE messages received. */
  updates = 0;
  /** Prefixes announced by the peer (every NLRI, accepted or not). */
  received = 0;
  /** Paths removed by the peer's withdrawals. */
  withdrawn = 0;
  /** Prefixes not accepted: over the max-prefix limit. */
  rejected = 0;
  /** UPDATEs handled as withdrawals under RFC 7606. */
  treatAsWithdraw = 0;
  /** Established → down transitions. */
  flaps = 0;
  notificationsSent = 0;
  notificationsReceived = 0;
}
