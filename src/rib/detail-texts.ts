// Change detail texts, interned per flush: a flip that moves 10k prefixes gives them one shared string instead of
// 10k concatenations (allocation there is GC time in the failover path).
export class DetailTexts {
  private readonly texts = new Map<string, Map<string, string>>();

  /** `head` and `tail` joined by one space (none when head already ends in one). */
  get(head: string, tail: string): string {
    let m = this.texts.get(head);
    if (!m) {
      m = new Map();
      this.texts.set(head, m);
    }
    let t = m.get(tail);
    if (t === undefined) {
      t = head.endsWith(' ') ? head + tail : `${head} ${tail}`;
      m.set(tail, t);
    }
    return t;
  }

  clear(): void {
    this.texts.clear();
  }
}
