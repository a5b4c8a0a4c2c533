// Subscribes to partnerEvents with a reference client and prints each result as one JSON line.
// usage: node subscribe.mjs ws|sse URL TOKEN COUNT [AFTER]
// Exits 0 after COUNT results or when the server completes the stream, 2 on a client error, 3 on a timeout.
import { createClient as createWsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';

const [transport, url, token, countText, after] = process.argv.slice(2);
const count = Number(countText);
const query = `subscription ($after: String) {
  partnerEvents(after: $after) { id cursor type contractVersion timestamp body }
}`;

const client = transport === 'ws'
  ? createWsClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    })
  : createSseClient({ url, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });

const timer = setTimeout(() => {
  console.error('timed out');
  process.exit(3);
}, 30_000);
let received = 0;
const done = (code) => {
  clearTimeout(timer);
  process.exit(code);
};

client.subscribe({ query, variables: after ? { after } : {} }, {
  next: (result) => {
    console.log(JSON.stringify(result));
    if (++received >= count) done(0);
  },
  error: (e) => {
    console.log(JSON.stringify({ clientError: Array.isArray(e) ? e : { code: e?.code, reason: e?.reason, message: String(e?.message ?? e) } }));
    done(2);
  },
  complete: () => {
    console.log(JSON.stringify({ complete: true }));
    done(0);
  },
});
