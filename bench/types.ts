/**
 * What every contestant does, apart from the contestants themselves (which
 * import packages installed in bench/ only), so the README writer and the
 * root typecheck never need them.
 */
export interface Runner {
  get(): Promise<unknown>;
  create(): Promise<unknown>;
  /** Visits rooms until the list ends or `limit` were seen; calls `onPage` after every page. Returns the count. */
  iterate(limit: number, onPage: () => void): Promise<number>;
  close?(): Promise<void>;
}

export interface Contestant {
  id: string;
  label: string;
  make(origin: string): Runner;
}

/** One slice of work bench/run.ts sends a contestant's process (bench/contestant-process.ts). */
export type Command =
  | { kind: "sequential"; op: "get" | "create"; count: number }
  | { kind: "concurrent"; count: number; inFlight: number }
  /**
   * Iterate rooms from the first page: `count` of them, or the whole list
   * when null; with `measureRss`, from a collected heap, sampling RSS after
   * every page.
   */
  | { kind: "iterate"; count: number | null; measureRss?: boolean };

/** What a contestant's process measured for one slice. */
export interface SliceResult {
  /** Wall time of the slice. */
  ms: number;
  /** The contestant process's own CPU time (user + system) during the slice. */
  cpuMs: number;
  /** Requests made (rooms seen, for an iteration). */
  requests: number;
  /** Iterations only: peak RSS growth over the slice, from a collected heap. */
  rssGrowthMB?: number;
}
