// Child process of the ingest benchmark: runs our speaker as a passive receiver for the BIRD sender and answers
// counter queries over IPC. Filled in against src/bgp/speaker.ts once it exists.
import type { ChildReply, ChildRequest } from './bgp2vpc-protocol.js';

function reply(r: ChildReply): void {
  process.send?.(r);
}

process.on('message', (m: ChildRequest) => {
  switch (m.op) {
    case 'ready':
    case 'accepted':
      reply({ id: m.id, ok: false, error: 'the bgp2vpc speaker (src/bgp/speaker.ts) is not available yet' });
      break;
    case 'stop':
      reply({ id: m.id, ok: true });
      process.exit(0);
  }
});
