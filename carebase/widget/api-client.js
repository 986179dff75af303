// The widget's calls to Carebase: only its registered documents, sent by their sha256
// (Apollo's persisted-query protocol), with the exact registered text only when the server
// does not know the hash yet. Never any other document.
import { DOCUMENTS } from "./documents.js";

/** A failure the widget explains to its visitor; `kind` says which explanation fits. */
export class WidgetError extends Error {
  constructor(kind, code, message) {
    super(message);
    this.kind = kind; // "network" (CORS or offline), "http", "graphql"
    this.code = code;
  }
}

export class WidgetApi {
  constructor(endpoint, publishableKey) {
    this.endpoint = endpoint;
    this.publishableKey = publishableKey;
  }

  async run(name, variables = {}) {
    const registered = DOCUMENTS[name];
    if (!registered) throw new WidgetError("graphql", "UNKNOWN_DOCUMENT", name);
    const persisted = { persistedQuery: { version: 1, sha256Hash: registered.sha256 } };
    let result = await this.#post({ operationName: name, variables, extensions: persisted });
    if (codeOf(result) === "PERSISTED_QUERY_NOT_FOUND") {
      result = await this.#post({
        operationName: name,
        query: registered.document,
        variables,
        extensions: persisted,
      });
    }
    if (result.errors && result.errors.length) {
      const code = codeOf(result) || "ERROR";
      throw new WidgetError("graphql", code, result.errors[0].message || code);
    }
    return result.data;
  }

  async #post(body) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (this.publishableKey) headers["X-Carebase-Publishable-Key"] = this.publishableKey;
    let response;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers,
        body: JSON.stringify(body),
      });
    } catch (error) {
      // the browser says no more than this for a refused CORS request or no network
      throw new WidgetError("network", "NETWORK", String(error && error.message));
    }
    let payload;
    try {
      payload = await response.json();
    } catch {
      throw new WidgetError("http", `HTTP_${response.status}`, `HTTP ${response.status}`);
    }
    if (!payload.data && !payload.errors) {
      throw new WidgetError("http", `HTTP_${response.status}`, `HTTP ${response.status}`);
    }
    return payload;
  }
}

function codeOf(result) {
  const first = result && result.errors && result.errors[0];
  return first && first.extensions ? first.extensions.code : undefined;
}

/** A new idempotency key: the same one is sent again when the visitor retries. */
export function newKey() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
