/**
 * Records kept in creation order (ascending `seq`) so a list can be paged
 * without copying or sorting it: positions are found by binary search, and a
 * page reads only its own items. The store's indexes (rooms by status,
 * children by room) are SeqLists.
 */

export interface Sequenced {
  seq: number;
}

/** Read access to a list in list order: what paging needs. */
export interface ListView<T> {
  readonly length: number;
  at(index: number): T;
}

export class SeqList<T extends Sequenced> implements ListView<T> {
  private items: T[] = [];

  get length(): number {
    return this.items.length;
  }

  at(index: number): T {
    return this.items[index]!;
  }

  /** Inserts in seq order; appending (a new record) costs O(1). */
  add(item: T): void {
    const last = this.items.at(-1);
    if (!last || last.seq < item.seq) {
      this.items.push(item);
      return;
    }
    this.items.splice(this.lowerBound(item.seq), 0, item);
  }

  remove(item: T): void {
    const i = this.lowerBound(item.seq);
    if (this.items[i] === item) this.items.splice(i, 1);
  }

  /** First index whose seq is ≥ `seq`. */
  lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  toArray(): T[] {
    return [...this.items];
  }

  /** The list newest first, without copying. */
  descending(): ListView<T> {
    const items = this.items;
    return {
      get length() {
        return items.length;
      },
      at: (i) => items[items.length - 1 - i]!,
    };
  }
}

/** An array already in list order as a view. */
export function arrayView<T>(items: readonly T[]): ListView<T> {
  return { length: items.length, at: (i) => items[i]! };
}

/**
 * First index in `view` whose item lies strictly after `anchorSeq` in list
 * order (`view.length` when none). The view must be ordered by seq,
 * ascending for "asc" and descending for "desc".
 */
export function firstAfter<T extends Sequenced>(view: ListView<T>, anchorSeq: number, order: "asc" | "desc"): number {
  let lo = 0;
  let hi = view.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const seq = view.at(mid).seq;
    const after = order === "desc" ? seq < anchorSeq : seq > anchorSeq;
    if (after) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
