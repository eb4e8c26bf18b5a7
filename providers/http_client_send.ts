/**
 * One outbound HTTP request for an actor: the waSCC `Request` struct sent
 * with fetch under the binding's time limit, response size limit, host
 * allow list and redirect limit.
 *
 * @module
 */
import type { HttpRequestStruct, HttpResponseStruct } from "./http_mapping.ts";
import type { HttpClientConfig } from "./http_client_config.ts";
import { isHostAllowed } from "./host_allow_list.ts";
import {
  readHttpResponse,
  shownUrl,
  TIMED_OUT,
  transportError,
} from "./http_client_response.ts";

/** What one fetch sends; a redirect makes the next one. */
interface Hop {
  url: URL;
  method: string;
  headers: Headers;
  body: Uint8Array<ArrayBuffer> | null;
}

// Headers that describe one connection or that fetch computes itself.
const CONNECTION_HEADERS = new Set([
  "connection",
  "content-length",
  "host",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);
const BODY_HEADERS = [
  "content-encoding",
  "content-language",
  "content-location",
  "content-type",
];
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);
const NORMALISED_METHODS = new Set([
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "POST",
  "PUT",
]);

/**
 * Sends `request` and reads the whole response. `request.path` carries the
 * absolute http(s) URL; a non-empty `queryString` is appended after `?`
 * (after `&` when the URL already has a query). The time limit covers
 * redirects and the response body; redirects are followed here so each
 * target is checked against the allow list. A non-2xx status is a
 * response, not an error. Rejects with a TypeError for a request that
 * cannot be sent, a RangeError past a size or redirect limit, and an Error
 * naming the URL for a network failure, the time limit or `cancel`.
 */
export async function sendHttpRequest(
  request: HttpRequestStruct,
  config: HttpClientConfig,
  cancel?: AbortSignal,
): Promise<HttpResponseStruct> {
  const hop = firstHop(request);
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(TIMED_OUT),
    config.timeoutMs,
  );
  const onCancel = () => controller.abort(cancel?.reason);
  cancel?.addEventListener("abort", onCancel);
  if (cancel?.aborted) onCancel();

  try {
    return await follow(hop, config, controller.signal);
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener("abort", onCancel);
  }
}

async function follow(
  first: Hop,
  config: HttpClientConfig,
  signal: AbortSignal,
): Promise<HttpResponseStruct> {
  let hop = first;
  let from: URL | undefined;
  for (let redirects = 0;; redirects += 1) {
    checkTarget(hop.url, config, from);
    const response = await fetchHop(hop, config, signal);
    const next = config.maxRedirects > 0 ? redirectHop(hop, response) : null;
    if (next === null) {
      return await readHttpResponse(response, hop.url, config, signal);
    }

    await response.body?.cancel().catch(() => {});
    if (redirects === config.maxRedirects) {
      throw new RangeError(
        `Too many redirects from "${shownUrl(first.url)}": more than ` +
          `${config.maxRedirects} (MAX_REDIRECTS)`,
      );
    }
    from = hop.url;
    hop = next;
  }
}

function firstHop(request: HttpRequestStruct): Hop {
  const url = targetUrl(request.path, request.queryString);
  const method = requestMethod(request.method);
  if ((method === "GET" || method === "HEAD") && request.body.length > 0) {
    throw new TypeError(`Method ${method} cannot carry a body`);
  }

  const headers = new Headers();
  for (const [name, value] of Object.entries(request.header)) {
    if (CONNECTION_HEADERS.has(name.toLowerCase())) continue;
    try {
      headers.append(name, value);
    } catch (error) {
      throw new TypeError(`Header "${name}" is not a valid HTTP header`, {
        cause: error,
      });
    }
  }

  // The payload may be a view on memory that changes after the call.
  const body = request.body.length > 0 ? request.body.slice() : null;
  return { url, method, headers, body };
}

function targetUrl(path: string, queryString: string): URL {
  if (path.trim() === "") {
    throw new TypeError(
      'Field "path" is empty: it carries the full URL, such as ' +
        '"https://example.com/a"',
    );
  }
  const hash = path.indexOf("#");
  let text = hash < 0 ? path : path.slice(0, hash);
  const query = queryString.replace(/^\?/, "");
  if (query !== "") text += (text.includes("?") ? "&" : "?") + query;

  try {
    return new URL(text);
  } catch (error) {
    throw new TypeError(
      `"${text}" is not an absolute URL (field "path" carries the full URL)`,
      { cause: error },
    );
  }
}

function requestMethod(method: string): string {
  if (method === "") return "GET";
  if (!METHOD.test(method)) {
    throw new TypeError(`Method "${method}" is not a valid HTTP method`);
  }
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) {
    throw new TypeError(`Method "${method}" is not allowed`);
  }
  return NORMALISED_METHODS.has(upper) ? upper : method;
}

// Checked before any connection is made, for the first URL and for every
// redirect target.
function checkTarget(url: URL, config: HttpClientConfig, from?: URL) {
  const redirect = from === undefined
    ? ""
    : ` (redirect from "${shownUrl(from)}")`;
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(
      `URL "${shownUrl(url)}" is not http or https${redirect}`,
    );
  }
  const { allowedHosts } = config;
  if (allowedHosts !== null && !isHostAllowed(allowedHosts, url)) {
    throw new RangeError(
      `Host "${url.host}" is not in ALLOWED_HOSTS${redirect}`,
    );
  }
}

async function fetchHop(
  hop: Hop,
  config: HttpClientConfig,
  signal: AbortSignal,
): Promise<Response> {
  try {
    return await fetch(hop.url, {
      method: hop.method,
      headers: hop.headers,
      body: hop.body,
      redirect: "manual",
      signal,
    });
  } catch (error) {
    throw transportError(error, hop.url, config, signal);
  }
}

// The next request for a redirect response, or null when the response is
// to be returned as it is (not a redirect, or no usable Location).
function redirectHop(hop: Hop, response: Response): Hop | null {
  const { status } = response;
  const location = response.headers.get("location");
  if (!REDIRECT_STATUSES.has(status) || location === null) return null;
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    return null;
  }

  const headers = new Headers(hop.headers);
  if (url.origin !== hop.url.origin) {
    for (const name of CREDENTIAL_HEADERS) headers.delete(name);
  }
  const becomesGet = (status === 303 && hop.method !== "HEAD") ||
    ((status === 301 || status === 302) && hop.method === "POST");
  if (!becomesGet) return { url, method: hop.method, headers, body: hop.body };

  for (const name of BODY_HEADERS) headers.delete(name);
  return { url, method: "GET", headers, body: null };
}
