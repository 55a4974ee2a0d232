/**
 * twilio-video-ts/node: the same client for Node, over node:http / node:https
 * with keep-alive instead of fetch (measured in bench/; see README
 * "Performance"). Everything else is the core's: retries, timeouts,
 * abort, redirect refusal, size cap, errors. Passing `fetch` in the options
 * uses that fetch instead, as the core does.
 *
 * @module twilio-video-ts/node
 */
import { buildClient, CLIENT_OPTION_NAMES, type VideoClient, type VideoClientOptions } from "./core/client.js";
import { checkExchangeOptions, nodeExchange, type NodeExchangeOptions } from "./node/exchange.js";

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
  // Checked even when `fetch` makes the agent unused: a misspelt pool setting is a mistake either way.
  checkExchangeOptions(options?.agent);
  return buildClient(options, () => nodeExchange(options.agent), NODE_OPTION_NAMES);
}

const NODE_OPTION_NAMES: ReadonlySet<string> = new Set([...CLIENT_OPTION_NAMES, "agent"]);
