// Talking to a studio's publish API (worker/routes/api/publish.ts). Answers are parsed with the
// Worker's own response schemas, and an error answer becomes one line: the studio's message.
import type { z } from "zod";
import { publishConfigSchema, releaseFolderSchema, releasePlanSchema } from "../../worker/publish/schemas";
import { UsageError } from "./files";

export type PublishConfig = z.infer<typeof publishConfigSchema>;
export type ReleaseFolder = z.infer<typeof releaseFolderSchema>;
export type ReleasePlan = z.infer<typeof releasePlanSchema>;

export class Studio {
  readonly base: string;
  constructor(
    url: string,
    private readonly token?: string,
  ) {
    this.base = url.replace(/\/+$/, "");
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set("Authorization", `Bearer ${this.token}`);
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { ...init, headers });
    } catch (err) {
      throw new UsageError(
        `${this.base}: cannot reach the studio (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    return res;
  }

  /** The JSON answer parsed with `schema`; an error answer throws its one-line message. */
  async json<T extends z.ZodType>(schema: T, path: string, init: RequestInit = {}): Promise<z.infer<T>> {
    const res = await this.request(path, init);
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    if (!res.ok) throw new StudioError(res.status, body?.error?.message ?? `${res.status} ${res.statusText}`);
    return schema.parse(body);
  }

  config = () => this.json(publishConfigSchema, "/api/v1/publish/config");
  plan = (manifestText: string) =>
    this.json(releasePlanSchema, "/api/v1/publish/plan", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: manifestText,
    });
  folder = (releaseId: string) => this.json(releaseFolderSchema, `/api/v1/publish/releases/${releaseId}`);
}

export class StudioError extends UsageError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`studio: ${message}`);
  }
}
