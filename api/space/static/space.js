// The mentor space's small enhancements; every page works without them (forms post as usual).
(() => {
  'use strict';
  // Weekly and date editors: add and remove time ranges without a round trip.
  document.addEventListener('click', (event) => {
    const add = event.target.closest('[data-add-range]');
    if (add) {
      const day = add.closest('[data-day]');
      const template = day && day.querySelector('template[data-range-template]');
      if (template) {
        const row = template.content.firstElementChild.cloneNode(true);
        day.querySelector('[data-ranges]').append(row);
        row.querySelector('input').focus();
      }
      return;
    }
    const remove = event.target.closest('[data-remove-range]');
    if (remove) {
      const row = remove.closest('[data-range]');
      const list = row.parentElement;
      if (list.querySelectorAll('[data-range]').length > 1) row.remove();
      else row.querySelectorAll('input').forEach((input) => { input.value = ''; });
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
