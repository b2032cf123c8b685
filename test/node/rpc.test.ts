import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { WorkerFailure, WorkerRpc } from '../../node/workers/rpc';

/**
 * A worker speaking the envelope in plain JavaScript (an evaluated worker
 * cannot import the TypeScript side): doubles numbers, keeps notes, and
 * crashes or ends itself on request.
 */
const ECHO = `
const { parentPort } = require('node:worker_threads');
let noted = 0;
parentPort.on('message', (m) => {
  if (m.kind === 'note') {
    if (m.body === 'bye') { parentPort.close(); return; }
    noted += m.body;
    return;
  }
  if (m.body === 'crash') throw new Error('asked to crash');
  if (m.body === 'hang') return;
  if (m.body === 'noted') { parentPort.postMessage({ id: m.id, body: noted }); return; }
  parentPort.postMessage({ id: m.id, body: m.body * 2 });
});
`;

function echo(onFailure?: (error: Error) => void): WorkerRpc<number | 'crash' | 'hang' | 'noted', number, number | 'bye'> {
  return new WorkerRpc(new Worker(ECHO, { eval: true }), 'the echo worker', onFailure);
}

describe('WorkerRpc', () => {
  it('answers each request by its id, and takes notes in order with them', async () => {
    const rpc = echo();
    try {
      rpc.notify(2);
      rpc.notify(3);
      await expect(Promise.all([rpc.request(1), rpc.request(20), rpc.request('noted')])).resolves.toEqual([2, 40, 5]);
      expect(rpc.pending).toBe(0);
    } finally {
      await rpc.terminate();
    }
  });

  it('fails what is waiting with a WorkerFailure when the thread dies, refuses later requests, and reports once', async () => {
    const failures: Error[] = [];
    const rpc = echo((e) => failures.push(e));
    try {
      const waiting = rpc.request('hang');
      await expect(rpc.request('crash')).rejects.toBeInstanceOf(WorkerFailure);
      await expect(waiting).rejects.toThrow(/the echo worker failed: asked to crash/);
      await expect(rpc.request(1)).rejects.toBe(rpc.failure);
      await rpc.exited;
      expect(failures).toHaveLength(1);
    } finally {
      await rpc.terminate();
    }
  });

  it('does not report an end on purpose, and refuses requests after it', async () => {
    const failures: Error[] = [];
    const rpc = echo((e) => failures.push(e));
    await expect(rpc.request(4)).resolves.toBe(8);
    await rpc.end('bye', 5_000);
    await expect(rpc.request(1)).rejects.toThrow(/the echo worker was closed/);
    expect(failures).toHaveLength(0);
  });
});
