// Runs graphql-http's server audits against the URL given and prints one JSON line per
// audit: {id, name, status, reason}. tests/http/test_audit.py starts the server and judges.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}
const results = await auditServer({ url });
for (const result of results) {
  const { id, name, status } = result;
  const reason = status === 'ok' ? null : result.reason;
  console.log(JSON.stringify({ id, name, status, reason }));
}
