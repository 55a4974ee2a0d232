/**
 * The progress line of a long conformance run, on stderr and only when stderr
 * is a terminal (CI logs and pipes get nothing): recordings done, rate, share
 * of the input read and the estimated time left. Redrawn at most 5 times a
 * second, erased at the end so the report reads cleanly.
 */
export class Progress {
  private readonly started: number;
  private lastDrawn = 0;
  private drawn = false;
  private bytes = 0;
  private done = 0;

  constructor(
    private readonly write: ((text: string) => void) | undefined,
    /** Total input bytes, when known (not for stdin). */
    private readonly totalBytes: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  addBytes(n: number): void {
    this.bytes += n;
  }

  recordingsDone(n: number): void {
    this.done += n;
    if (!this.write) return;
    const t = this.now();
    if (t - this.lastDrawn < 200) return;
    this.lastDrawn = t;
    this.write(`\r\u001b[K${this.line(t)}`);
    this.drawn = true;
  }

  line(t = this.now()): string {
    const seconds = Math.max((t - this.started) / 1000, 0.001);
    const rate = this.done / seconds;
    const parts = [
      `checked ${this.done.toLocaleString("en-US")} recording(s)`,
      `${Math.round(rate).toLocaleString("en-US")}/s`,
    ];
    if (this.totalBytes !== undefined && this.totalBytes > 0) {
      const share = Math.min(this.bytes / this.totalBytes, 1);
      parts.push(`${Math.floor(share * 100)}% of input`);
      if (share > 0.01) parts.push(`ETA ${formatDuration((seconds / share) * (1 - share))}`);
    }
    return parts.join(" · ");
  }

  end(): void {
    if (this.write && this.drawn) this.write("\r\u001b[K");
    this.drawn = false;
  }
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
