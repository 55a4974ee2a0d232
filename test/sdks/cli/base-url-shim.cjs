/**
 * Points twilio-cli at a base URL (the emulator, or a proxy in front of it).
 *
 * twilio-cli has no base-URL setting: its hosts come from the OpenAPI documents
 * it bundles, TWILIO_EDGE / TWILIO_REGION only rename them (video.sydney.us1.twilio.com),
 * and HTTP_PROXY tunnels HTTPS with CONNECT, which a plain-HTTP loopback server
 * cannot answer without terminating TLS. So this preload (`node -r base-url-shim.cjs`)
 * wraps the CLI's own HTTP client, CliRequestClient, rewriting
 * https://video.twilio.com to VIDEO_BASE_URL. It also refuses every DNS lookup
 * but localhost, so nothing the CLI starts can reach the network.
 */
"use strict";
const dns = require("node:dns");
const path = require("node:path");

const TWILIO_VIDEO = "https://video.twilio.com";
const base = (process.env.VIDEO_BASE_URL || "").replace(/\/+$/, "");
if (!base) throw new Error("VIDEO_BASE_URL is not set");

const refuse = (host) =>
  Object.assign(new Error(`getaddrinfo ENOTFOUND ${host} (loopback only)`), { code: "ENOTFOUND", hostname: host });
const lookup = dns.lookup;
dns.lookup = function guardedLookup(host, ...rest) {
  if (host !== "localhost") {
    const callback = rest[rest.length - 1];
    process.nextTick(() => callback(refuse(host)));
    return {};
  }
  return lookup.call(dns, host, ...rest);
};
dns.promises.lookup = async (host, ...rest) => {
  if (host !== "localhost") throw refuse(host);
  return lookup.__promisify__
    ? lookup.__promisify__(host, ...rest)
    : require("node:util").promisify(lookup)(host, ...rest);
};

const cliRoot = path.dirname(require.resolve("twilio-cli/package.json"));
const httpClientPath = require.resolve("@twilio/cli-core/src/services/cli-http-client.js", { paths: [cliRoot] });
const CliRequestClient = require(httpClientPath);
const request = CliRequestClient.prototype.request;
CliRequestClient.prototype.request = function rewritten(opts) {
  const uri = opts && typeof opts.uri === "string" ? opts.uri : "";
  if (uri.startsWith(`${TWILIO_VIDEO}/`))
    return request.call(this, { ...opts, uri: base + uri.slice(TWILIO_VIDEO.length) });
  if (uri.startsWith(`${base}/`)) return request.call(this, opts);
  return Promise.reject(new Error(`refusing to leave loopback: ${uri}`));
};
