// IPC messages between the benchmark and the bgp2vpc receiver child.

export type ChildRequest =
  | { readonly id: number; readonly op: 'ready' }
  | { readonly id: number; readonly op: 'accepted' }
  | { readonly id: number; readonly op: 'stop' };

export interface ChildReply {
  readonly id: number;
  readonly ok: boolean;
  readonly accepted?: number;
  readonly error?: string;
}
