// The browse page's URL state: filters (the route parses them with catalog/filters'
// parseBrowseFilters), the cursor trail that makes "Previous page" work, and the cross-page
// selection. Pure functions.
import { z } from "zod";
import type { PackRef } from "../../worker/domain/vocabulary";
import { applyPicks, parseRefList } from "./wizard";

/** The catalog filters a /packs URL carries, and the cursors of the pages before this one. */
export type BrowseFilters = {
  product?: string;
  version?: string;
  cloud?: string;
  layer?: string;
  arch?: string;
  fips?: boolean;
  q?: string;
  cursor?: string;
  trail: string[];
};

/** A selection param: name@version items; anything else is refused, naming the field. */
const refList = (field: string) =>
  z
    // Cloudflare caps a URL at 16 KB; the whole selection has to fit in one.
    .string()
    .max(16_000)
    .optional()
    .superRefine((text, ctx) => {
      const items = (text ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = items.find((item) => parseRefList(item).length !== 1);
      if (bad !== undefined)
        ctx.addIssue({ code: "custom", path: [], message: `"${bad.slice(0, 80)}" is not name@version` });
      if (items.length > 500) ctx.addIssue({ code: "custom", path: [], message: `at most 500 packs in ${field}` });
    })
    .transform((text) => parseRefList(text));

const cursorTrail = z
  .string()
  .max(8000)
  .regex(/^[A-Za-z0-9_,-]*$/, "must be cursors separated by commas")
  .optional()
  .transform((t) => (t ? t.split(",").filter(Boolean) : []));

export const browseQuery = z.object({
  selected: refList("selected"),
  shown: refList("shown"),
  pick: z.array(z.string()).default([]),
  trail: cursorTrail,
  next: z.string().max(1000).optional(),
  go: z.enum(["filter", "prev", "next", "select", "download"]).optional(),
});

export type BrowseSubmission = z.output<typeof browseQuery>;

/**
 * What a submitted browse form means: the new selection (picks applied to what the form showed),
 * and which page to go to. Returns undefined when the URL is already canonical (a plain visit).
 */
export function resolveSubmission(
  filters: BrowseFilters,
  submission: BrowseSubmission,
  picks: PackRef[],
): { selected: PackRef[]; cursor?: string; trail: string[]; download: boolean } | undefined {
  const submitted = submission.go !== undefined || submission.shown.length > 0 || submission.pick.length > 0;
  if (!submitted) return undefined;
  const selected = applyPicks(submission.selected, submission.shown, picks);
  switch (submission.go) {
    case "next":
      return submission.next
        ? {
            selected,
            cursor: submission.next,
            trail: filters.cursor ? [...filters.trail, filters.cursor] : filters.trail,
            download: false,
          }
        : { selected, cursor: filters.cursor, trail: filters.trail, download: false };
    case "prev":
      return { selected, cursor: filters.trail.at(-1), trail: filters.trail.slice(0, -1), download: false };
    case "select":
      return { selected, cursor: filters.cursor, trail: filters.trail, download: false };
    case "download":
      return { selected, cursor: filters.cursor, trail: filters.trail, download: true };
    default:
      // A filter or search change starts again at the first page.
      return { selected, cursor: undefined, trail: [], download: false };
  }
}
