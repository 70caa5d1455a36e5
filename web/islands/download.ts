// Download Bundle and Copy all URLs without leaving the page. The first click posts the page's own
// form (captcha answer included) with fetch, exactly as the browser does without JavaScript, and
// moves the grant's output from the answer into this page; later clicks reuse that grant, so the
// captcha is solved once. Download Bundle then saves each file and its signature as its own
// download, one after another; Copy all URLs puts every signed URL on the clipboard and shows them
// in the text box. Without JavaScript the form posts and the page comes back with the same output.
document.documentElement.classList.add("js");

// Browsers drop downloads started in the same instant; a short pause between them keeps every one.
const PAUSE_MS = 400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Widget = { reset?: () => void };

/** A captcha answer is single-use: after a refusal the widget must be solved again. */
function resetCaptcha() {
  const w = window as unknown as { turnstile?: Widget; grecaptcha?: Widget };
  w.turnstile?.reset?.();
  w.grecaptcha?.reset?.();
}

const outputOf = (form: HTMLFormElement) =>
  form.querySelector<HTMLElement>("[data-download-output]") ??
  document.querySelector<HTMLElement>("[data-download-output]");

const statusOf = (output: HTMLElement) => output.querySelector<HTMLElement>("[data-download-status]");

/** The output holding a grant: the one already on the page, or the one the POST answers with. */
async function grantOutput(form: HTMLFormElement, submitter: HTMLButtonElement): Promise<HTMLElement | null> {
  const output = outputOf(form);
  if (!output) return null;
  if (output.querySelector("[data-grant]")) return output;
  try {
    const body = new URLSearchParams(new FormData(form, submitter) as unknown as Record<string, string>);
    const res = await fetch(submitter.formAction || form.action, { method: "POST", body });
    const fresh = new DOMParser()
      .parseFromString(await res.text(), "text/html")
      .querySelector("[data-download-output]");
    output.innerHTML = fresh
      ? fresh.innerHTML
      : `<p class="notice error">The studio answered ${res.status}; try again.</p>`;
  } catch {
    output.innerHTML =
      '<p class="notice error">The studio could not be reached; check the connection and try again.</p>';
  }
  if (output.querySelector("[data-grant]")) return output;
  resetCaptcha();
  return null;
}

async function downloadFiles(output: HTMLElement, kind: string | undefined) {
  const links = Array.from(output.querySelectorAll<HTMLAnchorElement>("a[data-file]")).filter(
    (a) => !kind || a.dataset.kind === kind,
  );
  const status = statusOf(output);
  for (const [i, link] of links.entries()) {
    if (status) status.textContent = `Downloading ${i + 1} of ${links.length}: ${link.download}`;
    link.click();
    await sleep(PAUSE_MS);
  }
  if (status)
    status.textContent = `Started ${links.length} downloads, each under its own name. If any is missing, allow multiple downloads (pop-ups) for this site, or use the links below.`;
}

async function copyUrls(pending: Promise<HTMLElement | null>) {
  const text = pending.then((output) => {
    const area = output?.querySelector<HTMLTextAreaElement>("textarea[data-urls]");
    if (!area) throw new Error("no grant");
    return area.value;
  });
  let copied = true;
  try {
    // Written while the click still counts as a user gesture; the text arrives with the grant.
    await navigator.clipboard.write([
      new ClipboardItem({ "text/plain": text.then((t) => new Blob([t], { type: "text/plain" })) }),
    ]);
  } catch {
    copied = await text.then(
      (t) => navigator.clipboard.writeText(t).then(() => true),
      () => false,
    );
  }
  const output = await pending;
  if (!output) return;
  const area = output.querySelector<HTMLTextAreaElement>("textarea[data-urls]");
  const count = area?.value.trim().split("\n").length ?? 0;
  area?.focus();
  area?.select();
  const status = statusOf(output);
  if (status)
    status.textContent = copied
      ? `Copied ${count} URLs (files and signatures) to the clipboard; they are also in the box below.`
      : `The clipboard refused; the ${count} URLs are selected in the box below: press Ctrl+C (or ⌘C).`;
}

// Clicks made while files are still starting wait their turn (and reuse the grant) rather than being lost.
let queue: Promise<unknown> = Promise.resolve();

document.addEventListener("submit", (event) => {
  const form = event.target as HTMLFormElement;
  const submitter = (event as SubmitEvent).submitter;
  if (!(submitter instanceof HTMLButtonElement) || !submitter.hasAttribute("data-download-action")) return;
  event.preventDefault();
  const pending = queue.then(() => grantOutput(form, submitter));
  const work =
    submitter.value === "urls"
      ? copyUrls(pending)
      : pending.then((output) => output && downloadFiles(output, submitter.dataset.kind));
  queue = work.catch(() => undefined);
});
