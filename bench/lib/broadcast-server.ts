// The baseline for live pushes: a plain socket.io server that broadcasts a
// small message to every client four times a second, stamped with its send time.
import http from 'node:http';
import { Server } from 'socket.io';

const server = http.createServer();
const io = new Server(server, { serveClient: false });
io.on('connection', (socket) => {
  void socket.join('all');
});
let timer: NodeJS.Timeout | undefined;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (typeof address === 'object' && address !== null) process.stdout.write(`broadcast server on http://127.0.0.1:${address.port}\n`);
  timer = setInterval(() => io.to('all').emit('tick', { sentAt: Date.now(), turnout: { voters: 0, ballots: 0 } }), 250);
});
process.on('SIGTERM', () => {
  clearInterval(timer);
  void io.close(() => process.exit(0));
});
