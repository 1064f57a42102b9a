// What every probe is: one check of one target that resolves (never rejects) with ok and a one-line detail, and
// honours an AbortSignal, which the monitor fires at the timeout.

export interface ProbeResult {
  readonly ok: boolean;
  readonly detail: string;
}

export type Probe = (target: string, signal: AbortSignal) => Promise<ProbeResult>;
