/**
 * Reading a form body or query string that the contract validator already
 * accepted: values are known to parse, so these readers only convert.
 */
export class Fields {
  constructor(private readonly params: URLSearchParams) {}

  has(name: string): boolean {
    return this.params.has(name);
  }

  str(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  bool(name: string): boolean | undefined {
    const v = this.params.get(name);
    return v === null ? undefined : v.toLowerCase() === "true";
  }

  int(name: string): number | undefined {
    const v = this.params.get(name);
    return v === null ? undefined : Number(v);
  }

  /** Repeated keys (`AudioSources=a&AudioSources=b`). */
  list(name: string): string[] | undefined {
    const all = this.params.getAll(name);
    return all.length === 0 ? undefined : all;
  }

  /** A JSON document serialised into one field (`VideoLayout`, `Rules`, …). */
  json<T>(name: string): T | undefined {
    const v = this.params.get(name);
    return v === null ? undefined : (JSON.parse(v) as T);
  }
}
