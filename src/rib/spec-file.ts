// The route spec file (vpc-router 'configfile' mode): read at start, then watched. fs.watch on the directory
// (editors replace files by rename, which a watch on the file itself loses) plus a stat poll as fallback
// (network filesystems, ConfigMap symlink swaps). A bad file is rejected with `file:line:col: message` and the
// last good spec stays in force.
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '../base/clock.js';
import { silentLogger, type Logger } from '../base/log.js';
import { UserError, errorMessage } from '../base/errors.js';
import { decodeUtf8, InvalidUtf8Error } from '../base/utf8-text.js';
import { parseRouteSpec, type SpecEntry } from './spec-format.js';

export interface SpecFileOptions {
  readonly path: string;
  /** Stat poll interval (ms), the fallback when fs.watch misses a change. Default 2000. */
  readonly pollMs?: number;
  /** Quiet time after a change event before reading (ms): editors write in several steps. Default 100. */
  readonly debounceMs?: number;
  readonly clock?: Clock;
  readonly log?: Logger;
}

export interface SpecFileEvents {
  /** A new valid spec (also the initial one). */
  onSpec(entries: readonly SpecEntry[]): void;
  /** A read or parse failure; the previous spec stays. */
  onError?(err: Error): void;
}

export class SpecFileError extends UserError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ROUTE_SPEC_FILE', message, options);
  }
}

/** Reads and parses a route spec file; errors carry `file:line:col: message`. */
export async function loadSpecFile(path: string): Promise<SpecEntry[]> {
  return parseRouteSpec(await readSpecText(path), path);
}

/** The file's text; unreadable or not UTF-8 (with the position of the first bad byte) is a SpecFileError. */
async function readSpecText(path: string, also = ''): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new SpecFileError(`${path}: cannot read route spec file: ${errorMessage(err)}${also}`, { cause: err });
  }
  try {
    return decodeUtf8(bytes);
  } catch (err) {
    if (!(err instanceof InvalidUtf8Error)) throw err;
    throw new SpecFileError(`${path}:${err.line}:${err.col}: ${err.message}${also}`, { cause: err });
  }
}

export class SpecFileWatcher {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly debounceMs: number;
  private watcher: FSWatcher | undefined;
  private pollTimer: TimerHandle | undefined;
  private debounce: TimerHandle | undefined;
  private lastSig = '';
  private lastText: string | undefined;
  private reading = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly opts: SpecFileOptions,
    private readonly events: SpecFileEvents,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.log ?? silentLogger).child({ component: 'route-spec-file' });
    this.pollMs = opts.pollMs ?? 2000;
    this.debounceMs = opts.debounceMs ?? 100;
  }

  /** Loads the file (must exist and be valid, as vpc-router requires at start), then watches it. */
  async start(): Promise<readonly SpecEntry[]> {
    const text = await readSpecText(this.opts.path);
    const entries = parseRouteSpec(text, this.opts.path);
    this.lastText = text;
    this.lastSig = await this.signature();
    this.events.onSpec(entries);
    try {
      // Any event in the directory triggers a (debounced) re-read: Kubernetes ConfigMap volumes swap a `..data`
      // symlink and never touch the file's own name. An unchanged text is ignored after reading.
      this.watcher = watch(dirname(this.opts.path), { persistent: false }, () => this.schedule());
      this.watcher.on('error', (err) => {
        this.log.warn({ event: 'route_spec_watch_failed', err: errorMessage(err) }, 'fs.watch failed; polling only');
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (err) {
      this.log.warn({ event: 'route_spec_watch_failed', err: errorMessage(err) }, 'fs.watch unavailable; polling only');
    }
    this.poll();
    return entries;
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    this.pollTimer?.cancel();
    this.debounce?.cancel();
  }

  private poll(): void {
    if (this.stopped) return;
    this.pollTimer = this.clock.setTimeout(() => {
      void this.signature().then((sig) => {
        if (sig !== this.lastSig) this.schedule();
        this.poll();
      });
    }, this.pollMs);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.debounce?.cancel();
    this.debounce = this.clock.setTimeout(() => void this.reload(), this.debounceMs);
  }

  private async signature(): Promise<string> {
    try {
      const s = await stat(this.opts.path);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  private async reload(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      this.lastSig = await this.signature();
      const text = await readSpecText(this.opts.path, '; keeping the last good spec');
      if (text === this.lastText || this.stopped) return;
      const entries = parseRouteSpec(text, this.opts.path);
      this.lastText = text;
      this.log.info({ event: 'route_spec_loaded', prefixes: entries.length }, 'route spec file loaded');
      this.events.onSpec(entries);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      this.log.error({ event: 'route_spec_rejected', err: e.message }, 'route spec file rejected; keeping the last good spec');
      this.events.onError?.(e);
    } finally {
      this.reading = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }
}
