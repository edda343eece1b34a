/**
 * The style of every page the node serves to a browser: the HAL browser (browser.ts) and the
 * link relation pages (rels.ts), so that one looks like the other.
 */
export const STYLE = String.raw`
:root { color-scheme: light dark; --muted: #666; --line: #ccc; --accent: #0b5cad; --bad: #b00020; }
@media (prefers-color-scheme: dark) { :root { --muted: #aaa; --line: #444; --accent: #7ab7ff; --bad: #ff7b8a; } }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; }
header { border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
header p { margin: .25rem 0 .75rem; color: var(--muted); overflow-wrap: anywhere; }
h1 { font-size: 1.4rem; margin: .5rem 0 0; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 .75rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th[scope=row] { width: 12rem; font-weight: 600; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
ol.embedded { padding-left: 1.5rem; }
ol.embedded > li { border-left: 3px solid var(--line); padding-left: .75rem; margin-bottom: 1rem; }
form.template { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .25rem 0; }
form.template label { display: flex; flex-direction: column; font-size: .85rem; }
input, button { font: inherit; padding: .2rem .4rem; }
.muted { color: var(--muted); }
.problem { border: 2px solid var(--bad); border-radius: 4px; padding: .5rem 1rem; }
.problem h2 { color: var(--bad); margin-top: .25rem; }
details { margin-top: 1.5rem; }
`;

/** Additions for the write forms (browser-forms.ts) and the page's navigation. */
export const FORM_STYLE = String.raw`
nav.top { margin: .25rem 0; }
section.actions form { border: 1px solid var(--line); border-radius: 4px; padding: .5rem .75rem; margin: .5rem 0; }
section.actions h3 { margin: 0 0 .25rem; }
textarea { font: 13px/1.4 ui-monospace, monospace; width: 100%; min-height: 8rem; box-sizing: border-box; }
textarea[aria-invalid=true] { outline: 2px solid var(--bad); }
ul.field-errors { color: var(--bad); margin: .25rem 0; }
.status-bad { color: var(--bad); }
pre.json { border: 1px solid var(--line); padding: .5rem; }
`;
