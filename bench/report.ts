/**
 * The benchmark's JSON document, the issue's targets checked against it, and
 * the Markdown table the README shows (written by scripts/bench-readme.ts;
 * never typed by hand).
 */
import type { BundleSize } from "./bundle-size.js";
import type { ScenarioResult } from "./scenarios.js";

export interface Target {
  what: string;
  value: number | null;
  limit: string;
  met: boolean;
}

export interface BenchReport {
  date: string;
  machine: {
    cpus: number;
    model: string;
    memoryGB: number;
    node: string;
    platform: string;
    pinned?: boolean;
    loadavg: number[];
  };
  quick: boolean;
  sizes: Record<string, number>;
  contestants: Record<string, string>;
  scenarios: ScenarioResult[];
  bundles: Record<string, BundleSize>;
  targets: Target[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function evaluateTargets(report: BenchReport): Target[] {
  const scenario = (id: string) => report.scenarios.find((s) => s.id === id);
  const ratio = (id: string, who: string) => scenario(id)?.results[who]?.ratio ?? null;
  const targets: Target[] = [];
  const atMost = (what: string, value: number | null, limit: number) =>
    targets.push({
      what,
      value: value === null ? null : round2(value),
      limit: `≤ ${limit}`,
      met: value !== null && value <= limit,
    });
  const atLeast = (what: string, value: number | null, limit: number) =>
    targets.push({
      what,
      value: value === null ? null : round2(value),
      limit: `≥ ${limit}`,
      met: value !== null && value >= limit,
    });
  /** Ours over twilio-node, as a time ratio (< 1: ours is faster). */
  const versusTwilio = (id: string, who: string) => {
    const mine = ratio(id, who);
    const theirs = ratio(id, "twilio");
    if (mine === null || theirs === null) return null;
    return scenario(id)!.better === "higher" ? theirs / mine : mine / theirs;
  };

  // Issue #21: the default transport (fetch, hooks unset) within 5% of raw fetch one at a time, 90% of its throughput.
  atMost("ours A (time ÷ raw fetch)", ratio("A", "ours"), 1.05);
  atLeast("ours B (throughput ÷ raw fetch)", ratio("B", "ours"), 0.9);
  atMost("ours C (time ÷ raw fetch)", ratio("C", "ours"), 1.15);
  atMost("ours D (time ÷ raw fetch)", ratio("D", "ours"), 1.1);
  const growth = scenario("D")?.results.ours?.rssGrowthMB;
  targets.push({
    what: "ours D peak RSS growth (MB)",
    value: growth ?? null,
    limit: "< 30",
    met: growth !== undefined && growth < 30,
  });
  for (const id of ["A", "B", "D"]) atMost(`ours ${id} vs twilio-node (time ratio)`, versusTwilio(id, "ours"), 1);
  for (const id of ["A", "D"]) {
    const plain = ratio(id, "ours");
    const validating = ratio(id, "ours-validate");
    atMost(`validate (warn) ${id} ÷ ours ${id}`, plain && validating ? validating / plain : null, 1.1);
  }
  atMost("ours-node A (time ÷ raw fetch)", ratio("A", "ours-node"), 0.7);
  atLeast("ours-node B (throughput ÷ raw fetch)", ratio("B", "ours-node"), 2);
  atMost("ours-node C (time ÷ raw fetch)", ratio("C", "ours-node"), 0.7);
  for (const id of ["A", "B", "C", "D", "cold"])
    atMost(`ours-node ${id} vs twilio-node (time ratio)`, versusTwilio(id, "ours-node"), 1);
  return targets;
}

function cell(result: ScenarioResult, id: string): string {
  const r = result.results[id];
  if (!r) return "";
  const ratio = r.ratio === null ? "" : r.ratio.toFixed(2);
  if (result.better === "higher") return `${Math.round(r.median).toLocaleString("en-US")} (${ratio}×)`;
  return ratio;
}

/** The Markdown the README shows between its bench markers. */
export function renderTable(report: BenchReport): string {
  const ids = Object.keys(report.contestants);
  const header = `| scenario | ${ids.map((id) => report.contestants[id]).join(" | ")} |`;
  const rule = `| --- | ${ids.map(() => "---").join(" | ")} |`;
  const rows = report.scenarios.map(
    (s) =>
      `| ${s.id === "cold" ? "" : `${s.id} `}${s.title}${s.better === "higher" ? ", req/s (× raw fetch)" : ""} | ${ids.map((id) => cell(s, id)).join(" | ")} |`,
  );
  const withCpu = report.scenarios.filter((s) => Object.values(s.results).some((r) => r.cpu));
  if (withCpu.length > 0) {
    rows.push(
      `| CPU time of the client ÷ raw fetch's (${withCpu.map((s) => s.id).join(" / ")}) | ${ids.map((id) => withCpu.map((s) => s.results[id]?.cpu?.ratio?.toFixed(2) ?? "–").join(" / ")).join(" | ")} |`,
    );
  }
  const d = report.scenarios.find((s) => s.id === "D");
  if (d)
    rows.push(
      `| D peak RSS growth, MB | ${ids.map((id) => (d.results[id]?.rssGrowthMB ?? "").toString()).join(" | ")} |`,
    );
  rows.push(
    `| bundle listing rooms, min + gzip KiB | ${ids.map((id) => (report.bundles[id] ? (report.bundles[id]!.gzip / 1024).toFixed(1) : "")).join(" | ")} |`,
  );
  const raw = (id: string) => report.scenarios.find((s) => s.id === id)?.results["raw-fetch"];
  const base = ["A", "C", "D", "cold"]
    .map((id) => {
      const s = report.scenarios.find((x) => x.id === id);
      return s && raw(id) ? `${id} ${raw(id)!.median.toFixed(id === "D" || id === "cold" ? 0 : 1)} ${s.unit}` : "";
    })
    .filter(Boolean)
    .join(", ");
  const m = report.machine;
  const met = report.targets.filter((t) => t.met).length;
  return [
    `Measured ${report.date.slice(0, 10)} on ${m.cpus} × ${m.model}, ${m.memoryGB} GB, ${m.platform}, Node ${m.node}${m.pinned ? ", server and contestants pinned to CPUs of their own" : ""} (load average ${m.loadavg.join(", ")} at the end)${report.quick ? ", quick sizes" : ""}.`,
    `Time scenarios show time ÷ raw fetch in the same run (lower is better; median over rounds of per-round ratios); raw fetch itself: ${base}.`,
    "",
    header,
    rule,
    ...rows,
    "",
    `Targets met: ${met} of ${report.targets.length}${
      report.targets.some((t) => !t.met)
        ? ` (missed: ${report.targets
            .filter((t) => !t.met)
            .map((t) => `${t.what} = ${t.value ?? "n/a"}, want ${t.limit}`)
            .join("; ")})`
        : ""
    }.`,
  ].join("\n");
}
