// A small classic-pcap reader with TCP reassembly, for tests that replay captured BGP sessions.
// Link types: Ethernet (1, with 802.1Q tags), BSD loopback/null (0, 108), raw IP (101, 12, 14),
// Linux cooked v1 (113) and v2 (276). Network: IPv4 and IPv6 (no extension headers). Transport: TCP.
import { readFileSync } from 'node:fs';

export interface PcapPacket {
  readonly timeUs: number;
  readonly linkType: number;
  readonly data: Buffer;
}

export interface TcpSegment {
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly flags: number;
  readonly payload: Buffer;
  readonly timeUs: number;
}

export interface TcpStream {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  /** The reassembled byte stream in this direction. */
  readonly data: Buffer;
  /** Sizes of the payload chunks as they arrived (in order), for replaying the original segmentation. */
  readonly chunks: readonly number[];
}

export class PcapError extends Error {
  readonly code = 'PCAP_ERROR';
}

export function readPcap(buf: Buffer): PcapPacket[] {
  if (buf.length < 24) throw new PcapError('file shorter than the pcap global header');
  const magic = buf.readUInt32LE(0);
  let le: boolean;
  let nano = false;
  if (magic === 0xa1b2c3d4) le = true;
  else if (magic === 0xd4c3b2a1) le = false;
  else if (magic === 0xa1b23c4d) {
    le = true;
    nano = true;
  } else if (magic === 0x4d3cb2a1) {
    le = false;
    nano = true;
  } else throw new PcapError(`not a classic pcap file (magic 0x${magic.toString(16)})`);
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const out: PcapPacket[] = [];
  let o = 24;
  while (o + 16 <= buf.length) {
    const sec = u32(o);
    const frac = u32(o + 4);
    const incl = u32(o + 8);
    o += 16;
    if (o + incl > buf.length) throw new PcapError('truncated packet record');
    out.push({ timeUs: sec * 1e6 + (nano ? Math.floor(frac / 1000) : frac), linkType, data: buf.subarray(o, o + incl) });
    o += incl;
  }
  return out;
}

/** The network-layer payload of a frame and its ethertype (0x0800 IPv4, 0x86dd IPv6), or undefined. */
function network(p: PcapPacket): { type: number; ip: Buffer } | undefined {
  const d = p.data;
  switch (p.linkType) {
    case 1: {
      let o = 12;
      let type = d.readUInt16BE(o);
      while (type === 0x8100 || type === 0x88a8) {
        o += 4;
        type = d.readUInt16BE(o);
      }
      return { type, ip: d.subarray(o + 2) };
    }
    case 0:
    case 108: {
      // 4-byte address family in host (0) or network (108) order: 2 = IPv4, 24/28/30 = IPv6.
      const af = p.linkType === 108 ? d.readUInt32BE(0) : Math.min(d.readUInt32LE(0), d.readUInt32BE(0));
      return { type: af === 2 ? 0x0800 : 0x86dd, ip: d.subarray(4) };
    }
    case 12:
    case 14:
    case 101: {
      const v = (d[0] as number) >> 4;
      return { type: v === 4 ? 0x0800 : 0x86dd, ip: d };
    }
    case 113:
      return { type: d.readUInt16BE(14), ip: d.subarray(16) };
    case 276:
      return { type: d.readUInt16BE(0), ip: d.subarray(20) };
    default:
      throw new PcapError(`unsupported link type ${p.linkType}`);
  }
}

function ipv6Text(b: Buffer, o: number): string {
  const g: string[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(o + 2 * i).toString(16));
  return g.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

export function tcpSegments(packets: readonly PcapPacket[]): TcpSegment[] {
  const out: TcpSegment[] = [];
  for (const p of packets) {
    const n = network(p);
    if (!n) continue;
    let src: string;
    let dst: string;
    let tcp: Buffer;
    if (n.type === 0x0800) {
      const ihl = ((n.ip[0] as number) & 0x0f) * 4;
      if (n.ip[9] !== 6) continue;
      const total = n.ip.readUInt16BE(2);
      src = `${n.ip[12]}.${n.ip[13]}.${n.ip[14]}.${n.ip[15]}`;
      dst = `${n.ip[16]}.${n.ip[17]}.${n.ip[18]}.${n.ip[19]}`;
      tcp = n.ip.subarray(ihl, total);
    } else if (n.type === 0x86dd) {
      if (n.ip[6] !== 6) continue;
      src = ipv6Text(n.ip, 8);
      dst = ipv6Text(n.ip, 24);
      tcp = n.ip.subarray(40, 40 + n.ip.readUInt16BE(4));
    } else continue;
    const off = ((tcp[12] as number) >> 4) * 4;
    out.push({
      src,
      dst,
      srcPort: tcp.readUInt16BE(0),
      dstPort: tcp.readUInt16BE(2),
      seq: tcp.readUInt32BE(4),
      flags: tcp[13] as number,
      payload: tcp.subarray(off),
      timeUs: p.timeUs,
    });
  }
  return out;
}

const SYN = 0x02;

/** Reassembles every TCP direction (retransmissions and overlaps dropped, out-of-order segments placed). */
export function tcpStreams(segments: readonly TcpSegment[]): TcpStream[] {
  interface Flow {
    src: string;
    srcPort: number;
    dst: string;
    dstPort: number;
    base: number | undefined;
    pieces: { off: number; data: Buffer }[];
  }
  const flows = new Map<string, Flow>();
  for (const s of segments) {
    const key = `${s.src}|${s.srcPort}|${s.dst}|${s.dstPort}`;
    let f = flows.get(key);
    if (!f) {
      f = { src: s.src, srcPort: s.srcPort, dst: s.dst, dstPort: s.dstPort, base: undefined, pieces: [] };
      flows.set(key, f);
    }
    if ((s.flags & SYN) !== 0) {
      f.base = (s.seq + 1) >>> 0;
      continue;
    }
    if (s.payload.length === 0) continue;
    if (f.base === undefined) f.base = s.seq;
    f.pieces.push({ off: (s.seq - f.base) >>> 0, data: s.payload });
  }
  const out: TcpStream[] = [];
  for (const f of flows.values()) {
    const arrival = f.pieces.slice();
    const sorted = f.pieces.slice().sort((a, b) => a.off - b.off);
    const parts: Buffer[] = [];
    let next = 0;
    for (const p of sorted) {
      const end = p.off + p.data.length;
      if (end <= next) continue; // retransmission
      if (p.off > next) throw new PcapError(`gap in TCP stream ${f.src}:${f.srcPort} at offset ${next}`);
      parts.push(p.data.subarray(next - p.off));
      next = end;
    }
    const chunks: number[] = [];
    let seen = 0;
    for (const p of arrival) {
      const end = p.off + p.data.length;
      if (end > seen) {
        chunks.push(end - Math.max(seen, p.off));
        seen = end;
      }
    }
    out.push({ src: f.src, srcPort: f.srcPort, dst: f.dst, dstPort: f.dstPort, data: Buffer.concat(parts), chunks });
  }
  return out;
}

/** Every TCP direction of a capture file that carries data. */
export function readTcpStreams(path: string): TcpStream[] {
  return tcpStreams(tcpSegments(readPcap(readFileSync(path)))).filter((s) => s.data.length > 0);
}
