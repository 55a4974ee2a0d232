/**
 * The parent-death guard the emulator's CLI uses, for the proxy's: `npx` and
 * `npm exec` put `npm → sh -c → node` between a CI step and the proxy, and on
 * SIGTERM npm exits at once without signalling its child, which would be left
 * running as an orphan with its out file open. Under npm, the proxy therefore
 * stops (as on SIGTERM) once its parent is gone; started any other way
 * (a shell's `&`), outliving the parent is intended and nothing is watched.
 */

/** How often the parent is checked (ms). */
export const PARENT_POLL_MS = 500;

/** Whether npm (npx, npm exec, npm run) started this process. */
export function startedByNpm(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.npm_command !== undefined || env.npm_lifecycle_event !== undefined;
}

/** Calls `onGone` once when the parent process changes (it died and we were re-parented); returns a stop function. */
export function watchParent(
  onGone: () => void,
  pollMs = PARENT_POLL_MS,
  ppid: () => number = () => process.ppid,
): () => void {
  const parent = ppid();
  const timer = setInterval(() => {
    if (ppid() === parent) return;
    clearInterval(timer);
    onGone();
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
