// The controller HA scenarios of issue 12, run against each lease store (ha-etcd.test.ts, ha-kubernetes.test.ts):
// three `bgp2vpc run` replicas, two BIRD hosts peering with all three, the EC2 emulator recording who wrote.
// Safety assertions are exact (per access key, by the emulator's call sequence); waits are event-driven with
// generous deadlines; the one time bound is the documented takeover bound plus slack for a loaded machine.
// The table is aggregated (the cluster CIDR is don't-care space), so routes are checked by where an address goes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HaCluster, TAKEOVER_BOUND_MS, TTL_MS, type HaBackendKind, type Replica } from './ha-cluster.js';
import { waitFor } from './wait.js';

/** Timer lateness, process scheduling and the emulator on a loaded 2-core machine. */
const SLACK_MS = 2500;
const VIP = '100.72.200.10';

export function haScenarios(kind: HaBackendKind): void {
  describe(`controller HA with ${kind === 'etcd' ? 'a real etcd' : 'the Lease API emulator'}: 3 replicas, 2 BIRD hosts`, () => {
    let c: HaCluster;
    const writerOf = (key: string | null): string => c.replicaByKey(key)?.identity ?? `unknown key ${String(key)}`;

    beforeAll(async () => {
      c = await HaCluster.start({ backend: kind });
    }, 120_000);
    afterAll(async () => {
      await c?.stop();
    });

    /** Waits until every replica runs, answers, and agrees on one writing leader; returns it. */
    const settled = (): Promise<Replica> => c.leader();

    /** Waits until `address` is routed to host `h`. */
    const routedTo = (address: string, h: number, timeoutMs = 30_000): Promise<true> =>
      waitFor(() => c.routeTo(address) === c.eni(h), {
        timeoutMs,
        what: `${address} routed to host ${h + 1}`,
        describe: () => c.logTails(),
      });

    it('exactly one leader; the routes land once, all written by it', async () => {
      await routedTo('100.72.11.1', 0, 60_000);
      await routedTo('100.72.12.1', 1);
      // Both hosts announce the VIP; the one the leader heard first keeps it (so either may hold it).
      await waitFor(() => [c.eni(0), c.eni(1)].includes(c.routeTo(VIP) ?? ''), { what: `${VIP} routed to a host` });
      const leader = await settled();
      const writes = c.writes();
      expect(new Set(writes.map((w) => writerOf(w.accessKeyId)))).toEqual(new Set([leader.identity]));
      expect(writes.every((w) => w.outcome === 'ok')).toBe(true);
      // One claim, then one CreateRoute per route now in the table: nothing written twice, replaced or deleted.
      expect(writes.filter((w) => w.action === 'CreateTags')).toHaveLength(1);
      const created = writes.filter((w) => w.action === 'CreateRoute').map((w) => w.params.DestinationCidrBlock);
      expect(created.sort()).toEqual([...c.routes().keys()].sort());
      expect(writes).toHaveLength(created.length + 1);
      // The followers read (they plan too) but never write.
      for (const r of c.replicas.filter((x) => x !== leader))
        expect(c.emu.calls.filter((x) => x.accessKeyId === r.accessKey && x.mutating)).toEqual([]);
    });

    it('kill -9 the leader: another replica writes the next change within the takeover bound', async () => {
      const old = await settled();
      const since = c.emu.callLog.lastSeq;
      const t0 = performance.now();
      await old.kill();
      const { host, address } = await c.announceNeedingWrite('100.72.21.0/24');
      const w = await c.nextWrite(since, () => true, 'the first write of a new leader');
      const takeover = w.time - t0;
      expect(writerOf(w.accessKeyId)).not.toBe(old.identity);
      expect(takeover).toBeLessThan(TAKEOVER_BOUND_MS[kind] + SLACK_MS);
      console.log(`${kind}: kill -9 → first write by ${writerOf(w.accessKeyId)} after ${Math.round(takeover)} ms`);
      await routedTo(address, host);
      old.start(); // it comes back as a follower
      const leader = await settled();
      expect(leader.identity).toBe(writerOf(w.accessKeyId));
      expect(c.writes(since).every((x) => x.accessKeyId === w.accessKeyId)).toBe(true);
    });

    it('SIGSTOP the leader for 2 × TTL: another writes; resumed, the paused one makes no mutating call', async () => {
      const old = await settled();
      old.signal('SIGSTOP');
      const paused = c.emu.callLog.lastSeq;
      const t0 = performance.now();
      const first = await c.announceNeedingWrite('100.72.31.0/24');
      const w = await c.nextWrite(paused, () => true, 'the first write of the next leader');
      expect(writerOf(w.accessKeyId)).not.toBe(old.identity);
      await routedTo(first.address, first.host);
      await waitFor(() => performance.now() - t0 >= 2 * TTL_MS, { what: '2 × TTL' });
      old.signal('SIGCONT');
      // Resumed, it receives the change it slept through and plans it: it must see it is no longer the leader.
      await waitFor(async () => (await old.status())?.ha.role === 'follower', { what: 'the resumed replica to be a follower' });
      const second = await c.announceNeedingWrite('100.72.32.0/24');
      await routedTo(second.address, second.host);
      await settled();
      expect(c.writes(paused).filter((x) => x.accessKeyId === old.accessKey)).toEqual([]);
      expect(c.writes(paused).every((x) => x.accessKeyId === w.accessKeyId)).toBe(true);
    });

    it('SIGSTOP the leader in the middle of a pass: once resumed, it sends none of the writes it had left', async () => {
      const old = await settled();
      const since = c.emu.callLog.lastSeq;
      c.emu.faults.latency(400); // each EC2 answer takes 400 ms: the pass is still writing when we stop it
      const a = await c.announceNeedingWrite('100.72.51.0/24');
      const b = await c.announceNeedingWrite('100.72.77.0/24');
      await c.nextWrite(since, (x) => x.accessKeyId === old.accessKey, 'the leader to start writing');
      old.signal('SIGSTOP');
      const paused = c.emu.callLog.lastSeq;
      const t0 = performance.now();
      c.emu.faults.latency(0);
      const more = await c.announceNeedingWrite('100.72.52.0/24');
      const w = await c.nextWrite(paused, () => true, 'the first write of the next leader');
      expect(writerOf(w.accessKeyId)).not.toBe(old.identity);
      await routedTo(more.address, more.host);
      await waitFor(() => performance.now() - t0 >= 2 * TTL_MS, { what: '2 × TTL' });
      old.signal('SIGCONT');
      await waitFor(async () => (await old.status())?.ha.role === 'follower', { what: 'the resumed replica to be a follower' });
      for (const x of [a, b]) await routedTo(x.address, x.host);
      await settled();
      expect(c.writes(paused).filter((x) => x.accessKeyId === old.accessKey)).toEqual([]);
    });

    it('the lease store dies: no write after the deadline, nothing deleted, no writer reported; back: writing resumes', async () => {
      await settled();
      const before = c.routes();
      const prefixes = (await c.statuses())[0]!.status.prefixes;
      const since = c.emu.callLog.lastSeq;
      const t0 = performance.now();
      await c.storeDown();
      // Every replica says there is no writer once the leader's deadline (< TTL after its last renewal) passed.
      await waitFor(
        async () => {
          const s = await c.statuses();
          return s.length === 3 && s.every((x) => x.status.ha.role === 'follower' && !x.status.ha.writable && x.status.ha.leader === null);
        },
        { timeoutMs: TTL_MS + 10_000, what: 'no writer reported by any replica' },
      );
      expect(performance.now() - t0).toBeLessThan(TTL_MS + SLACK_MS);
      // A change while nobody may write: planned by all, written by none.
      const change = await c.announceNeedingWrite('100.72.41.0/24');
      await waitFor(async () => (await c.statuses()).every((x) => x.status.prefixes === prefixes + 1), {
        what: 'every replica to learn the change',
      });
      await new Promise((r) => setTimeout(r, 2000)); // a debounce and a pass, ten times over
      expect(c.writes(since).filter((x) => x.time > t0 + TTL_MS)).toEqual([]);
      expect(c.routes()).toEqual(before);
      await c.storeUp();
      const w = await c.nextWrite(since, (x) => x.time > t0 + TTL_MS, 'writing to resume', 60_000);
      await routedTo(change.address, change.host);
      const leader = await settled();
      expect(writerOf(w.accessKeyId)).toBe(leader.identity);
    });

    it('a host dies during a takeover: its routes still fail over once the new leader writes', async () => {
      const old = await settled();
      // The host the VIP goes to now (both announce it; which one won depends on which session came up first).
      const dying = c.routeTo(VIP) === c.eni(0) ? 0 : 1;
      const survivor = 1 - dying;
      expect(c.routeTo(VIP)).toBe(c.eni(dying));
      const since = c.emu.callLog.lastSeq;
      await Promise.all([old.kill(), c.hosts[dying]!.kill()]);
      await routedTo(VIP, survivor, 60_000);
      const writes = c.writes(since);
      expect(writes.length).toBeGreaterThan(0);
      expect(new Set(writes.map((x) => writerOf(x.accessKeyId))).size).toBe(1);
      expect(writerOf(writes[0]!.accessKeyId)).not.toBe(old.identity);
      // The survivor's own prefix still goes to it.
      expect(c.routeTo(`100.72.1${survivor + 1}.1`)).toBe(c.eni(survivor));
    });
  });
}
