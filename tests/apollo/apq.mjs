// Apollo Client with PersistedQueryLink (hashed queries over GET), as a partner sets it up,
// against the URL given. Prints one JSON line per HTTP request it made, then the results.
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";

const [url, token, operationName] = process.argv.slice(2);
const sha256 = (text) => createHash("sha256").update(text).digest("hex");

function recordingFetch(input, init) {
  const target = new URL(typeof input === "string" ? input : input.url);
  const body = init?.body ? JSON.parse(init.body) : {};
  const extensions = target.searchParams.get("extensions") ?? JSON.stringify(body.extensions ?? null);
  const sentQuery = target.searchParams.has("query") || typeof body.query === "string";
  return fetch(input, init).then(async (response) => {
    const text = await response.clone().text();
    console.log(JSON.stringify({
      request: { method: init?.method ?? "GET", sentQuery, extensions: JSON.parse(extensions) },
      status: response.status,
      cacheControl: response.headers.get("cache-control"),
      errors: (JSON.parse(text).errors ?? []).map((e) => e.extensions?.code ?? e.message),
    }));
    return response;
  });
}

function client() {
  const http = new HttpLink({
    uri: url,
    fetch: recordingFetch,
    headers: { authorization: `Bearer ${token}` },
  });
  const persisted = createPersistedQueryLink({ sha256, useGETForHashedQueries: true });
  return new ApolloClient({ link: persisted.concat(http), cache: new InMemoryCache() });
}

const query = gql(`query ${operationName} { viewer { ... on Member { id name } } }`);
const results = [];
// a second client stands for the next page load: only the hash goes over the wire
for (const each of [client(), client()]) {
  const { data, error } = await each.query({ query, fetchPolicy: "network-only" });
  results.push({ data, error: error ? String(error) : null });
}
console.log(JSON.stringify({ results }));
