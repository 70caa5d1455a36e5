// /download: a thin path for links shared before downloads moved onto the pages the docs put them
// on. Whatever the link selects (installers, packs, or the wizard's bundle), it is sent (303) to the
// page whose own form carries the captcha, Download Bundle and Copy all URLs: the installers table,
// Browse packs with the selection, or the wizard's Confirm step. A form posted here from an old page
// goes the same way (its single-use captcha answer is not carried over).
import { type Context, Hono } from "hono";
import { z } from "zod";
import { packRefId } from "../../domain/vocabulary";
import { badField, invalidInput } from "../../errors";
import { browseHref } from "../../../web/pages/packs-page";
import { parseRefList, stepHref } from "../../../web/lib/wizard";
import { parseWizardState } from "../../catalog/filters";
import { FORM_BODY_BYTES, limitBody } from "../../body-limit";
import { htmlErrorHandler, parseForm, parseOrThrow } from "../html";

export const downloadPageRoutes = new Hono<{ Bindings: Env }>();

downloadPageRoutes.onError(htmlErrorHandler);

const params = z.object({
  installers: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}@[0-9A-Za-z.+-]{1,40}$/, "must be product@version")
    .optional(),
  packs: z
    .string()
    .max(16_000)
    .optional()
    .refine(
      (text) => !text || text.split(",").every((item) => parseRefList(item.trim()).length === 1),
      "every pack must be name@version",
    ),
});

/** Where the download form for this selection lives. */
function formPage(raw: Record<string, string>): string {
  const { installers, packs } = parseOrThrow(params, { installers: raw.installers, packs: raw.packs || undefined });
  if (installers) {
    const at = installers.lastIndexOf("@");
    return `/install/${installers.slice(0, at)}?version=${encodeURIComponent(installers.slice(at + 1))}#download`;
  }
  const refs = parseRefList(packs);
  if (!refs.length) throw badField("packs", "nothing to download: choose installers or packs first");
  if (raw.product && raw.version && raw.useCase) {
    const state = parseWizardState({ ...raw, packs: refs.map(packRefId).join(",") });
    if (!state.success) throw invalidInput(state.error);
    return `${stepHref("confirm", state.data)}#download`;
  }
  return `${browseHref({ trail: [] }, refs)}#download`;
}

const strings = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter((e): e is [string, string] => typeof e[1] === "string"));

downloadPageRoutes.get("/", (c: Context) => c.redirect(formPage(c.req.query()), 303));
downloadPageRoutes.post("/", limitBody(FORM_BODY_BYTES), async (c: Context) =>
  c.redirect(formPage(strings(await parseForm(c))), 303),
);
