/**
 * The peak memory of this process while a phase runs: `maxRSS` only ever grows over the life of
 * a process, so RSS and heap are sampled instead (every 5 ms; a sampler on the event loop misses
 * what is allocated and freed inside one synchronous stretch, so these are lower bounds).
 */
export class MemoryPeak {
  private rss = 0;
  private heap = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 5) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const usage = process.memoryUsage();
    this.rss = Math.max(this.rss, usage.rss);
    this.heap = Math.max(this.heap, usage.heapUsed + usage.external);
  }

  read(): { rss: number; heap: number } {
    this.sample();
    return { rss: this.rss, heap: this.heap };
  }

  reset(): void {
    this.rss = 0;
    this.heap = 0;
    this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
