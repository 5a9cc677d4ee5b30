// Bounded waiting and the small helpers the suites' reports and port lists use.

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` every `intervalMs` until it returns something other than undefined, and returns
 * that; throws after `timeoutMs`, with `describe()`'s account of the last state.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; describe?: () => string },
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() >= deadline) {
      throw new Error(`timed out after ${options.timeoutMs / 1000} s waiting for ${what}${options.describe ? `: ${options.describe()}` : ''}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}

/** `[from, from+1, …]`, count numbers. */
export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** Seconds with one decimal, for the reports the suites print. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
