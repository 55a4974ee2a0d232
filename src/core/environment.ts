/**
 * Reading an environment variable from the client core, which must import
 * nothing Node-only. `process` exists on Node, Bun and Deno (compat); Workers
 * have none. Deno without `--allow-env` throws on every read (NotCapable), so
 * a read that throws counts as unset: a client built without that permission
 * must still work from its options (regression: `TWILIO_VIDEO_DEBUG` crashed
 * every createVideoClient on Deno).
 */
type ProcessLike = { env?: Record<string, string | undefined> } | undefined;

/** The variable's value, or undefined when it is unset, there is no environment, or reading it is not allowed. */
export function environmentVariable(
  name: string,
  proc: ProcessLike = (globalThis as { process?: ProcessLike }).process,
): string | undefined {
  try {
    return proc?.env?.[name];
  } catch {
    return undefined;
  }
}
