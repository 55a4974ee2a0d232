// The probe as a workerd module. Kept apart from probe.ts because Bun serves
// HTTP when the file it runs has a default export with `fetch`, and workerd
// takes every named export of its main module for a handler.
import { runProbe } from "./probe.js";

export default {
  /** GET /probe runs the probe against the API binding; any other path answers "ready". */
  async fetch(request: Request, env: { API: string }): Promise<Response> {
    if (new URL(request.url).pathname !== "/probe") return new Response("ready");
    return Response.json(await runProbe(env.API));
  },
};
