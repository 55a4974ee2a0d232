/**
 * A conformance worker thread: compiles the validator once, then checks
 * batches of work items posted by the main thread and answers with their
 * outcomes, tagged with the batch id (the main thread restores the order).
 */
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { ItemChecker, type WorkItem } from "./check.js";
import { createContractValidator } from "./index.js";

export interface WorkerConfig {
  strict: boolean;
  baseUrls: string[];
  /** A request the API refused with a 4xx is a negative test (--expect-invalid-requests). */
  expectInvalidRequests?: boolean;
  /** The largest item read (--max-item-mb), in bytes. */
  maxItemBytes?: number;
  /** Absolute path of a --spec document (already checked by the main thread). */
  specPath?: string;
}

const config = workerData as WorkerConfig;
const document =
  config.specPath !== undefined ? (JSON.parse(readFileSync(config.specPath, "utf8")) as object) : undefined;
const checker = new ItemChecker(
  createContractValidator({
    strict: config.strict,
    baseUrls: config.baseUrls,
    expectInvalidRequests: config.expectInvalidRequests === true,
    ...(document ? { document } : {}),
  }),
  config.baseUrls,
  config,
);

// Outcomes travel as one JSON string: plain data, which a string carries more cheaply than a structured clone.
parentPort!.on("message", (message: { id: number; items: WorkItem[] }) => {
  parentPort!.postMessage({
    id: message.id,
    outcomes: JSON.stringify(message.items.map((item) => checker.check(item))),
  });
});
