import type { SyncProgress } from '../client/sync.js';

/**
 * The progress display of `halsync sync`: a pure part (events in, one line out) that the tests
 * read, and a thin cli-progress part that redraws that line on a terminal.
 */

/** What the display knows of the collection being synced. */
export interface ProgressState {
  collection: string;
  step: SyncProgress['step'];
  done: number;
  total?: number;
  /** Entries read from the logs in this attempt (a first sync still reads while it applies). */
  read: number;
}

const LABELS = { 1: 'reading logs', 2: 'fetching data', 3: 'pushing', 4: 'applying locally' } as const;
const UNITS = { 1: 'entries read', 2: 'items fetched', 3: 'entries pushed', 4: 'entries applied' } as const;

/** The state after one event: a step never goes back within an attempt, except to start again. */
export function nextState(state: ProgressState | undefined, event: SyncProgress): ProgressState {
  const same = state !== undefined && state.collection === event.collection;
  const restarted = event.step === 1 && event.done === 0;
  const read = event.step === 1 ? event.done : same && !restarted ? state.read : 0;
  // A first sync pulled page by page reads its log while Step 4 applies it: keep showing Step 4.
  if (same && !restarted && event.step < state.step) return { ...state, read };
  return { collection: event.collection, step: event.step, done: event.done, read, ...(event.total === undefined ? {} : { total: event.total }) };
}

/** One line: `items · step 2/4 fetching data [████░░░░] 40/80 items fetched`. */
export function progressLine(state: ProgressState, barWidth = 20): string {
  const head = `${state.collection} · step ${state.step}/4 ${LABELS[state.step]}`;
  const unit = UNITS[state.step];
  if (state.total === undefined) {
    const alsoRead = state.step === 4 && state.read > 0 ? ` (${state.read} read)` : '';
    return `${head} · ${state.done} ${unit}${alsoRead}`;
  }
  if (state.total === 0) return `${head} · nothing to do`;
  const filled = Math.round((Math.min(state.done, state.total) / state.total) * barWidth);
  return `${head} [${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${state.done}/${state.total} ${unit}`;
}

/**
 * The display on a terminal (stderr): cli-progress redraws, throttled, and clears it at the end.
 * Loaded only when a display is shown: a sync under `--json` or in a pipe (what scripts and the
 * benchmark run) need not load it and its dependencies.
 */
export async function progressDisplay(stream: NodeJS.WriteStream = process.stderr): Promise<{ update: (event: SyncProgress) => void; stop: () => void }> {
  const { default: cliProgress } = await import('cli-progress');
  let state: ProgressState | undefined;
  const bar = new cliProgress.SingleBar({
    format: () => (state ? progressLine(state) : ''),
    stream,
    hideCursor: true,
    clearOnComplete: true,
    // Redraw on every event (throttled to fps), not only when the bar's own value changes.
    forceRedraw: true,
  });
  let started = false;
  return {
    update: (event) => {
      state = nextState(state, event);
      if (!started) {
        bar.start(1, 0);
        started = true;
      } else bar.update(0);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
