import cliProgress from 'cli-progress';

/** A progress display: a bar on a terminal (cli-progress), a plain line every few seconds otherwise. */
export interface Progress {
  update(value: number, extra?: Record<string, string | number>): void;
  stop(): void;
}

/**
 * A progress bar on `stream` (stderr): animated when it is a terminal, otherwise one line every
 * 5 seconds (logs of CI jobs and redirected output stay readable).
 *
 * @example
 * const bar = progressBar(process.stderr, 'import', total); bar.update(10); bar.stop();
 */
export function progressBar(stream: NodeJS.WritableStream, label: string, total: number | undefined, details = ''): Progress {
  const tty = (stream as NodeJS.WriteStream).isTTY === true;
  const format = total
    ? `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted} | ETA {eta_formatted}${details}`
    : `${label} {value} | {duration_formatted}${details}`;
  const bar = new cliProgress.SingleBar(
    { format, stream, noTTYOutput: !tty, notTTYSchedule: 5000, hideCursor: tty, etaBuffer: 200, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total ?? 0, 0, {});
  return {
    update: (value, extra) => bar.update(value, extra ?? {}),
    stop: () => bar.stop(),
  };
}
