// Child process of the ingest benchmark: our speaker as a passive receiver for the BIRD sender, answering
// counter queries over IPC. No event listener is attached: the speaker then builds no per-prefix event objects
// (what the daemon's route spec pays for is measured by bench:rib, not here).
import { Speaker } from '../../src/bgp/speaker.js';
import { errorMessage } from '../../src/base/errors.js';
import type { ChildReply, ChildRequest } from './bgp2vpc-protocol.js';
import { SENDER, type SenderTarget } from './sender.js';

const arg = JSON.parse(process.argv[2] ?? '{}') as { target: SenderTarget };
const t = arg.target;

const speaker = new Speaker({
  asn: t.asn,
  routerId: t.address,
  listen: [{ address: t.address, port: t.port }],
  neighbors: [{ address: SENDER.address, asn: SENDER.asn }],
  holdTime: 90,
});

let ready = false;
let failure: string | undefined;
speaker.start().then(
  () => {
    ready = true;
  },
  (err: unknown) => {
    failure = errorMessage(err);
  },
);

function reply(r: ChildReply): void {
  process.send?.(r);
}

process.on('message', (m: ChildRequest) => {
  switch (m.op) {
    case 'ready':
      reply(failure !== undefined ? { id: m.id, ok: false, error: failure } : { id: m.id, ok: ready });
      break;
    case 'accepted':
      reply({ id: m.id, ok: true, accepted: speaker.counters(SENDER.address)?.accepted ?? 0 });
      break;
    case 'stop':
      speaker
        .stop({ notify: true })
        .catch(() => undefined)
        .finally(() => {
          reply({ id: m.id, ok: true });
          process.disconnect?.();
          process.exit(0);
        });
      break;
  }
});
