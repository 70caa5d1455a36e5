// The grant rate limit counts per wall-clock window (Workers Rate Limiting; miniflare starts a new
// window at every whole minute), so a burst that crosses a minute is counted in two windows and never
// reaches the limit: the tests that make 21 requests in a row wait for a fresh window when the
// current one is nearly over.

/** Resolves at once when `needMs` or more of this minute's window remain, else at the next window's start. */
export async function freshRateWindow(needMs = 20_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

/** A timeout for such a test: the wait for the window plus the burst itself on a busy machine. */
export const RATE_WINDOW_TIMEOUT = 60_000;
