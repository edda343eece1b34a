// Placeholder until the server lands: `halsync serve` starts the Koa app on a store.
export interface ServeOptions {
  port: number;
  host: string;
  store: string;
  collection: string[];
  token?: string;
  trustProxy: boolean;
}
export async function runServe(_options: ServeOptions): Promise<void> {
  throw new Error('halsync serve is not built yet');
}
