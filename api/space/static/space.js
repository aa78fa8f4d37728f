// The mentor space's small enhancements; every page works without them (forms post as usual).
(() => {
  'use strict';
  // Weekly and date editors: add and remove time ranges without a round trip. Without this
  // script « + Ajouter » is a submit button that sends the form back with one more row; with
  // it, a plain button (so Enter in a field still saves rather than adds a row).
  const addButtons = () => {
    document.querySelectorAll('button[data-add-range][type=submit]').forEach((b) => { b.type = 'button'; });
  };
  document.addEventListener('DOMContentLoaded', addButtons);
  document.addEventListener('htmx:afterSettle', addButtons);
  document.addEventListener('click', (event) => {
    const add = event.target.closest('[data-add-range]');
    if (add) {
      event.preventDefault();
      const day = add.closest('[data-day]');
      const template = day && day.querySelector('template[data-range-template]');
      if (template) {
        const row = template.content.firstElementChild.cloneNode(true);
        const list = day.querySelector('[data-ranges]');
        const none = list.querySelector('.none');
        list.insertBefore(row, none);
        row.querySelector('input').focus();
      }
      return;
    }
    const remove = event.target.closest('[data-remove-range]');
    if (remove) {
      const row = remove.closest('[data-range]');
      const day = row.closest('[data-day]');
      row.remove();
      const next = day && day.querySelector('[data-range] input, [data-add-range]');
      if (next) next.focus();
    }
  });
  // The photo upload: say at once that a file is too heavy, before sending 5 MB for nothing
  // (the server checks again and decodes the file).
  document.addEventListener('change', (event) => {
    const input = event.target.closest('input[type=file][data-max-bytes]');
    if (!input) return;
    const file = input.files && input.files[0];
    input.setCustomValidity(file && file.size > Number(input.dataset.maxBytes) ? input.dataset.tooLarge : '');
    input.reportValidity();
  });
  // The time-zone filter: shown only when this script runs (without it the select still
  // works); hides the options and groups that do not match, accents and case ignored.
  const fold = (text) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const filters = () => {
    document.querySelectorAll('input[data-filter-for]').forEach((input) => {
      if (input.dataset.ready) return;
      input.dataset.ready = '1';
      input.hidden = false;
      const select = document.getElementById(input.dataset.filterFor);
      input.addEventListener('input', () => {
        const words = fold(input.value).split(/\s+/).filter(Boolean);
        let first = null;
        select.querySelectorAll('optgroup').forEach((group) => {
          let shown = 0;
          group.querySelectorAll('option').forEach((option) => {
            const text = fold(`${option.textContent} ${option.value}`);
            const match = words.every((w) => text.includes(w));
            option.hidden = !match;
            if (match) { shown += 1; first = first || option; }
          });
          group.hidden = shown === 0;
        });
        if (first && select.selectedOptions[0] && select.selectedOptions[0].hidden) select.value = first.value;
      });
    });
  };
  document.addEventListener('DOMContentLoaded', filters);
  document.addEventListener('htmx:afterSettle', filters);
  // Onboarding: preselect the browser's timezone when the mentor still has the default one.
  const detect = () => {
    const select = document.querySelector('select[data-detect-tz="on"]');
    if (!select) return;
    try {
      const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (tz && [...select.options].some((o) => o.value === tz)) select.value = tz;
    } catch (e) { /* keep the server's choice */ }
    select.dataset.detectTz = 'done';
  };
  document.addEventListener('DOMContentLoaded', detect);
  document.addEventListener('htmx:afterSettle', detect);
})();
