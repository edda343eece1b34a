// Placeholder until the client lands: `halsync sync` runs the reconciliation and reports.
export interface SyncCommandOptions {
  store: string;
  state: string;
  collection: string[];
  prefer: 'local' | 'remote';
  skewMs: number;
  token?: string;
  json: boolean;
}
export async function runSync(_urls: string[], _options: SyncCommandOptions): Promise<number> {
  throw new Error('halsync sync is not built yet');
}
