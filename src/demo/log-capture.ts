// Collects the in-process daemon's log records for the demo's live view (instead of writing them over it), and
// optionally passes selected ones on as plain lines.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../base/log.js';

export interface LogRecord {
  readonly time: number;
  readonly level: number;
  readonly event: string;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export class LogCapture {
  readonly records: LogRecord[] = [];
  readonly logger: Logger;
  private readonly listeners: ((r: LogRecord) => void)[] = [];

  constructor(
    private readonly capacity = 500,
    level: 'info' | 'debug' = 'info',
  ) {
    const stream = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        for (const line of chunk.toString('utf8').split('\n')) if (line) this.add(line);
        cb();
      },
    });
    this.logger = createLogger({ level, destination: stream });
  }

  onRecord(fn: (r: LogRecord) => void): void {
    this.listeners.push(fn);
  }

  private add(line: string): void {
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const { time, level, event, msg, pid: _p, hostname: _h, ...fields } = rec;
    const r: LogRecord = {
      time: typeof time === 'number' ? time : Date.now(),
      level: typeof level === 'number' ? level : 30,
      event: typeof event === 'string' ? event : '',
      msg: typeof msg === 'string' ? msg : '',
      fields,
    };
    this.records.push(r);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
    for (const l of this.listeners) l(r);
  }
}
