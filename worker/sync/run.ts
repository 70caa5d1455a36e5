// PLACEHOLDER during bootstrap; replaced by the real sync.
export async function runSync(_env: Env, _opts: { trigger: "cron" | "admin" }): Promise<unknown> {
  throw new Error("sync not built yet");
}
