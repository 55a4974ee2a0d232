/**
 * twilio-video-ts/node: the same client for Node, over node:http / node:https
 * with keep-alive instead of fetch (measured in bench/; see README
 * "Performance"). Everything else is the core's: retries, timeouts,
 * abort, redirect refusal, size cap, errors. Passing `fetch` in the options
 * uses that fetch instead, as the core does.
 *
 * @module twilio-video-ts/node
 */
import { buildClient, type VideoClient, type VideoClientOptions } from "./core/client.js";
import { nodeExchange, type NodeExchangeOptions } from "./node/exchange.js";

export * from "./index.js";
export type { NodeExchangeOptions } from "./node/exchange.js";

/**
 * Options of the Node client ({@link createVideoClient} from
 * `twilio-video-ts/node`): every option of the core client, plus `agent`,
 * the keep-alive connection pool it owns.
 */
export interface NodeVideoClientOptions extends VideoClientOptions {
  /** Connection pool settings of the node:http agents this client owns. */
  agent?: NodeExchangeOptions;
}

/** {@link createVideoClient} of the core, on node:http with keep-alive. */
export function createVideoClient(options: NodeVideoClientOptions = {}): VideoClient {
  return buildClient(options, () => nodeExchange(options.agent));
}
