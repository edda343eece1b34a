import { builtinModules } from 'node:module';
import type { Plugin } from 'esbuild';

/** Debian's Chromium, driven by playwright-core: never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Fails a build on any Node built-in (`node:fs` or plain `fs`), named with the module that imports it. */
export const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(node:|(${builtinModules.join('|')})(/|$))`) }, (args) => ({
      errors: [{ text: `${args.importer} imports ${args.path}, which a browser does not have` }],
    }));
  },
};
