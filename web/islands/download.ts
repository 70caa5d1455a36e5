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

/** The grant's links to save: every file and signature, or those of one kind (an installer row's Download). */
const fileLinks = (output: HTMLElement, kind: string | undefined) =>
  Array.from(output.querySelectorAll<HTMLAnchorElement>("a[data-file]")).filter(
    (a) => !kind || a.dataset.kind === kind,
  );

/** "10 files and 10 signatures" — what was saved, in the words of the file list. */
function savedWords(links: HTMLAnchorElement[]) {
  const sigs = links.filter((a) => a.download.endsWith(".sig.bin")).length;
  const files = links.length - sigs;
  const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
  return `${plural(files, "file")} and ${plural(sigs, "signature")}`;
}

const sizeText = (bytes: number) => {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  for (; bytes >= 1024 && i < units.length - 1; i++) bytes /= 1024;
  const digits = i === 0 || bytes >= 100 ? 0 : bytes >= 10 ? 1 : 2; // as humanSize on the page
  return `${Number(bytes.toFixed(digits))}\u00a0${units[i]}`;
};

/** The progress line: file n of N, bytes so far, the current name. */
function progress(output: HTMLElement) {
  const status = statusOf(output);
  const bar = output.querySelector<HTMLProgressElement>("progress[data-download-progress]");
  return (n: number, total: number, bytes: number, totalBytes: number, name: string) => {
    if (bar) {
      bar.hidden = false;
      bar.max = totalBytes || total;
      bar.value = totalBytes ? bytes : n;
    }
    if (status)
      status.textContent = `Saving file ${n} of ${total} (${sizeText(bytes)} of ${sizeText(totalBytes)}): ${name}`;
  };
}

/** Where the browser offers a folder picker, each file streams into the chosen folder, several at once. */
async function saveToFolder(links: HTMLAnchorElement[], show: ReturnType<typeof progress>): Promise<boolean> {
  const picker = (window as unknown as { showDirectoryPicker?: (o: object) => Promise<FolderHandle> })
    .showDirectoryPicker;
  if (!picker) return false;
  let folder: FolderHandle;
  try {
    folder = await picker({ mode: "readwrite", id: "artifact-studio" });
  } catch {
    return false; // refused or cancelled: the one-by-one downloads still work
  }
  const totalBytes = links.reduce((n, a) => n + Number(a.dataset.size ?? 0), 0);
  let bytes = 0;
  let done = 0;
  const queue = [...links];
  const worker = async () => {
    for (let link = queue.shift(); link; link = queue.shift()) {
      const res = await fetch(link.href);
      if (!res.ok || !res.body) throw new Error(`${link.download}: the studio answered ${res.status}`);
      const file = await (await folder.getFileHandle(link.download, { create: true })).createWritable();
      const name = link.download;
      await res.body
        .pipeThrough(
          new TransformStream({
            transform(chunk, ctl) {
              bytes += chunk.byteLength;
              show(done + 1, links.length, bytes, totalBytes, name);
              ctl.enqueue(chunk);
            },
          }),
        )
        .pipeTo(file);
      done++;
      show(done, links.length, bytes, totalBytes, name);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return true;
}

type FolderHandle = {
  getFileHandle(name: string, o: { create: boolean }): Promise<{ createWritable(): Promise<WritableStream> }>;
};

async function downloadFiles(output: HTMLElement, kind: string | undefined, toFolder: boolean) {
  const links = fileLinks(output, kind);
  const status = statusOf(output);
  const show = progress(output);
  try {
    if (toFolder && (await saveToFolder(links, show))) {
      if (status) status.textContent = `Done: ${savedWords(links)} saved in the folder you chose.`;
      return;
    }
  } catch (err) {
    if (status) status.textContent = `Stopped: ${(err as Error).message}. Use the links below, or try again.`;
    return;
  }
  const totalBytes = links.reduce((n, a) => n + Number(a.dataset.size ?? 0), 0);
  let bytes = 0;
  for (const [i, link] of links.entries()) {
    bytes += Number(link.dataset.size ?? 0);
    show(i + 1, links.length, bytes, totalBytes, link.download);
    link.click();
    await sleep(PAUSE_MS);
  }
  if (status)
    status.textContent = `Done: ${savedWords(links)} saved, each under its own name. If any is missing, allow multiple downloads (pop-ups) for this site, or use the links below.`;
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
      : pending.then((output) => output && downloadFiles(output, submitter.dataset.kind, submitter.value === "folder"));
  queue = work.catch(() => undefined);
});

// A captcha whose script has not arrived within a few seconds is blocked (a proxy, a firewall, a
// content blocker): say so, with the two ways on, instead of leaving a blank gap above a button
// that can only answer "solve the captcha first".
const CAPTCHA_WAIT_MS = 5000;

function watchCaptcha(box: HTMLElement) {
  const w = window as unknown as { turnstile?: unknown; grecaptcha?: unknown };
  setTimeout(() => {
    if (w.turnstile || w.grecaptcha || box.querySelector("iframe")) return;
    const notice = box.querySelector<HTMLElement>("[data-captcha-blocked]");
    if (!notice) return;
    notice.hidden = false;
    const recipe = notice.querySelector("[data-captcha-recipe]");
    if (recipe) recipe.textContent = (recipe.textContent ?? "").replace(/^STUDIO=\S+.*$/m, `STUDIO=${location.origin}`);
    const form = box.closest("form");
    form?.querySelectorAll<HTMLButtonElement>("button[data-download-action]").forEach((b) => {
      b.disabled = true;
    });
    const reason = form?.querySelector("[data-disabled-reason]");
    if (reason) reason.textContent = "The captcha could not load (see above).";
  }, CAPTCHA_WAIT_MS);
}

document.querySelectorAll<HTMLElement>("[data-captcha]").forEach(watchCaptcha);

// Where the browser offers a folder picker, Download Bundle can write into one folder instead.
if ("showDirectoryPicker" in window)
  document.querySelectorAll<HTMLElement>("[data-folder-choice]").forEach((el) => {
    el.hidden = false;
  });
