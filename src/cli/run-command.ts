// `bgp2vpc run -c FILE`: the daemon. A bad config exits 1 with every error as file:line:col. SIGTERM/SIGINT stop
// gracefully (Cease to peers, no route deleted in AWS; a second signal exits at once); SIGHUP reloads the config
// and keeps the running one when the new file is invalid. An error escaping a handler is logged with context and
// the daemon carries on: a peer's or AWS's mistake must not take routing down.
import { loadConfig } from '../config/index.js';
import { createLogger, type Logger } from '../base/log.js';
import { errorMessage } from '../base/errors.js';
import { runDaemon } from '../daemon/run-daemon.js';

export async function runCommand(opts: Record<string, unknown>, _args: readonly string[]): Promise<number> {
  const file = String(opts.config);
  const config = loadConfig(file);
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  logger.info({ event: 'starting', config: file, cluster: config.cluster.name, pid: process.pid }, `bgp2vpc starting with ${file}`);
  const onUncaught = (err: unknown, origin: string): void => {
    logger.error({ event: 'uncaught_error', origin, err }, `uncaught ${origin} (daemon continues): ${errorMessage(err)}`);
  };
  const onRejection = (reason: unknown): void => onUncaught(reason, 'unhandledRejection');
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);

  const running = await runDaemon(config, { logger });
  logger.info({ event: 'api_ready', url: running.api.url }, `API on ${running.api.url} (status: bgp2vpc status --api ${running.api.url})`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        logger.warn({ event: 'forced_exit', signal }, `second ${signal}: exiting now`);
        process.exit(1);
      }
      stopping = true;
      logger.info({ event: 'signal', signal }, `${signal}: stopping`);
      running
        .stop()
        .catch((err: unknown) => logger.error({ event: 'stop_error', err }, `stop failed: ${errorMessage(err)}`))
        .finally(() => {
          process.off('SIGHUP', onHup);
          process.off('uncaughtException', onUncaught);
          process.off('unhandledRejection', onRejection);
          resolve(0);
        });
    };
    const onHup = (): void => void reload(file, logger, running.parts.reload);
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', onHup);
  });
}

async function reload(file: string, logger: Logger, apply: (c: ReturnType<typeof loadConfig>) => Promise<string[]>): Promise<void> {
  let next;
  try {
    next = loadConfig(file);
  } catch (err) {
    logger.error(
      { event: 'reload_rejected', err: errorMessage(err) },
      `SIGHUP: ${file} is invalid, keeping the running config:\n${errorMessage(err)}`,
    );
    return;
  }
  try {
    const needRestart = await apply(next);
    logger.info(
      { event: 'reloaded', needRestart },
      needRestart.length ? `config reloaded; changes to ${needRestart.join(', ')} take effect after a restart` : 'config reloaded',
    );
  } catch (err) {
    logger.error({ event: 'reload_failed', err }, `SIGHUP: applying ${file} failed: ${errorMessage(err)}`);
  }
}
