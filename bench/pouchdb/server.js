'use strict';
// The PouchDB side's server: express-pouchdb over memory PouchDBs, a child process of the
// bench so its CPU is its own. Requests and bytes are counted at its sockets.
const express = require('express');
const expressPouchDB = require('express-pouchdb');
const { MemoryPouch, write, conflicts, answer, peakSampler } = require('./common.js');

const app = express();
app.use('/', expressPouchDB(MemoryPouch, { mode: 'minimumForPouchDB', inMemoryConfig: true, logPath: require('node:os').devNull }));
const db = new MemoryPouch('items');
const traffic = { requests: 0, bytesIn: 0, bytesOut: 0 };
const sockets = new Set();
const peak = peakSampler();

const server = app.listen(0, '127.0.0.1', () => process.send({ ok: true, op: 'ready', url: `http://127.0.0.1:${server.address().port}/items` }));
server.on('request', () => traffic.requests++);
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.once('close', () => {
    traffic.bytesIn += socket.bytesRead;
    traffic.bytesOut += socket.bytesWritten;
    sockets.delete(socket);
  });
});

answer({
  write: async ({ changes }) => (await write(db, changes), {}),
  stats: async () => {
    let { bytesIn, bytesOut } = traffic;
    for (const socket of sockets) ((bytesIn += socket.bytesRead), (bytesOut += socket.bytesWritten));
    return { cpu: process.cpuUsage(), requests: traffic.requests, bytesIn, bytesOut, rss: peak.read() };
  },
  'reset-peak': async () => (peak.reset(), {}),
  conflicts: async () => ({ conflicts: await conflicts(db) }),
  count: async () => ({ docs: (await db.info()).doc_count }),
  exit: async () => {
    server.closeAllConnections();
    server.close();
    setImmediate(() => process.exit(0));
    return {};
  },
});
