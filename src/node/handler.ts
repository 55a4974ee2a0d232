/**
 * twilio-video-ts/node/handler: the status callback handler for Node's
 * `http` server and Express/Connect (`(req, res)`). The entry point stays at
 * this path for the package's `exports`; the code lives with the other
 * server-side helpers in `src/server/`.
 *
 * @module twilio-video-ts/node/handler
 */
export * from "../server/node-handler.js";
