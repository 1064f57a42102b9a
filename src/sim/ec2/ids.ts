// Resource IDs shaped like EC2's (`vpc-` + 17 hex digits). Deterministic: a counter scrambled by a
// seed-derived mask (XOR keeps them unique), so two runs with the same seed hand out the same IDs.

const MASK_BITS = 68n; // 17 hex digits

export class IdAllocator {
  private counter = 0n;
  private readonly mask: bigint;
  private readonly taken = new Set<string>();

  constructor(seed = 1) {
    // splitmix-style scramble of the seed into a 68-bit mask
    let x = BigInt.asUintN(64, BigInt(Math.trunc(seed)) * 0x9e3779b97f4a7c15n + 0x632be59bd9b4e019n);
    x = BigInt.asUintN(64, (x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n);
    x = BigInt.asUintN(64, (x ^ (x >> 27n)) * 0x94d049bb133111ebn);
    this.mask = ((x ^ (x >> 31n)) << 4n) & ((1n << MASK_BITS) - 1n);
  }

  /** A fresh ID with this prefix, e.g. next('rtb') → 'rtb-0a1b2c3d4e5f60718'. */
  next(prefix: string): string {
    for (;;) {
      this.counter++;
      const id = `${prefix}-${(this.counter ^ this.mask).toString(16).padStart(17, '0')}`;
      if (!this.taken.has(id)) {
        this.taken.add(id);
        return id;
      }
    }
  }

  /** Records an ID chosen by the caller (state files may fix IDs) so next() never hands it out. */
  claim(id: string): void {
    this.taken.add(id);
  }
}
