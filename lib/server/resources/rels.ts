import { readFile } from 'node:fs/promises';
import type { Context } from 'koa';
import { NotFound } from '../../protocol/problems.js';
import { syncRels, type SyncRel } from '../../protocol/rels.js';
import { SPEC_DIR } from '../../protocol/schemas.js';
import type { Paths } from '../http/links.js';
import { FORM_STYLE, STYLE } from './browser-style.js';

/**
 * The page behind each expanded CURIE: spec/rels/<rel>.md as Markdown, or as a small HTML
 * page for a browser. Only the known relations are served, so no name reaches the file system.
 */
export function relRoute(paths: Pick<Paths, 'root' | 'docs'>) {
  return {
    async GET(ctx: Context, params: Record<string, string>) {
      const rel = params['rel']!;
      if (!(syncRels as readonly string[]).includes(rel)) throw new NotFound(`there is no link relation "sync:${rel}"`);
      const markdown = await readFile(new URL(`rels/${rel as SyncRel}.md`, SPEC_DIR), 'utf8');
      if (ctx.accepts('text/markdown', 'text/plain', 'text/html') === 'text/html') {
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = htmlPage(rel, markdown, paths);
        return;
      }
      ctx.type = 'text/markdown; charset=utf-8';
      ctx.body = markdown;
    },
  };
}

/** Just enough Markdown for these pages: headings, bullets, code spans, bold. */
function htmlPage(rel: string, markdown: string, paths: Pick<Paths, 'root' | 'docs'>): string {
  const lines = markdown.split('\n');
  const html: string[] = [];
  let depth = 0;
  for (const line of lines) {
    const bullet = /^(\s*)- (.*)$/.exec(line);
    const level = bullet ? bullet[1]!.length / 2 + 1 : 0;
    for (; depth < level; depth++) html.push('<ul>');
    for (; depth > level; depth--) html.push('</ul>');
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) html.push(`<h${heading[1]!.length}>${inline(heading[2]!)}</h${heading[1]!.length}>`);
    else if (bullet) html.push(`<li>${inline(bullet[2]!)}</li>`);
    else if (line.trim()) html.push(`<p>${inline(line)}</p>`);
  }
  for (; depth > 0; depth--) html.push('</ul>');
  // Styled like the HAL browser, with the same way back to the root: not a dead end.
  const nav = `<nav class="top" aria-label="halsync"><a href="${escapeHtml(paths.root)}">halsync</a> · <a href="${escapeHtml(paths.docs)}">API reference</a></nav>`;
  const head = `<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>sync:${escapeHtml(rel)} · halsync</title><style>${STYLE}${FORM_STYLE}</style>`;
  return `<!doctype html>\n<html lang="en"><head>${head}</head><body>\n<header>${nav}<p>Link relation <code>sync:${escapeHtml(rel)}</code></p></header>\n<main>\n${html.join('\n')}\n</main>\n</body></html>\n`;
}

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\*([^*]+)\*/g, '<em>$1</em>');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
