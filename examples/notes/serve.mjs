// `npm run example`: a halsync node (memory store, or STORE=sqlite:./notes.db) that lets the
// page's origin call it (--cors), and a static server for the page and dist/browser/halsync.js.
// PORT (default 8080) is the page's port, NODE_PORT (default 3000) the node's; 0 picks one.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const here = (path) => new URL(path, import.meta.url);
const PAGE_PORT = Number(process.env.PORT ?? 8080);
const NODE_PORT = Number(process.env.NODE_PORT ?? 3000);
const STORE = process.env.STORE ?? 'memory:';

const FILES = {
  '/': [here('index.html'), 'text/html; charset=utf-8'],
  '/index.html': [here('index.html'), 'text/html; charset=utf-8'],
  '/app.js': [here('app.js'), 'text/javascript'],
  '/sw.js': [here('sw.js'), 'text/javascript'],
  '/halsync.js': [here('../../dist/browser/halsync.js'), 'text/javascript'],
};

let nodeUrl = '';
const page = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/config.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ node: nodeUrl }));
  const file = FILES[path];
  if (!file) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  try {
    res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' }).end(await readFile(file[0]));
  } catch {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`${path} is missing: run npm run build`);
  }
});
await new Promise((resolve) => page.listen(PAGE_PORT, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${page.address().port}`;

const cli = here('../../dist/lib/cli/index.js').pathname;
const args = ['serve', '--store', STORE, '--collection', 'notes', '--cors', origin, '--host', '127.0.0.1', '--port', String(NODE_PORT)];
const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.setEncoding('utf8');
let printed = '';
child.stdout.on('data', (chunk) => {
  printed += chunk;
  const found = / at (http:\S+)/.exec(printed);
  if (!nodeUrl && found) {
    nodeUrl = found[1];
    console.log(`notes example: open ${origin}/ (node ${nodeUrl}, store ${STORE}); Ctrl-C stops both`);
  }
});
child.on('exit', (code) => {
  page.close();
  process.exitCode = code ?? 1;
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill('SIGTERM'));
