import type { Logger } from '../log.ts';
import { formatBytes, formatRate, formatSeconds } from '../format.ts';

/** setInterval/clearInterval, injectable so tests drive the clock. */
export interface ProgressTimers {
  setInterval(tick: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface ProgressOptions {
  /** Bytes the whole transfer will send; grows with addTotal() as sizes become known. */
  readonly totalBytes: number;
  readonly logger: Pick<Logger, 'info'>;
  /** Seconds between two lines (default 5). */
  readonly intervalSeconds?: number;
  /** Milliseconds on a monotonic clock. */
  readonly now?: () => number;
  readonly timers?: ProgressTimers;
}

/** One try at sending one blob. A retry is a new attempt. */
export interface UploadAttempt {
  /** Bytes just sent: the upload's onBytes callback. */
  add(bytes: number): void;
  /** The attempt failed: its bytes no longer count as done, since a retry sends them again. */
  fail(): void;
  /** The registry answered: the attempt's bytes are in it. */
  done(): void;
}

const realTimers: ProgressTimers = {
  // unref: a progress line is never a reason to keep the process alive.
  setInterval: (tick, ms) => setInterval(tick, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/**
 * Prints a line every few seconds while at least one upload is in flight: bytes done, percentage, the rate
 * since the previous line. Bytes of a failed attempt are taken back out, so "done" never counts a byte twice.
 */
export class ProgressReporter {
  readonly #logger: Pick<Logger, 'info'>;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #timers: ProgressTimers;
  #total: number;
  /** Bytes of attempts that succeeded or are still running: sent, each byte once. */
  #done = 0;
  /**
   * Bytes of attempts the registry answered. Sent bytes may still sit in socket buffers and proxies (through a
   * slow proxy, "100%" showed ~2 s before the registry had the blob), so only these count as confirmed.
   */
  #confirmed = 0;
  /** Every byte put on the wire, failed attempts included: what the rate measures. */
  #sent = 0;
  #resent = 0;
  #failedAttempts = 0;
  #inFlight = 0;
  #timer: unknown;
  #startedAt: number | undefined;
  #endedAt: number | undefined;
  #lastLine: { at: number; sent: number } | undefined;

  constructor(options: ProgressOptions) {
    this.#total = Math.max(0, options.totalBytes);
    this.#logger = options.logger;
    this.#intervalMs = (options.intervalSeconds ?? 5) * 1000;
    this.#now = options.now ?? (() => performance.now());
    this.#timers = options.timers ?? realTimers;
  }

  get bytesDone(): number {
    return this.#done;
  }

  get totalBytes(): number {
    return this.#total;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** For blobs whose size is known only once prepared (a layer compressed during the push). */
  addTotal(bytes: number): void {
    this.#total += Math.max(0, bytes);
  }

  begin(): UploadAttempt {
    const now = this.#now();
    this.#startedAt ??= now;
    if (this.#inFlight++ === 0) {
      // The rate counts from here: idle time between two busy spells is no slow transfer.
      this.#lastLine = { at: now, sent: this.#sent };
      this.#timer = this.#timers.setInterval(() => this.#tick(), this.#intervalMs);
    }
    let bytes = 0;
    let open = true;
    const end = (): void => {
      open = false;
      this.#endedAt = this.#now();
      if (--this.#inFlight === 0) this.#stopTimer();
    };
    return {
      add: (n) => {
        if (!open || n <= 0) return;
        bytes += n;
        this.#done += n;
        this.#sent += n;
      },
      fail: () => {
        if (!open) return;
        this.#done -= bytes;
        this.#resent += bytes;
        this.#failedAttempts++;
        end();
      },
      done: () => {
        if (!open) return;
        this.#confirmed += bytes;
        end();
      },
    };
  }

  get bytesConfirmed(): number {
    return this.#confirmed;
  }

  /**
   * The line printed every interval, e.g. `uploading: 12.3 MB of 45.6 MB sent (27%), 8.0 MB confirmed by the
   * registry, 4.1 MB/s, 2 in flight`: what left this machine, and what the registry has acknowledged.
   */
  line(): string {
    const now = this.#now();
    const last = this.#lastLine ?? { at: now, sent: this.#sent };
    const seconds = (now - last.at) / 1000;
    const parts = [
      `uploading: ${formatBytes(this.#done)} of ${formatBytes(this.#total)} sent (${percent(this.#done, this.#total)})`,
      `${formatBytes(this.#confirmed)} confirmed by the registry`,
    ];
    if (seconds > 0) parts.push(formatRate(this.#sent - last.sent, seconds));
    parts.push(`${this.#inFlight} in flight`);
    return parts.join(', ');
  }

  /** One line for the end: what went up, how long it took, and what had to be sent again. */
  summary(): string {
    const seconds =
      this.#startedAt === undefined ? 0 : ((this.#endedAt ?? this.#now()) - this.#startedAt) / 1000;
    return formatTransferSummary({
      bytes: this.#done,
      seconds,
      failedAttempts: this.#failedAttempts,
      resentBytes: this.#resent,
    });
  }

  /** Stops the timer (also when uploads were abandoned mid-way). */
  stop(): void {
    this.#stopTimer();
  }

  #tick(): void {
    if (this.#inFlight === 0) return;
    this.#logger.info(this.line());
    this.#lastLine = { at: this.#now(), sent: this.#sent };
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    this.#timers.clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

export interface TransferTotals {
  readonly bytes: number;
  readonly seconds: number;
  readonly failedAttempts?: number;
  readonly resentBytes?: number;
}

/** `uploaded 45.6 MB in 11.0 s (4.1 MB/s); 2 failed attempts, 1.2 MB sent again`. */
export function formatTransferSummary(totals: TransferTotals): string {
  let line = `uploaded ${formatBytes(totals.bytes)} in ${formatSeconds(totals.seconds)}`;
  if (totals.seconds > 0) line += ` (${formatRate(totals.bytes, totals.seconds)})`;
  const failed = totals.failedAttempts ?? 0;
  if (failed > 0) {
    line += `; ${failed} failed attempt${failed === 1 ? '' : 's'}, ${formatBytes(totals.resentBytes ?? 0)} sent again`;
  }
  return line;
}

function percent(done: number, total: number): string {
  if (total <= 0) return '?%';
  return `${Math.min(100, Math.floor((done * 100) / total))}%`;
}
