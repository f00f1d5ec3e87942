// A Concord webhook receiver written from the Standard Webhooks 1.0 specification, with Node's
// standard library only. Run it, then subscribe its URL (see README "Webhooks"):
//
//   WEBHOOK_SECRET=whsec_... PORT=8787 node examples/webhook-receiver.mjs
//
// Each verified event is printed as one JSON line on stdout; anything else is answered 401.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.WEBHOOK_SECRET;
if (!secret?.startsWith('whsec_')) {
  console.error('set WEBHOOK_SECRET to the whsec_... secret Concord returned');
  process.exit(2);
}
// The HMAC key is the base64 after the prefix.
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
// Refuse messages whose timestamp is more than 5 minutes off: a captured request cannot be replayed later.
const TOLERANCE_SECONDS = 5 * 60;
// Event ids already handled: retries and redeliveries carry the same webhook-id. (Keep them in a
// database with a unique constraint in a real receiver.)
const seen = new Set();

/** Whether the request is a genuine, fresh Concord message; the reason when it is not. */
function verify(headers, rawBody) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return 'missing webhook-id, webhook-timestamp or webhook-signature';
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return 'timestamp outside the tolerance';
  // Sign the raw bytes as received: re-serialising parsed JSON would change them.
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest();
  // "v1,<base64>" entries, space-separated: during a secret rotation the old secret signs too.
  const valid = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return valid ? null : 'no valid v1 signature';
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const rawBody = Buffer.concat(chunks);
    const problem = verify(request.headers, rawBody);
    if (problem) {
      response.writeHead(401, { 'content-type': 'text/plain' }).end(problem);
      return;
    }
    const id = request.headers['webhook-id'];
    // Answer 2xx quickly, and do the work after (or in a queue): Concord times out slow receivers.
    response.writeHead(204).end();
    if (seen.has(id)) return;
    seen.add(id);
    const event = JSON.parse(rawBody.toString('utf8'));
    console.log(JSON.stringify({ id, type: event.type, timestamp: event.timestamp, data: event.data }));
  });
});

server.listen(Number(process.env.PORT ?? 8787), '127.0.0.1', () => {
  console.error(`listening on http://127.0.0.1:${server.address().port}`);
});
