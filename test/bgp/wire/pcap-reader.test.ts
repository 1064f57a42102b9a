// test/support/pcap.ts: link types, IPv4/IPv6, TCP reassembly with retransmissions and reordering.
import { describe, expect, it } from 'vitest';
import { readPcap, readTcpStreams, tcpSegments, tcpStreams, PcapError } from '../../support/pcap.js';
import { FIXTURES } from './capture-summary.js';

function tcp(seq: number, flags: number, payload: string): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(40000, 0); // source port
  h.writeUInt16BE(179, 2); // destination port
  h.writeUInt32BE(seq, 4);
  h[12] = 5 << 4; // data offset 5 words
  h[13] = flags;
  return Buffer.concat([h, Buffer.from(payload, 'utf8')]);
}

function ipv4(t: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + t.length, 2);
  h[9] = 6; // TCP
  Buffer.from([10, 0, 0, 1]).copy(h, 12);
  Buffer.from([10, 0, 0, 2]).copy(h, 16);
  return Buffer.concat([h, t]);
}

function ipv6(t: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(t.length, 4);
  h[6] = 6; // next header TCP
  h[23] = 1; // source ::1
  h[39] = 2; // destination ::2
  return Buffer.concat([h, t]);
}

function pcap(linkType: number, frames: Buffer[]): Buffer {
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0);
  g.writeUInt16LE(2, 4);
  g.writeUInt16LE(4, 6);
  g.writeUInt32LE(65535, 16);
  g.writeUInt32LE(linkType, 20);
  const recs = frames.map((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(1000 + i, 0);
    r.writeUInt32LE(f.length, 8);
    r.writeUInt32LE(f.length, 12);
    return Buffer.concat([r, f]);
  });
  return Buffer.concat([g, ...recs]);
}

const streamOf = (file: Buffer) => tcpStreams(tcpSegments(readPcap(file)));

describe('pcap reader', () => {
  it('Linux cooked (113) IPv4: SYN sets the base; out-of-order and retransmitted segments are reassembled', () => {
    const sll = (ip: Buffer) => Buffer.concat([Buffer.from('0000030400060000000000000000' + '0800', 'hex'), ip]);
    const frames = [tcp(99, 0x02, ''), tcp(106, 0x18, 'world'), tcp(100, 0x18, 'hello '), tcp(100, 0x18, 'hello ')].map((t) =>
      sll(ipv4(t)),
    );
    const [s] = streamOf(pcap(113, frames));
    expect(s?.data.toString()).toBe('hello world');
    expect([s?.src, s?.srcPort, s?.dst, s?.dstPort]).toEqual(['10.0.0.1', 40000, '10.0.0.2', 179]);
  });

  it('raw IPv6 (101) without a SYN', () => {
    const [s] = streamOf(pcap(101, [ipv6(tcp(5000, 0x18, 'abc')), ipv6(tcp(5003, 0x18, 'def'))]));
    expect(s?.data.toString()).toBe('abcdef');
    expect(s?.src).toBe('::1');
    expect(s?.chunks).toEqual([3, 3]);
  });

  it('BSD loopback (0) and Ethernet with an 802.1Q tag (1)', () => {
    const nullHdr = Buffer.from('02000000', 'hex'); // AF_INET, host order
    expect(streamOf(pcap(0, [Buffer.concat([nullHdr, ipv4(tcp(1, 0x18, 'x'))])]))[0]?.data.toString()).toBe('x');
    const eth = Buffer.from('000000000001' + '000000000002' + '8100' + '0005' + '0800', 'hex');
    expect(streamOf(pcap(1, [Buffer.concat([eth, ipv4(tcp(1, 0x18, 'y'))])]))[0]?.data.toString()).toBe('y');
  });

  it('refuses what it cannot read, and gaps', () => {
    expect(() => readPcap(Buffer.alloc(10))).toThrow(PcapError);
    expect(() => readPcap(Buffer.alloc(24))).toThrow(/magic/);
    expect(() => streamOf(pcap(101, [ipv4(tcp(1, 0x18, 'a')), ipv4(tcp(5, 0x18, 'b'))]))).toThrow(/gap/);
  });

  it('reads the fixtures: two directions each', () => {
    const s = readTcpStreams(FIXTURES + 'gobgp.pcap');
    expect(s.map((x) => `${x.src}:${x.srcPort}>${x.dst}:${x.dstPort} ${x.data.length}`).sort()).toEqual([
      '127.0.0.11:53119>127.0.0.1:1179 367',
      '127.0.0.1:1179>127.0.0.11:53119 84',
    ]);
  });
});
