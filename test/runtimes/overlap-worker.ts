// A Worker whose requests share one client (module scope, as apps do): GET
// /first makes a call the upstream answers after 100 ms; GET /second, sent
// while /first is in flight, makes one the upstream never answers. /first
// ends before /second's deadline, and workerd then cancels every timer armed
// in /first's I/O context (issue #21).
import { createVideoClient, type VideoClient } from "../../src/index.js";

let shared: VideoClient | undefined;
const SLOW = "RMbeef0123456789abcdef012345678901";
const DEAD = "RMdead0123456789abcdef012345678901";

export default {
  async fetch(request: Request, env: { API: string }): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path !== "/first" && path !== "/second") return new Response("ready");
    shared ??= createVideoClient({
      apiKeySid: "SK0123456789abcdef0123456789abcdef",
      apiKeySecret: "s",
      baseUrl: env.API,
      timeoutMs: 300,
      maxRetries: 0,
    });
    const started = Date.now();
    try {
      const room = await shared.rooms.get(path === "/first" ? SLOW : DEAD);
      return Response.json({ ok: true, sid: room.sid, after: Date.now() - started });
    } catch (error) {
      return Response.json({
        ok: false,
        error: (error as Error).name,
        message: (error as Error).message,
        after: Date.now() - started,
      });
    }
  },
};
