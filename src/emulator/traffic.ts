/**
 * The traffic log: every API exchange, kept in the contract suite's recording
 * format so the contract validator and the conformance CLI can check what the
 * emulator answered. Authorization headers are never kept.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Recording } from "../contract/index.js";

/** One API exchange with the emulator, in the contract recording format. */
export type TrafficRecording = Recording;

interface Entry {
  /** The operation the request matched, when it matched one (names the written file). */
  operationId: string | undefined;
  recording: Recording;
}

/** Options of `Emulator.writeRecordings()`. */
export interface WriteRecordingsOptions {
  /**
   * Origin written into the recordings in place of the emulator's (default
   * `https://video.twilio.com`), so they validate like recordings of the real
   * API; pass `null` to keep the emulator's URLs.
   */
  baseUrl?: string | null;
}

const MAX_ENTRIES = 10_000;

export class TrafficLog {
  private entries: Entry[] = [];

  add(recording: Recording, operationId?: string): void {
    this.entries.push({ recording, operationId });
    // A long-running emulator must not grow without bound; the oldest go first.
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(): TrafficRecording[] {
    return this.entries.map((e) => structuredClone(e.recording));
  }

  clear(): void {
    this.entries = [];
  }

  /** Writes one JSON file per exchange (`0001-CreateRoom.json`, …); answers with the paths written. */
  async write(dir: string, apiOrigin: string, options: WriteRecordingsOptions = {}): Promise<string[]> {
    const target = options.baseUrl === undefined ? "https://video.twilio.com" : options.baseUrl;
    await mkdir(dir, { recursive: true });
    const files: string[] = [];
    let n = 0;
    for (const { operationId, recording } of this.entries) {
      let text = JSON.stringify(recording, null, 2);
      if (target) text = text.replaceAll(apiOrigin, target.replace(/\/+$/, ""));
      const file = join(dir, `${String(++n).padStart(4, "0")}-${operationId ?? "unmatched"}.json`);
      await writeFile(file, `${text}\n`);
      files.push(file);
    }
    return files;
  }
}
