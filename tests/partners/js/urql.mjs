// @urql/core (npm, pinned in package-lock.json) as a partner's app uses it, run by
// tests/partners/test_urql.py: node urql.mjs <url> <token> <query> <variables> prints the
// query's result as one JSON line ({data, error}), the token sent as a Bearer header.
import { Client, cacheExchange, fetchExchange } from "@urql/core";

const [url, token, query, variables] = process.argv.slice(2);
const client = new Client({
  url,
  exchanges: [cacheExchange, fetchExchange],
  fetchOptions: () => ({ headers: { Authorization: `Bearer ${token}` } }),
  preferGetMethod: false,
});
const result = await client.query(query, JSON.parse(variables)).toPromise();
process.stdout.write(
  JSON.stringify({ data: result.data ?? null, error: result.error ? String(result.error) : null }) + "\n",
);
