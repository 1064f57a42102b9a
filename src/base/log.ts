// Logging: pino JSON to stderr by default, one `event` name per state change, child loggers per component
// and peer. Log an error once, where it is handled.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LogOptions {
  readonly level?: LevelWithSilent;
  /** 'json' (default) or 'pretty' (one compact human line per record, for the demo and terminals). */
  readonly format?: 'json' | 'pretty';
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const dest = opts.destination ?? process.stderr;
  if (opts.format === 'pretty') {
    const stream = {
      write(line: string): void {
        try {
          const rec = JSON.parse(line) as Record<string, unknown>;
          const { level: lv, time, msg, event, pid: _pid, hostname: _h, component, ...rest } = rec;
          const name = typeof lv === 'number' ? (pino.levels.labels[lv] ?? String(lv)) : String(lv);
          const ts = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
          const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
          dest.write(
            `${ts} ${name.padEnd(5)} ${component ? `[${String(component)}] ` : ''}${event ? `${String(event)}: ` : ''}${String(msg ?? '')}${extra}\n`,
          );
        } catch {
          dest.write(line);
        }
      },
    };
    return pino({ level, base: null }, stream);
  }
  return pino({ level, base: { pid: process.pid } }, dest);
}

/** A logger that drops everything (tests, pure library use). */
export const silentLogger: Logger = pino({ level: 'silent' });
