// The baseline: the least an Express JSON POST can cost on this machine.
import express from 'express';

const app = express();
app.use(express.json({ limit: '64kb' }));
app.post('/api/echo', (req, res) => {
  res.status(201).json({ ok: true, size: JSON.stringify(req.body).length });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (typeof address === 'object' && address !== null) process.stdout.write(`trivial server on http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
