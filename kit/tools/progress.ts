/**
 * Progress of a long count (records produced): a live bar with records/s and ETA on a terminal, plain
 * periodic lines elsewhere (CI logs, `| tee`, the demo's captured output), or nothing when a caller
 * reports by itself. `update` is cheap (it stores a number); drawing runs on its own timer.
 */
import cliProgress from 'cli-progress';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly mode: ProgressMode;
  readonly total: number;
  /** First word of each line / the bar, e.g. `produce`. */
  readonly label: string;
  /** Where plain lines go; default console.log. */
  readonly write?: (line: string) => void;
  /** Seconds between plain lines; default 2. */
  readonly intervalSeconds?: number;
}

/** Records per second over the last window, so a stall shows at once instead of being averaged away. */
class RateWindow {
  #lastAt = performance.now();
  #lastDone = 0;
  #rate = 0;

  sample(done: number): number {
    const now = performance.now();
    const seconds = (now - this.#lastAt) / 1000;
    if (seconds >= 0.5) {
      this.#rate = (done - this.#lastDone) / seconds;
      this.#lastAt = now;
      this.#lastDone = done;
    }
    return this.#rate;
  }
}

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function progressLine(label: string, done: number, total: number, rate: number): string {
  const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
  const eta = rate > 0 ? formatEta((total - done) / rate) : '?';
  return `${label}: ${done}/${total} records (${percent}%), ${Math.round(rate)} records/s, ETA ${eta}`;
}

export function startProgress(options: ProgressOptions): Progress {
  const mode = options.mode === 'auto' ? (process.stdout.isTTY ? 'bar' : 'lines') : options.mode;
  if (mode === 'none') return { update() {}, stop() {} };
  const window = new RateWindow();
  let done = 0;

  let tick: () => void;
  let intervalMs: number;
  let finish = (): void => {};
  if (mode === 'lines') {
    const write = options.write ?? ((line: string) => console.log(line));
    tick = () => write(progressLine(options.label, done, options.total, window.sample(done)));
    intervalMs = (options.intervalSeconds ?? 2) * 1000;
  } else {
    const bar = new cliProgress.SingleBar(
      {
        format: `${options.label} [{bar}] {percentage}% | {value}/{total} records | {speed} records/s | ETA {eta_formatted}`,
        stream: process.stdout,
        hideCursor: true,
        barsize: 30,
        fps: 10,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(options.total, 0, { speed: 0 });
    tick = () => bar.update(done, { speed: Math.round(window.sample(done)) });
    intervalMs = 200;
    finish = () => {
      tick();
      bar.stop();
    };
  }
  const timer = setInterval(tick, intervalMs);
  // Never what keeps the process alive.
  timer.unref();
  return {
    update(value) {
      done = value;
    },
    stop() {
      clearInterval(timer);
      finish();
    },
  };
}
