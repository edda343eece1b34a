import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { chromium, type Browser } from 'playwright-core';
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

/** Skips the suite where Debian's Chromium is not installed; under CI its absence is a failure. */
export function requireChromium(context: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env['CI']) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  context.skip();
}

/** Debian's Chromium, headless, with the flags above. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Fails a build on any Node built-in (`node:fs` or plain `fs`), named with the module that imports it. */
export const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(node:|(${builtinModules.join('|')})(/|$))`) }, (args) => ({
      errors: [{ text: `${args.importer} imports ${args.path}, which a browser does not have` }],
    }));
  },
};
