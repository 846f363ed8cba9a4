// The Node.js reference of the comparison: npm's `ws` with no protocol, the same roles as bench/RawReference.
// /ws connections receive every message that a /ws?role=pub connection sends; /ws?role=echo gets each message back.
// Each published message is one Buffer sent to every subscriber, one frame per message (ws writes each send to the
// socket; Node's stream layer queues what the kernel does not take). A subscriber whose unsent backlog passes
// MAX_BUFFERED is dropped, as the raw reference drops a full queue.
//
//   npm ci && node server.js --port 5300          (listens on 127.0.0.1; --port 0 picks a free port)
import { WebSocketServer } from 'ws';

const MAX_BUFFERED = 4096 * 1024;
const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 5300;

const subscribers = new Set();
// perMessageDeflate off and no client tracking: the cheapest ws configuration, as the .NET references run theirs.
const server = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws', perMessageDeflate: false, clientTracking: false });

server.on('connection', (socket, request) => {
  const role = new URL(request.url, 'http://localhost').searchParams.get('role') ?? '';
  socket.on('error', () => socket.terminate());
  if (role === 'pub') {
    socket.on('message', (data, isBinary) => {
      for (const subscriber of subscribers) {
        if (subscriber.bufferedAmount > MAX_BUFFERED) {
          subscriber.terminate();
          subscribers.delete(subscriber);
        } else {
          subscriber.send(data, { binary: isBinary });
        }
      }
    });
  } else if (role === 'echo') {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  } else {
    subscribers.add(socket);
    socket.on('close', () => subscribers.delete(socket));
  }
});

server.on('listening', () => {
  console.log(`node ws reference broadcaster listening on http://127.0.0.1:${server.address().port}/ws`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
