// Submits a [data-autosubmit] form as soon as one of its drop-downs changes, through the form's
// first "stay here" button, so filters apply without an extra click. Without JavaScript the
// form's own Apply/Search button does the same.
document.documentElement.classList.add("js");

document.addEventListener("change", (event) => {
  const select = event.target;
  if (!(select instanceof HTMLSelectElement)) return;
  const form = select.closest<HTMLFormElement>("form[data-autosubmit]");
  if (!form) return;
  const submitter = form.querySelector<HTMLButtonElement>(
    'button[type="submit"][value="stay"], button[type="submit"][value="filter"]',
  );
  form.requestSubmit(submitter ?? undefined);
});

// On a wide screen the filters sit open beside the list (CSS shows them without JavaScript too); the
// open state keeps what assistive technology announces in step with what is shown.
const wide = matchMedia("(min-width: 821px)");
const openOnWide = () =>
  document.querySelectorAll<HTMLDetailsElement>("details.filters-disclosure").forEach((d) => {
    if (wide.matches) d.open = true;
  });
openOnWide();
wide.addEventListener("change", openOnWide);
