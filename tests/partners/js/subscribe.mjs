// graphql-ws (npm, pinned in package-lock.json) as a partner's Node app uses it, run by
// tests/partners/test_graphql_ws.py: node subscribe.mjs <ws url> <token> <query> <variables>
// connects with connectionParams {Authorization: "Bearer <token>"}, prints one JSON line when
// the server acknowledges the connection and one with the first event, then disposes.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token, query, variables] = process.argv.slice(2);
const say = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
  on: { connected: (socket) => say({ step: "connected", protocol: socket.protocol }) },
});

try {
  const subscription = client.iterate({ query, variables: JSON.parse(variables) });
  for await (const result of subscription) {
    say({ step: "event", result });
    break;
  }
} catch (error) {
  say({ step: "error", error: String(error?.reason ?? error?.message ?? error), code: error?.code });
  process.exitCode = 1;
} finally {
  await client.dispose();
}
