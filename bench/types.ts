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

