/*! Thotis booking widget v1 — plain JavaScript, no framework, no build step.
 * Elements: <thotis-mentor-list filiere="droit">, <thotis-booking mentor-id="…">,
 * <thotis-manage token="…">; buttons <button data-thotis-mentor="…">; Thotis.open({mentorId}).
 * Everything renders in Shadow DOM so the host page's CSS and ours never meet; branding goes
 * through --thotis-* custom properties and ::part(). */
(() => {
  'use strict';
  if (!window.customElements || customElements.get('thotis-mentor-list')) return;

  const VERSION = '1.0.0';
  // The server splices styles.css in here when it serves the script: one request, one SRI hash.
  const CSS = /*@thotis-css*/ '';
  const SCRIPT = document.currentScript;
  const SCRIPT_ORIGIN = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src, location.href).origin : location.origin;
  const DAY_MS = 864e5;
  const CHUNK_DAYS = 28; // one slots request covers four weeks; the API allows 62 days at most
  const MAX_RANGE_DAYS = 62;
  // Register: the visitors are teenagers, so every French text they read says "tu" (widget,
  // manage and join pages, their mails); the mentor space and mentor mails say "vous". The
  // same note heads integrations/messages.py: one decision for every visitor text.
  // The API's limits, spliced in when the service serves the script (api/schemas.py).
  const LIMITS = /*@thotis-limits*/ { "email": 254, "first_name": 60, "question": 1000, "reason": 500 };
  const QUESTION_MAX = LIMITS.question;
  // The cities of ZONES in each language, spliced in when served (api/widget/assets.py).
  const ZONE_CITIES = /*@thotis-zone-cities*/ {};
  const ZONES = [
    'Europe/Paris', 'Europe/Brussels', 'Europe/Zurich', 'Europe/Luxembourg', 'Europe/London',
    'Europe/Lisbon', 'Europe/Madrid', 'Europe/Berlin', 'Africa/Casablanca', 'Africa/Algiers',
    'Africa/Tunis', 'Africa/Dakar', 'Africa/Abidjan', 'Indian/Reunion', 'Indian/Mayotte',
    'America/Guadeloupe', 'America/Martinique', 'America/Cayenne', 'America/Toronto',
    'America/New_York', 'Pacific/Tahiti', 'Pacific/Noumea', 'Asia/Dubai', 'UTC',
  ];

  /* ---------------------------------------------------------------- texts (French first) */
  const STRINGS = {
    fr: {
      loadingMentors: 'Chargement des mentors…',
      emptyMentors: 'Aucun mentor n’est disponible pour le moment dans cette filière. Reviens bientôt !',
      errorMentors: 'Impossible d’afficher les mentors pour le moment.',
      retry: 'Réessayer',
      nextSlot: 'Prochain créneau : {when}',
      noSlot: 'Pas de créneau libre pour l’instant',
      speaks: 'Parle {langs}',
      talkWith: 'Échanger avec {name}',
      book: 'Prendre rendez-vous',
      dialogTitle: 'Échange de 15 min avec {name}',
      dialogIntro: 'Un appel vidéo gratuit pour poser tes questions sur ses études.',
      loadingMentor: 'Chargement…',
      close: 'Fermer',
      tz: 'Fuseau horaire',
      prevWeek: 'Semaine précédente',
      nextWeek: 'Semaine suivante',
      week: 'Semaine du {from} au {to}',
      slotsOne: '1 créneau',
      slotsMany: '{n} créneaux',
      slotsNone: 'aucun créneau',
      loadingSlots: 'Chargement des créneaux…',
      errorSlots: 'Impossible de charger les créneaux.',
      noSlotWeek: 'Aucun créneau libre cette semaine.',
      jumpNext: 'Aller au prochain créneau libre',
      noSlotAtAll: 'Pas de créneau libre pour le moment. Reviens bientôt !',
      slotsOf: 'Horaires du {day}',
      currentSlot: 'actuel',
      slotAria: '{time}, {day}',
      yourSlot: 'Ton créneau',
      change: 'Changer d’horaire',
      firstName: 'Prénom',
      email: 'Adresse e-mail',
      emailHint: 'Pour t’envoyer la confirmation et le lien de la visio.',
      question: 'Ta question (facultatif)',
      questionCount: '{n} / {max} caractères',
      consent: 'Je suis d’accord pour que Thotis garde mon prénom et mon adresse e-mail le temps d’organiser cet échange : ils sont effacés ensuite.',
      ageLegend: 'Ton âge',
      age15: 'J’ai 15 ans ou plus',
      ageUnder15: 'J’ai moins de 15 ans',
      parentAgreed: 'Un de mes parents (ou la personne qui s’occupe de moi) est d’accord pour que je réserve cet échange.',
      errAge: 'Indique si tu as 15 ans ou plus.',
      errParent: 'Avant 15 ans, il faut l’accord d’un parent : coche la case une fois qu’il est d’accord.',
      privacy: 'Pourquoi et pour combien de temps ?',
      newTab: '(nouvel onglet)',
      submit: 'Confirmer le rendez-vous',
      sending: 'Réservation en cours…',
      errFirstName: 'Indique ton prénom.',
      errEmail: 'Indique une adresse e-mail valide, par exemple camille@exemple.fr.',
      errQuestion: 'Ta question doit faire {max} caractères au plus.',
      errFirstNameLong: 'Ton prénom doit faire {max} caractères au plus.',
      errEmailLong: 'Cette adresse e-mail est trop longue ({max} caractères au plus).',
      errConsent: 'Coche la case pour accepter que nous conservions ces informations.',
      formInvalid: 'Certains champs sont à corriger.',
      slotTaken: 'Ce créneau vient d’être réservé par quelqu’un d’autre. Le calendrier est à jour : choisis un autre horaire.',
      network: 'Connexion impossible. Tes informations sont conservées : vérifie ta connexion puis réessaie.',
      rateLimited: 'Trop de tentatives en peu de temps. Patiente une minute puis réessaie.',
      generic: 'Une erreur est survenue. Réessaie dans un instant.',
      unavailable: 'Le service est momentanément indisponible. Tes informations sont conservées : réessaie dans un instant.',
      mentorUnavailable: 'Ce mentor n’accepte plus de rendez-vous pour le moment.',
      emailBlocked: 'Cette adresse e-mail ne peut pas être utilisée pour réserver.',
      invalidTz: 'Ce fuseau horaire n’est pas reconnu.',
      doneTitle: 'C’est réservé !',
      doneWhen: 'Ton échange avec {name} : {when}.',
      doneEmail: 'Un e-mail de confirmation part vers {email}.',
      joinLabel: 'Ton lien pour rejoindre la visio :',
      joinHint: 'Il ouvre l’appel 15 minutes avant le début. Il est aussi dans l’e-mail et dans l’invitation.',
      joinCall: 'Rejoindre la visio',
      bookAgain: 'Réserver un autre échange',
      addCal: 'Ajouter à mon agenda',
      manage: 'Gérer ou annuler',
      withMentor: 'Échange vidéo de 15 min avec {name}',
      loadingBooking: 'Chargement de ton rendez-vous…',
      status: 'Statut : {status}',
      st_confirmed: 'confirmé',
      st_cancelled: 'annulé',
      st_rescheduled: 'déplacé',
      st_no_show: 'absence',
      cancel: 'Annuler le rendez-vous',
      cancelAsk: 'Tu veux vraiment annuler ce rendez-vous ? Nous prévenons {name}.',
      reason: 'Un mot pour {name} (facultatif)',
      confirmCancel: 'Oui, annuler',
      keep: 'Non, garder mon rendez-vous',
      cancelled: 'Ton rendez-vous est annulé. Nous avons prévenu {name}.',
      reschedule: 'Changer de créneau',
      rescheduleAsk: 'Déplacer le rendez-vous au {when} ?',
      confirmReschedule: 'Confirmer le nouveau créneau',
      back: 'Retour',
      rescheduled: 'C’est fait : ton rendez-vous est déplacé au {when}.',
      invalidToken: 'Ce lien n’est pas valide. Utilise le lien reçu par e-mail.',
      tokenExpired: 'Ce lien a expiré.',
      notLive: 'Ce rendez-vous ne peut plus être modifié.',
      notFound: 'Rendez-vous introuvable.',
    },
    en: {
      loadingMentors: 'Loading mentors…',
      emptyMentors: 'No mentor is available in this field right now. Come back soon!',
      errorMentors: 'The mentors cannot be shown right now.',
      retry: 'Try again',
      nextSlot: 'Next slot: {when}',
      noSlot: 'No free slot for now',
      speaks: 'Speaks {langs}',
      talkWith: 'Talk with {name}',
      book: 'Book a call',
      dialogTitle: '15-minute call with {name}',
      dialogIntro: 'A free video call to ask anything about their studies.',
      loadingMentor: 'Loading…',
      close: 'Close',
      tz: 'Time zone',
      prevWeek: 'Previous week',
      nextWeek: 'Next week',
      week: 'Week of {from} to {to}',
      slotsOne: '1 slot',
      slotsMany: '{n} slots',
      slotsNone: 'no slot',
      loadingSlots: 'Loading slots…',
      errorSlots: 'The slots cannot be loaded.',
      noSlotWeek: 'No free slot this week.',
      jumpNext: 'Go to the next free slot',
      noSlotAtAll: 'No free slot for now. Come back soon!',
      slotsOf: 'Times on {day}',
      currentSlot: 'current',
      slotAria: '{time}, {day}',
      yourSlot: 'Your slot',
      change: 'Change time',
      firstName: 'First name',
      email: 'Email address',
      emailHint: 'To send you the confirmation and the video link.',
      question: 'Your question (optional)',
      questionCount: '{n} / {max} characters',
      consent: 'I agree that Thotis keeps my first name and email address while it organises this call: they are erased afterwards.',
      ageLegend: 'Your age',
      age15: 'I am 15 or older',
      ageUnder15: 'I am under 15',
      parentAgreed: 'One of my parents (or the person who looks after me) agrees that I book this call.',
      errAge: 'Say whether you are 15 or older.',
      errParent: 'Under 15, a parent must agree: tick the box once they have.',
      privacy: 'Why, and for how long?',
      newTab: '(new tab)',
      submit: 'Confirm the booking',
      sending: 'Booking…',
      errFirstName: 'Enter your first name.',
      errEmail: 'Enter a valid email address, such as camille@example.com.',
      errQuestion: 'Your question must be {max} characters at most.',
      errFirstNameLong: 'Your first name must be {max} characters at most.',
      errEmailLong: 'This email address is too long ({max} characters at most).',
      errConsent: 'Tick the box to agree that we keep this information.',
      formInvalid: 'Some fields need fixing.',
      slotTaken: 'Someone else just booked this slot. The calendar is up to date: pick another time.',
      network: 'Cannot connect. Your details are kept: check your connection and try again.',
      rateLimited: 'Too many attempts in a short time. Wait a minute and try again.',
      generic: 'Something went wrong. Try again in a moment.',
      unavailable: 'The service is briefly unavailable. Your details are kept: try again in a moment.',
      mentorUnavailable: 'This mentor is not taking bookings right now.',
      emailBlocked: 'This email address cannot be used to book.',
      invalidTz: 'This time zone is not recognised.',
      doneTitle: 'You’re booked!',
      doneWhen: 'Your call with {name}: {when}.',
      doneEmail: 'A confirmation email is on its way to {email}.',
      joinLabel: 'Your link to join the video call:',
      joinHint: 'It opens the call 15 minutes before the start. It is also in the email and the invitation.',
      joinCall: 'Join the video call',
      bookAgain: 'Book another call',
      addCal: 'Add to my calendar',
      manage: 'Manage or cancel',
      withMentor: '15-minute video call with {name}',
      loadingBooking: 'Loading your booking…',
      status: 'Status: {status}',
      st_confirmed: 'confirmed',
      st_cancelled: 'cancelled',
      st_rescheduled: 'moved',
      st_no_show: 'no-show',
      cancel: 'Cancel the booking',
      cancelAsk: 'Do you really want to cancel this call? We will let {name} know.',
      reason: 'A word for {name} (optional)',
      confirmCancel: 'Yes, cancel',
      keep: 'No, keep my booking',
      cancelled: 'Your booking is cancelled. We let {name} know.',
      reschedule: 'Change the slot',
      rescheduleAsk: 'Move the call to {when}?',
      confirmReschedule: 'Confirm the new slot',
      back: 'Back',
      rescheduled: 'Done: your call is moved to {when}.',
      invalidToken: 'This link is not valid. Use the link from your email.',
      tokenExpired: 'This link has expired.',
      notLive: 'This booking can no longer be changed.',
      notFound: 'Booking not found.',
    },
  };
  const ERROR_KEYS = {
    slot_taken: 'slotTaken', outside_availability: 'slotTaken', network: 'network',
    rate_limited: 'rateLimited', mentor_unavailable: 'mentorUnavailable',
    email_blocked: 'emailBlocked', invalid_timezone: 'invalidTz', invalid_token: 'invalidToken',
    token_expired: 'tokenExpired', booking_not_live: 'notLive', not_found: 'notFound',
    database_unavailable: 'unavailable', origin_not_allowed: 'unavailable',
  };

  // "Le premier étudiant disponible" (the `first-available` attribute of the mentor list).
  Object.assign(STRINGS.fr, {
    firstTitle: 'Le premier étudiant disponible',
    firstIntro: 'Choisis un horaire : tu échangeras avec un étudiant de la filière libre à ce moment-là.',
    firstButton: 'Voir tous les horaires',
    firstDialogTitle: 'Échange de 15 min avec le premier étudiant disponible',
    firstDialogIntro: 'Tous les horaires où au moins un étudiant de la filière est libre. Nous choisissons l’étudiant pour toi.',
  });
  Object.assign(STRINGS.en, {
    firstTitle: 'The first available student',
    firstIntro: 'Pick a time: you will talk with a student of this field who is free then.',
    firstButton: 'See every time',
    firstDialogTitle: '15-minute call with the first available student',
    firstDialogIntro: 'Every time at which at least one student of this field is free. We choose the student for you.',
  });
  // Booker email verification (a code mailed to the visitor before the booking is made).
  Object.assign(STRINGS.fr, {
    codeTitle: 'Confirme ton adresse e-mail',
    codeSent: 'Nous avons envoyé un code à 6 chiffres à {email}. Saisis-le ci-dessous : le créneau t’est réservé pendant {minutes} minutes.',
    codeLabel: 'Code reçu par e-mail',
    codeHint: '6 chiffres. Pense à regarder dans les courriers indésirables.',
    codeSubmit: 'Confirmer la réservation',
    codeResend: 'Recevoir un nouveau code',
    codeResent: 'Un nouveau code t’a été envoyé.',
    codeChangeEmail: 'Modifier mon adresse',
    errCode: 'Saisis les 6 chiffres du code.',
    codeWrong: 'Ce code n’est pas le bon. Essais restants : {n}.',
    codeExpired: 'Ce code a expiré ou a été trop souvent mal saisi. Demandes-en un nouveau.',
    tooManyLive: 'Cette adresse a déjà le nombre maximal de rendez-vous à venir. Annules-en un pour en réserver un autre.',
  });
  Object.assign(STRINGS.en, {
    codeTitle: 'Confirm your email address',
    codeSent: 'We sent a 6-digit code to {email}. Type it below: the slot is held for you for {minutes} minutes.',
    codeLabel: 'Code from the email',
    codeHint: '6 digits. Check your spam folder too.',
    codeSubmit: 'Confirm the booking',
    codeResend: 'Send me a new code',
    codeResent: 'A new code is on its way.',
    codeChangeEmail: 'Change my address',
    errCode: 'Type the 6 digits of the code.',
    codeWrong: 'This code is not the right one. Tries left: {n}.',
    codeExpired: 'This code has expired or was mistyped too often. Ask for a new one.',
    tooManyLive: 'This address already has the most upcoming bookings allowed. Cancel one to book another.',
  });
  Object.assign(ERROR_KEYS, { too_many_live_bookings: 'tooManyLive', verification_expired: 'codeExpired' });
  // A verified address is remembered for 30 days by the server's signed proof, kept here.
  const PROOF_KEY = 'thotis-email-proofs';
  const proofs = {
    read() {
      try { return JSON.parse(window.localStorage.getItem(PROOF_KEY) || '{}') || {}; } catch { return {}; }
    },
    get(email) { return this.read()[email.trim().toLowerCase()] || null; },
    set(email, proof) {
      if (!proof) return;
      try {
        const all = this.read();
        all[email.trim().toLowerCase()] = proof;
        window.localStorage.setItem(PROOF_KEY, JSON.stringify(all));
      } catch { /* storage off: the visitor is asked for a code next time */ }
    },
  };

  const langOf = (el) => {
    const v = ((el && (el.getAttribute('lang') || (el.closest && el.closest('[lang]')?.getAttribute('lang')))) || 'fr').toLowerCase();
    return v.startsWith('en') ? 'en' : 'fr';
  };
  const tr = (lang, key, vars) => {
    const s = STRINGS[lang][key] ?? STRINGS.fr[key] ?? key;
    return vars ? s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? '')) : s;
  };
  const locale = (lang) => (lang === 'en' ? 'en-GB' : 'fr-FR');

  /* ---------------------------------------------------------------- DOM helpers */
  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid != null && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
    }
    return el;
  }
  let sharedSheet = null;
  function adoptStyles(root) {
    if ('adoptedStyleSheets' in Document.prototype && 'replaceSync' in CSSStyleSheet.prototype) {
      if (!sharedSheet) {
        sharedSheet = new CSSStyleSheet();
        sharedSheet.replaceSync(CSS);
      }
      root.adoptedStyleSheets = [sharedSheet];
    } else {
      root.append(h('style', { text: CSS }));
    }
  }
  const FOCUSABLE = 'a[href],button:not([disabled]),input:not([disabled]),select:not([disabled]),textarea:not([disabled]),[tabindex]';
  function tabbables(container) {
    return [...container.querySelectorAll(FOCUSABLE)].filter(
      (el) => el.tabIndex >= 0 && !el.closest('[hidden],[inert]') && el.getClientRects().length > 0,
    );
  }
  // A refused origin (problem origin_not_allowed): the page's owner learns which origin to
  // add, in the error event and in the console; the visitor sees the "unavailable" text.
  function originHint(detail) {
    if (!detail || detail.code !== 'origin_not_allowed') return detail;
    const origin = location.origin;
    return { ...detail, origin, hint: `Add ${origin} to CORS_ORIGINS on the Thotis service.` };
  }
  function emit(target, name, detail) {
    detail = originHint(detail);
    target.dispatchEvent(new CustomEvent(`thotis:${name}`, { detail, bubbles: true, composed: true }));
  }
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }
  function avatar(mentor, size) {
    if (mentor && mentor.photo_url) {
      return h('img', { class: 'avatar', part: 'photo', src: mentor.photo_url, alt: '', width: size, height: size, loading: 'lazy', decoding: 'async' });
    }
    const initial = ((mentor && mentor.display_name) || '?').trim().charAt(0).toUpperCase();
    return h('span', { class: 'avatar initials', part: 'photo', 'aria-hidden': 'true', style: `--size:${size}px` }, initial);
  }
  // The API may give a bare number ("2"): say it as people do.
  function yearText(year, lang) {
    const v = String(year == null ? '' : year).trim();
    if (!/^\d+$/.test(v)) return v;
    if (lang === 'en') return `Year ${v}`;
    return v === '1' ? '1re année' : `${v}e année`;
  }
  const metaLine = (m, lang) => [m.university, yearText(m.year_of_study, lang)].filter(Boolean).join(' · ');
  function languagesText(codes, lang) {
    let names;
    try {
      const dn = new Intl.DisplayNames([locale(lang)], { type: 'language' });
      names = (codes || []).map((c) => dn.of(c));
    } catch {
      names = codes || [];
    }
    try {
      return new Intl.ListFormat(locale(lang), { type: 'conjunction' }).format(names);
    } catch {
      return names.join(', ');
    }
  }

  /* ---------------------------------------------------------------- time helpers */
  function detectTz() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Paris';
    } catch {
      return 'Europe/Paris';
    }
  }
  function validTz(tz) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }
  const fmtCache = new Map();
  function fmt(lang, opts) {
    const key = lang + JSON.stringify(opts);
    let f = fmtCache.get(key);
    if (!f) fmtCache.set(key, (f = new Intl.DateTimeFormat(locale(lang), opts)));
    return f;
  }
  function ymdIn(date, tz) {
    const o = {};
    for (const p of fmt('en', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date)) o[p.type] = p.value;
    return `${o.year}-${o.month}-${o.day}`;
  }
  const ymdMs = (ymd) => Date.parse(`${ymd}T00:00:00Z`);
  const addDays = (ymd, n) => new Date(ymdMs(ymd) + n * DAY_MS).toISOString().slice(0, 10);
  const mondayOf = (ymd) => addDays(ymd, -((new Date(ymdMs(ymd)).getUTCDay() + 6) % 7));
  const fmtDay = (ymd, lang, opts) => fmt(lang, { timeZone: 'UTC', ...opts }).format(new Date(ymdMs(ymd) + 12 * 36e5));
  // "ISO 8601 with an offset": +00:00 rather than Z, and no milliseconds.
  const isoUtc = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  function whenText(iso, tz, lang) {
    return fmt(lang, { timeZone: tz, weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
  }
  function shortWhen(iso, tz, lang) {
    return fmt(lang, { timeZone: tz, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
  }
  // The zone as the reader names it: its city in their language (CLDR's, spliced in by the
  // service from Babel: Bruxelles, La Réunion, Nouméa), the offset from Intl.
  function tzLabel(tz, lang) {
    let offset = '';
    try {
      const part = fmt(lang || 'fr', { timeZone: tz, timeZoneName: 'shortOffset' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName');
      offset = part ? part.value.replace('GMT', 'UTC') : '';
    } catch { /* older engines: the city alone is clear enough */ }
    const cities = ZONE_CITIES[lang === 'en' ? 'en' : 'fr'] || {};
    const city = tz === 'UTC' ? 'UTC' : cities[tz] || tz.split('/').pop().replace(/_/g, ' ');
    return offset && offset !== city ? `${city} (${offset})` : city;
  }

  /* ---------------------------------------------------------------- JSON API client */
  class ApiError extends Error {
    constructor(status, code, body) {
      super(code);
      this.status = status;
      this.code = code;
      this.body = body || {};
    }
  }
  class Api {
    constructor(base, lang) {
      this.base = (base || SCRIPT_ORIGIN).replace(/\/+$/, '');
      this.lang = lang;
    }
    async request(path, { method = 'GET', body, headers, signal } = {}) {
      let res;
      try {
        res = await fetch(this.base + path, {
          method,
          signal,
          credentials: 'omit',
          headers: {
            Accept: 'application/json',
            'Accept-Language': this.lang,
            ...(body ? { 'Content-Type': 'application/json' } : {}),
            ...headers,
          },
          body: body ? JSON.stringify(body) : undefined,
        });
      } catch (err) {
        if (err && err.name === 'AbortError') throw err;
        throw new ApiError(0, 'network');
      }
      let data = null;
      try {
        data = await res.json();
      } catch {
        if (res.ok) throw new ApiError(res.status, 'bad_response');
      }
      if (data && data.code === 'origin_not_allowed') {
        console.error(`[thotis] ${location.origin} may not call ${this.base}: add ${location.origin} to CORS_ORIGINS on the Thotis service.`);
      }
      if (!res.ok) throw new ApiError(res.status, (data && data.code) || (res.status >= 500 ? 'network' : 'http_error'), data);
      return data;
    }
    get(path, opts) {
      return this.request(path, opts);
    }
    post(path, body, headers) {
      return this.request(path, { method: 'POST', body, headers });
    }
  }
  const enc = encodeURIComponent;
  // Which of our messages says what the API refused in a field (its words are msgspec's English).
  const FIELD_ERROR = {
    first_name: (m) => (/length <=|too long/i.test(m) ? 'errFirstNameLong' : 'errFirstName'),
    email: (m) => (/length <=|too long/i.test(m) ? 'errEmailLong' : 'errEmail'),
    question: () => 'errQuestion',
    consent: () => 'errConsent',
  };
  const errorText = (lang, err) => tr(lang, ERROR_KEYS[err && err.code] || 'generic');

  /* ---------------------------------------------------------------- week calendar */
  // Shared by the booking dialog and the manage page (reschedule). Owns its DOM subtree;
  // days and slots are roving-tabindex groups (one Tab stop each, arrows move, Enter picks).
  class Calendar {
    // `current`: the start of the booking being moved; the calendar opens on its week and
    // shows it, marked and not pickable, among the free slots.
    constructor({ api, mentorId, filiere, lang, tz, hint, current, onPick, onTz, onLoaded, signal }) {
      Object.assign(this, { api, mentorId, filiere, lang, tz, hint: hint || current, current, onPick, onTz, onLoaded, signal });
      this.el = h('div', { class: 'cal', part: 'calendar' });
      this.reset();
    }
    reset() {
      this.days = new Map();
      this.loadedUntil = null;
      this.exhausted = false;
      this.state = 'loading';
      this.week = null;
      this.day = null;
    }
    today() {
      return ymdIn(new Date(), this.tz);
    }
    async fetchChunk(fromMs, toMs) {
      const q = `from=${enc(isoUtc(fromMs))}&to=${enc(isoUtc(toMs))}&tz=${enc(this.tz)}`;
      const data = await this.api.get(this.slotsPath(q), { signal: this.signal });
      let found = 0;
      for (const day of data.days || []) {
        const known = this.days.get(day.date) || [];
        const seen = new Set(known.map((s) => s.start));
        for (const s of day.slots || []) {
          if (!seen.has(s.start)) known.push({ ...s, date: day.date });
          found += 1;
        }
        known.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
        if (known.length) this.days.set(day.date, known);
      }
      this.loadedUntil = toMs;
      if (!found) this.exhausted = true;
    }
    // A filière's merged calendar (first available student) or one mentor's slots.
    slotsPath(q) {
      return this.filiere ? `/v1/filieres/${enc(this.filiere)}/slots?${q}` : `/v1/mentors/${enc(this.mentorId)}/slots?${q}`;
    }
    // Loads enough to show `week` whole (a day ends at most 14 h after UTC midnight).
    async ensureWeek(week) {
      const needed = ymdMs(addDays(week, 7)) + 14 * 36e5;
      while (!this.exhausted && this.loadedUntil < needed) {
        await this.fetchChunk(this.loadedUntil, this.loadedUntil + CHUNK_DAYS * DAY_MS);
      }
    }
    firstSlotDay(fromYmd) {
      return [...this.days.keys()].filter((d) => d >= fromYmd).sort()[0] || null;
    }
    async load(keepWeek) {
      const week = keepWeek ? this.week : null;
      this.reset();
      this.render();
      try {
        const now = Date.now();
        let to = now + CHUNK_DAYS * DAY_MS;
        const hint = this.hint ? Date.parse(this.hint) : NaN;
        if (hint > to - 7 * DAY_MS) to = Math.min(hint + 8 * DAY_MS, now + MAX_RANGE_DAYS * DAY_MS);
        await this.fetchChunk(now, to);
        this.exhausted = false; // an empty first chunk only says "nothing soon"
        if (!this.days.size) this.exhausted = true;
        const first = this.firstSlotDay(this.today());
        const currentDay = this.currentDay();
        this.week = week || mondayOf(currentDay || first || this.today());
        await this.ensureWeek(this.week);
        this.state = 'ready';
        this.pickDefaultDay();
      } catch (err) {
        if (err && err.name === 'AbortError') return;
        this.state = 'error';
        this.error = err;
      }
      this.render();
      if (this.onLoaded) this.onLoaded(this.state);
    }
    pickDefaultDay() {
      const days = this.weekDays().filter((d) => this.slotsOf(d).length);
      const currentDay = this.currentDay();
      this.day = days.includes(this.day) ? this.day : days.includes(currentDay) ? currentDay : days[0] || null;
    }
    currentDay() {
      if (!this.current) return null;
      const d = ymdIn(new Date(this.current), this.tz);
      return d >= this.today() ? d : null;
    }
    // A day's free slots, with the booking being moved among them (marked) on its day.
    slotsOf(d) {
      const free = this.days.get(d) || [];
      if (!this.current || d !== this.currentDay()) return free;
      const label = fmt(this.lang, { timeZone: this.tz, hour: '2-digit', minute: '2-digit' }).format(new Date(this.current));
      return [...free, { start: this.current, label, current: true }].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    }
    weekDays() {
      return Array.from({ length: 7 }, (_, i) => addDays(this.week, i));
    }
    async goWeek(week, focus) {
      this.week = week;
      this.busy = true;
      this.render();
      try {
        await this.ensureWeek(week);
      } catch (err) {
        if (err && err.name === 'AbortError') return;
        this.state = 'error';
        this.error = err;
      }
      this.busy = false;
      this.day = null;
      this.pickDefaultDay();
      this.render(focus);
    }
    jumpToNext() {
      const first = this.firstSlotDay(addDays(this.week, 7)) || this.firstSlotDay(this.today());
      if (first) this.goWeek(mondayOf(first), 'day');
    }
    setTz(tz) {
      this.tz = tz;
      if (this.onTz) this.onTz(tz);
      return this.load(false);
    }
    focusIn(selector) {
      const el = this.el.querySelector(selector);
      if (el) el.focus();
    }
    render(focus) {
      const { lang } = this;
      const t = (k, v) => tr(lang, k, v);
      const zones = ZONES.includes(this.tz) ? ZONES : [this.tz, ...ZONES];
      const tzSelect = h('select', {
        id: 'cal-tz',
        part: 'select',
        onchange: (e) => {
          this.setTz(e.target.value);
        },
      }, zones.map((z) => h('option', { value: z, selected: z === this.tz }, tzLabel(z, lang))));
      const bar = h('div', { class: 'cal-bar' }, h('label', { for: 'cal-tz', class: 'tz-label' }, t('tz')), tzSelect);
      this.el.replaceChildren(bar);
      if (this.state === 'loading') {
        this.el.append(
          h('p', { class: 'sr-only', role: 'status' }, t('loadingSlots')),
          h('div', { class: 'days skeleton', 'aria-hidden': 'true' }, Array.from({ length: 7 }, () => h('span', { class: 'sk sk-day' }))),
          h('div', { class: 'slots skeleton', 'aria-hidden': 'true' }, Array.from({ length: 6 }, () => h('span', { class: 'sk sk-slot' }))),
        );
        return;
      }
      if (this.state === 'error') {
        this.el.append(h('div', { class: 'state error', role: 'alert' },
          h('p', {}, this.error && this.error.code === 'network' ? t('network') : t('errorSlots')),
          h('button', { type: 'button', class: 'btn secondary', part: 'button', onclick: () => this.load(true) }, t('retry'))));
        return;
      }
      const today = this.today();
      const minWeek = mondayOf(today);
      const days = this.weekDays();
      const lastDay = [...this.days.keys()].sort().pop();
      const canNext = !this.exhausted || (lastDay && lastDay >= addDays(this.week, 7));
      const weekTitle = t('week', {
        from: fmtDay(days[0], lang, { day: 'numeric', month: 'long' }),
        to: fmtDay(days[6], lang, { day: 'numeric', month: 'long' }),
      });
      this.el.append(h('div', { class: 'week-nav' },
        h('button', {
          type: 'button', class: 'icon-btn', part: 'button nav-button', 'aria-label': t('prevWeek'), 'data-nav': 'prev',
          disabled: this.week <= minWeek || this.busy, onclick: () => this.goWeek(addDays(this.week, -7), 'prev'),
        }, '‹'),
        h('h3', { id: 'cal-week', class: 'week-title', 'aria-live': 'polite' }, weekTitle),
        h('button', {
          type: 'button', class: 'icon-btn', part: 'button nav-button', 'aria-label': t('nextWeek'), 'data-nav': 'next',
          disabled: !canNext || this.busy, onclick: () => this.goWeek(addDays(this.week, 7), 'next'),
        }, '›')));

      const dayButtons = days.map((d) => {
        const n = (this.days.get(d) || []).length;
        const pickable = this.slotsOf(d).length;
        const countText = n === 0 ? t('slotsNone') : n === 1 ? t('slotsOne') : t('slotsMany', { n });
        return h('button', {
          type: 'button',
          class: `day${n ? ' has-slots' : ''}${d === today ? ' today' : ''}`,
          part: `day${n ? ' day-available' : ''}${d === this.day ? ' day-selected' : ''}`,
          'data-date': d,
          disabled: !pickable,
          'aria-pressed': pickable ? String(d === this.day) : null,
          tabindex: d === this.day ? '0' : '-1',
          onclick: () => this.selectDay(d, 'day'),
        },
        // The name starts with what is visible ("ven. 27"), then what only the eye infers.
        h('span', { class: 'dow' }, fmtDay(d, lang, { weekday: 'short' })),
        h('span', { class: 'dnum' }, ' ', fmtDay(d, lang, { day: 'numeric' })),
        h('span', { class: 'sr-only' }, ` ${fmtDay(d, lang, { month: 'long' })}, ${countText}`),
        h('span', { class: 'dot', 'aria-hidden': 'true' }));
      });
      const dayGroup = h('div', { class: 'days', role: 'group', 'aria-labelledby': 'cal-week', onkeydown: (e) => this.rove(e, '.day:not([disabled])', (el) => this.selectDay(el.dataset.date, 'day')) }, dayButtons);
      this.el.append(dayGroup);

      const slots = this.day ? this.slotsOf(this.day) : [];
      if (!slots.length) {
        const anyLater = this.firstSlotDay(addDays(this.week, 7)) || this.firstSlotDay(today);
        this.el.append(h('div', { class: 'state empty', part: 'empty' },
          h('p', {}, this.days.size ? t('noSlotWeek') : t('noSlotAtAll')),
          anyLater ? h('button', { type: 'button', class: 'btn secondary', part: 'button', onclick: () => this.jumpToNext() }, t('jumpNext')) : null));
      } else {
        const dayLong = fmtDay(this.day, lang, { weekday: 'long', day: 'numeric', month: 'long' });
        const pickableIdx = slots.findIndex((s) => !s.current);
        const focusIdx = Math.max(pickableIdx, slots.findIndex((s) => s.start === this.focusStart && !s.current));
        this.el.append(
          h('h4', { id: 'cal-slots', class: 'slots-title' }, t('slotsOf', { day: dayLong })),
          h('div', {
            class: 'slots', role: 'group', 'aria-labelledby': 'cal-slots',
            onkeydown: (e) => this.rove(e, '.slot:not([disabled])', (el) => { this.focusStart = el.dataset.start; }),
          }, slots.map((s, i) => s.current ? h('button', {
            type: 'button', class: 'slot current', part: 'slot slot-current', 'data-start': s.start,
            disabled: true, 'aria-current': 'true',
          }, s.label, h('span', { class: 'slot-note' }, ` ${t('currentSlot')}`), h('span', { class: 'sr-only' }, `, ${dayLong}`)) : h('button', {
            type: 'button', class: 'slot', part: 'slot', 'data-start': s.start,
            'aria-label': t('slotAria', { time: s.label, day: dayLong }),
            tabindex: i === focusIdx ? '0' : '-1',
            onclick: () => {
              this.focusStart = s.start;
              this.onPick(s);
            },
          }, s.label))),
        );
      }
      if (focus === 'day') this.focusIn('.day[tabindex="0"]') || null;
      else if (focus === 'prev' || focus === 'next') {
        const btn = this.el.querySelector(`[data-nav="${focus}"]`);
        if (btn && !btn.disabled) btn.focus();
        else this.focusIn('.day[tabindex="0"]');
      } else if (focus === 'slot') this.focusIn('.slot[tabindex="0"]');
    }
    selectDay(d, focus) {
      if (!this.slotsOf(d).length) return;
      this.day = d;
      this.focusStart = null;
      this.render(focus);
    }
    // Roving tabindex: arrows move within the group, Home/End jump to its ends.
    rove(e, selector, onMove) {
      const items = [...e.currentTarget.querySelectorAll(selector)];
      const i = items.indexOf(e.target);
      if (i < 0) return;
      const last = items.length - 1;
      const next = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: last }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      const target = items[Math.max(0, Math.min(last, next))];
      for (const el of items) el.tabIndex = el === target ? 0 : -1;
      target.focus();
      onMove(target);
    }
    // Focus the first useful control once data is there (used right after opening).
    focusFirst() {
      const el = this.el.querySelector('.day[tabindex="0"]') || this.el.querySelector('.state button') || this.el.querySelector('select');
      if (el) el.focus();
      return !!el;
    }
  }

  /* ---------------------------------------------------------------- base element */
  class Base extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: 'open' });
      adoptStyles(this.shadowRoot);
    }
    get lang_() {
      return langOf(this);
    }
    get apiBase() {
      return this.getAttribute('api-base') || SCRIPT_ORIGIN;
    }
    get tz() {
      const tz = this.getAttribute('tz');
      return tz && validTz(tz) ? tz : detectTz();
    }
    t(key, vars) {
      return tr(this.lang_, key, vars);
    }
  }

  /* ---------------------------------------------------------------- <thotis-mentor-list> */
  class MentorList extends Base {
    static get observedAttributes() {
      return ['filiere', 'lang', 'api-base', 'tz', 'first-available'];
    }
    connectedCallback() {
      this.load();
    }
    attributeChangedCallback(name, old, value) {
      if (!this.isConnected || old === value) return;
      if (name === 'lang' && this.data) this.render();
      else this.load();
    }
    async load() {
      const slug = this.getAttribute('filiere');
      if (!slug) return;
      const ticket = (this.ticket = (this.ticket || 0) + 1);
      this.state = 'loading';
      this.render();
      this.api = new Api(this.apiBase, this.lang_);
      try {
        const data = await this.api.get(`/v1/filieres/${enc(slug)}/mentors?tz=${enc(this.tz)}`);
        if (ticket !== this.ticket) return;
        this.data = data;
        this.state = 'ready';
      } catch (err) {
        if (ticket !== this.ticket) return;
        this.state = 'error';
        emit(this, 'error', { code: err.code, status: err.status, filiere: slug });
      }
      this.render();
    }
    render() {
      const root = h('div', { class: 'root list', part: 'root' });
      if (this.state === 'loading') {
        root.append(
          h('p', { class: 'sr-only', role: 'status' }, this.t('loadingMentors')),
          h('ul', { class: 'grid', 'aria-hidden': 'true' }, [0, 1, 2].map(() => h('li', { class: 'card sk-card' },
            h('span', { class: 'avatar sk' }), h('span', { class: 'sk line' }), h('span', { class: 'sk line short' }), h('span', { class: 'sk btn-sk' })))),
        );
      } else if (this.state === 'error') {
        root.append(h('div', { class: 'state error', role: 'alert', part: 'error' },
          h('p', {}, this.t('errorMentors')),
          h('button', { type: 'button', class: 'btn secondary', part: 'button', onclick: () => this.load() }, this.t('retry'))));
      } else if (!this.data.mentors.length) {
        root.append(h('div', { class: 'state empty', part: 'empty' }, h('p', {}, this.t('emptyMentors'))));
      } else {
        const tz = this.tz;
        if (this.hasAttribute('first-available')) root.append(this.firstAvailableEntry());
        root.append(h('ul', { class: 'grid', role: 'list' }, this.data.mentors.map((m) => {
          const button = h('button', {
            type: 'button', class: 'btn primary', part: 'button card-button',
            onclick: () => open({ mentorId: m.id, mentor: m, filiere: this.getAttribute('filiere'), lang: this.lang_, apiBase: this.apiBase, tz: this.getAttribute('tz') || undefined, opener: button, host: this, privacyUrl: this.getAttribute('privacy-url') }),
          }, this.t('talkWith', { name: m.display_name }));
          return h('li', { class: 'card', part: 'card' },
            avatar(m, 64),
            h('div', { class: 'card-body' },
              h('h3', { class: 'name', part: 'name' }, m.display_name),
              h('p', { class: 'meta' }, metaLine(m, this.lang_)),
              m.languages && m.languages.length ? h('p', { class: 'meta' }, this.t('speaks', { langs: languagesText(m.languages, this.lang_) })) : null,
              h('p', { class: `next${m.next_free_slot ? '' : ' none'}`, part: 'next-slot' },
                m.next_free_slot ? this.t('nextSlot', { when: shortWhen(m.next_free_slot, tz, this.lang_) }) : this.t('noSlot'))),
            button);
        })));
      }
      this.shadowRoot.replaceChildren(root);
    }
  }

  // The "Le premier étudiant disponible" entry above the cards: opens the filière's merged
  // calendar and books without choosing a mentor.
  MentorList.prototype.firstAvailableEntry = function firstAvailableEntry() {
    const button = h('button', {
      type: 'button', class: 'btn primary', part: 'button card-button first-available-button', id: 'first-available',
      onclick: () => open({ filiere: this.getAttribute('filiere'), lang: this.lang_, apiBase: this.apiBase, tz: this.getAttribute('tz') || undefined, opener: button, host: this, privacyUrl: this.getAttribute('privacy-url') }),
    }, this.t('firstButton'));
    return h('section', { class: 'card first-available', part: 'card first-available', 'aria-labelledby': 'first-available-title' },
      h('div', { class: 'card-body' },
        h('h3', { class: 'name', part: 'name', id: 'first-available-title' }, this.t('firstTitle')),
        h('p', { class: 'meta' }, this.t('firstIntro'))),
      button);
  };

  /* ---------------------------------------------------------------- <thotis-booking> */
  class BookingButton extends Base {
    connectedCallback() {
      const button = h('button', { type: 'button', class: 'btn primary', part: 'button' }, h('slot', {}, this.t('book')));
      button.addEventListener('click', () => open({
        mentorId: this.getAttribute('mentor-id'), filiere: this.getAttribute('filiere'), lang: this.lang_, apiBase: this.apiBase,
        tz: this.getAttribute('tz') || undefined, opener: button, host: this, privacyUrl: this.getAttribute('privacy-url'),
      }));
      this.shadowRoot.replaceChildren(h('span', { class: 'root inline', part: 'root' }, button));
    }
  }

  /* ---------------------------------------------------------------- the booking dialog */
  const BRAND_PROPS = ['--thotis-primary', '--thotis-on-primary', '--thotis-accent', '--thotis-font', '--thotis-radius', '--thotis-spacing', '--thotis-text', '--thotis-muted', '--thotis-surface', '--thotis-soft', '--thotis-border', '--thotis-font-size'];

  class BookingDialog extends Base {
    constructor() {
      super();
      this.dialog = h('dialog', { class: 'dlg', part: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'dlg-title' });
      this.dialog.addEventListener('keydown', (e) => this.onKey(e));
      this.dialog.addEventListener('cancel', (e) => {
        e.preventDefault();
        this.close();
      });
      // Also closed by the browser itself; ignore the late event of a dialog opened again since.
      this.dialog.addEventListener('close', () => {
        if (!this.dialog.open) this.finish();
      });
      this.dialog.addEventListener('click', (e) => {
        // A click on the backdrop lands on <dialog> itself; never lose a half-filled form.
        if (e.target === this.dialog && this.step !== 'form') this.close();
      });
      this.shadowRoot.append(this.dialog);
    }
    open(opts) {
      if (this.dialog.open) this.close(true);
      const lang = opts.lang === 'en' ? 'en' : 'fr';
      this.setAttribute('lang', lang);
      this.opts = opts;
      this.opener = opts.opener || (document.activeElement !== document.body ? document.activeElement : null);
      this.eventTarget = opts.host && opts.host.isConnected ? opts.host : this;
      this.copyBranding(opts.host || opts.opener);
      this.api = new Api(opts.apiBase, lang);
      this.abort = new AbortController();
      this.mentor = opts.mentor || null;
      this.tzValue = opts.tz && validTz(opts.tz) ? opts.tz : detectTz();
      this.step = 'calendar';
      this.chosen = null;
      this.form = { first_name: '', email: '', question: '', consent: false, age: '', parent_agreed: false };
      this.notice = null;
      this.result = null;
      this.inflight = false;
      this.idemKey = null;
      this.lastSig = null;
      this.closed = false;
      this.finished = false;
      this.openedAt = performance.now();
      this.interactiveAt = null;
      this.calendar = new Calendar({
        api: this.api, mentorId: opts.mentorId, filiere: opts.mentorId ? null : opts.filiere, lang, tz: this.tzValue,
        hint: this.mentor && this.mentor.next_free_slot, signal: this.abort.signal,
        onPick: (slot) => this.pick(slot),
        onTz: (tz) => { this.tzValue = tz; },
        onLoaded: () => {
          this.interactiveAt = performance.now();
          // Move focus from the title to the days once they exist (keyboard users land there).
          if (this.step === 'calendar' && this.shadowRoot.activeElement === this.titleEl) this.calendar.focusFirst();
        },
      });
      this.render();
      this.dialog.showModal();
      this.titleEl.focus();
      emit(this.eventTarget, 'open', { mentorId: opts.mentorId });
      if (!this.mentor && opts.mentorId) this.loadMentor();
      this.calendar.load();
    }
    copyBranding(source) {
      if (!source || source === this) return;
      const cs = getComputedStyle(source);
      for (const p of BRAND_PROPS) {
        const v = cs.getPropertyValue(p).trim();
        if (v) this.style.setProperty(p, v);
        else this.style.removeProperty(p);
      }
    }
    async loadMentor() {
      try {
        this.mentor = await this.api.get(`/v1/mentors/${enc(this.opts.mentorId)}`, { signal: this.abort.signal });
        this.renderHeader();
      } catch (err) {
        if (err && err.name === 'AbortError') return;
        this.mentorError = err;
        this.renderHeader();
        emit(this.eventTarget, 'error', { code: err.code, status: err.status, mentorId: this.opts.mentorId });
      }
    }
    close(silent) {
      if (this.closed) return;
      this.closed = true;
      if (this.abort) this.abort.abort();
      if (this.dialog.open) this.dialog.close();
      this.finish(silent);
    }
    finish(silent) {
      if (this.finished) return;
      this.finished = true;
      this.closed = true;
      if (this.abort) this.abort.abort();
      if (!silent) emit(this.eventTarget, 'closed', { mentorId: this.opts.mentorId, booked: !!this.result });
      const opener = this.opener;
      if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
    }
    onKey(e) {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.close();
        return;
      }
      if (e.key !== 'Tab') return;
      // Focus trap: wrap Tab and Shift+Tab inside the dialog.
      const items = tabbables(this.dialog);
      if (!items.length) return;
      const active = this.shadowRoot.activeElement;
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && (active === first || !this.dialog.contains(active) || active === this.titleEl)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && active === last) {
        e.preventDefault();
        first.focus();
      }
    }
    announce(text) {
      this.live.textContent = '';
      // A fresh text node after a tick is what makes screen readers speak a repeated message.
      setTimeout(() => { this.live.textContent = text; }, 30);
    }
    render() {
      const t = (k, v) => this.t(k, v);
      this.titleEl = h('h2', { id: 'dlg-title', class: 'dlg-title', tabindex: '-1' });
      this.headerEl = h('div', { class: 'profile', part: 'profile' });
      this.bodyEl = h('div', { class: 'dlg-body', part: 'body' });
      this.live = h('div', { class: 'sr-only', 'aria-live': 'assertive', 'aria-atomic': 'true' });
      this.bioEl = h('p', { class: 'bio', part: 'bio', hidden: true });
      const root = h('div', { class: 'root dlg-root', part: 'root' },
        h('header', { class: 'dlg-head', part: 'header' },
          this.headerEl,
          h('button', { type: 'button', class: 'icon-btn close', part: 'button close-button', 'aria-label': t('close'), onclick: () => this.close() }, '×')),
        this.bodyEl, this.live);
      this.dialog.replaceChildren(root);
      this.renderHeader();
      this.renderStep();
    }
    renderHeader() {
      if (this.firstFree) return this.renderFirstHeader();
      const m = this.mentor;
      const name = m ? m.display_name : '';
      this.titleEl.textContent = m ? this.t('dialogTitle', { name }) : this.mentorError ? this.t('generic') : this.t('loadingMentor');
      const lines = m ? [
        h('p', { class: 'meta' }, metaLine(m, this.lang_)),
        m.languages && m.languages.length ? h('p', { class: 'meta' }, this.t('speaks', { langs: languagesText(m.languages, this.lang_) })) : null,
      ] : [];
      this.headerEl.replaceChildren(avatar(m, 56), h('div', { class: 'profile-text' }, this.titleEl, lines));
      this.bioEl.textContent = (m && m.bio) || '';
      this.bioEl.hidden = !(m && m.bio);
    }
    // The header of a first-available booking: the filière until a mentor is chosen, then them.
    renderFirstHeader() {
      const booked = this.result && this.result.booking;
      this.titleEl.textContent = booked ? this.t('dialogTitle', { name: booked.mentor_name }) : this.t('firstDialogTitle');
      this.headerEl.replaceChildren(avatar(booked ? { display_name: booked.mentor_name } : null, 56), h('div', { class: 'profile-text' }, this.titleEl));
      this.bioEl.textContent = '';
      this.bioEl.hidden = true;
    }
    renderStep() {
      const t = (k, v) => this.t(k, v);
      const body = this.bodyEl;
      body.replaceChildren();
      if (this.step === 'calendar') this.dialog.setAttribute('aria-describedby', 'dlg-intro');
      else this.dialog.removeAttribute('aria-describedby');
      if (this.step === 'calendar') {
        body.append(h('p', { id: 'dlg-intro', class: 'intro' }, t(this.firstFree ? 'firstDialogIntro' : 'dialogIntro')), this.bioEl);
        if (this.notice) body.append(h('div', { class: 'banner warn', role: 'alert', part: 'alert' }, this.notice));
        body.append(this.calendar.el);
      } else if (this.step === 'form') {
        body.append(this.renderForm());
      } else if (this.step === 'code') {
        body.append(this.renderCode());
      } else if (this.step === 'done') {
        body.append(this.renderDone());
      }
    }
    pick(slot) {
      this.chosen = slot;
      this.notice = null;
      this.step = 'form';
      emit(this.eventTarget, 'slot-selected', { mentorId: this.opts.mentorId, start: slot.start });
      this.renderStep();
      const first = this.bodyEl.querySelector('#f-first_name');
      if (first) first.focus();
    }
    backToCalendar() {
      this.step = 'calendar';
      this.renderStep();
      this.calendar.render('slot');
    }
    field(name, label, control, hint) {
      const errId = `f-${name}-err`;
      control.id = `f-${name}`;
      control.setAttribute('aria-describedby', [hint ? `f-${name}-hint` : '', errId].join(' ').trim());
      return h('div', { class: 'field', part: 'field' },
        h('label', { for: control.id }, label),
        control,
        hint ? h('p', { class: 'hint', id: `f-${name}-hint` }, hint) : null,
        h('p', { class: 'ferr', id: errId, hidden: true }));
    }
    renderForm() {
      const t = (k, v) => this.t(k, v);
      const f = this.form;
      const sync = (e) => {
        const el = e.target;
        f[el.name] = el.type === 'checkbox' ? el.checked : el.value;
        if (el.name === 'question') this.bodyEl.querySelector('#f-question-hint').textContent = t('questionCount', { n: el.value.length, max: QUESTION_MAX });
        if (el.getAttribute('aria-invalid') === 'true') this.showFieldError(el.name, null);
      };
      const privacyUrl = this.opts.privacyUrl || `${this.api.base}/privacy?lang=${this.lang_}`;
      const when = whenText(this.chosen.start, this.tzValue, this.lang_);
      const form = h('form', { class: 'form', novalidate: true, part: 'form', onsubmit: (e) => { e.preventDefault(); this.submit(); } },
        h('div', { class: 'chosen', part: 'summary' },
          h('div', {}, h('p', { class: 'label' }, t('yourSlot')), h('p', { class: 'when' }, when), h('p', { class: 'meta' }, tzLabel(this.tzValue, this.lang_))),
          h('button', { type: 'button', class: 'btn link', part: 'button', onclick: () => this.backToCalendar() }, t('change'))),
        this.field('first_name', t('firstName'), h('input', { name: 'first_name', type: 'text', autocomplete: 'given-name', required: true, maxlength: LIMITS.first_name, value: f.first_name, oninput: sync, part: 'input' })),
        this.field('email', t('email'), h('input', { name: 'email', type: 'email', autocomplete: 'email', inputmode: 'email', required: true, maxlength: LIMITS.email, spellcheck: 'false', value: f.email, oninput: sync, part: 'input' }), t('emailHint')),
        this.field('question', t('question'), Object.assign(h('textarea', { name: 'question', rows: 3, maxlength: QUESTION_MAX, oninput: sync, part: 'input' }), { value: f.question }), t('questionCount', { n: f.question.length, max: QUESTION_MAX })),
        this.ageField(sync),
        h('div', { class: 'field check', part: 'field' },
          h('input', { type: 'checkbox', id: 'f-consent', name: 'consent', required: true, checked: f.consent, onchange: sync, 'aria-describedby': 'f-consent-err' }),
          h('label', { for: 'f-consent' }, t('consent'), ' ',
            h('a', { href: privacyUrl, target: '_blank', rel: 'noopener', part: 'link' }, t('privacy'), h('span', { class: 'sr-only' }, ` ${t('newTab')}`))),
          h('p', { class: 'ferr', id: 'f-consent-err', hidden: true })),
        h('div', { class: 'banner error', role: 'alert', part: 'alert', id: 'form-banner', hidden: true }),
        h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'btn primary wide', part: 'button submit-button', id: 'submit' }, t('submit'))));
      return form;
    }
    // The age question (scheduler/booking/consent.py decides): under 15, a parent's agreement.
    ageField(sync) {
      const t = (k) => this.t(k);
      const f = this.form;
      const parent = h('div', { class: 'field check', part: 'field', hidden: f.age !== 'under_15' },
        h('input', { type: 'checkbox', id: 'f-parent_agreed', name: 'parent_agreed', checked: f.parent_agreed, onchange: sync, 'aria-describedby': 'f-parent_agreed-err' }),
        h('label', { for: 'f-parent_agreed' }, t('parentAgreed')),
        h('p', { class: 'ferr', id: 'f-parent_agreed-err', hidden: true }));
      const choose = (e) => { sync(e); parent.hidden = f.age !== 'under_15'; };
      const radio = (value, id, label) => h('div', { class: 'field check', part: 'field' },
        h('input', { type: 'radio', id, name: 'age', value, required: true, checked: f.age === value, onchange: choose, 'aria-describedby': 'f-age-err' }),
        h('label', { for: id }, label));
      return h('fieldset', { class: 'age', part: 'field' },
        h('legend', {}, t('ageLegend')),
        radio('15_or_older', 'f-age', t('age15')),
        radio('under_15', 'f-age-under', t('ageUnder15')),
        h('p', { class: 'ferr', id: 'f-age-err', hidden: true }),
        parent);
    }
    showFieldError(name, message) {
      const input = this.bodyEl.querySelector(`#f-${name}`);
      const err = this.bodyEl.querySelector(`#f-${name}-err`);
      if (!input || !err) return;
      input.setAttribute('aria-invalid', message ? 'true' : 'false');
      err.textContent = message || '';
      err.hidden = !message;
    }
    showBanner(text, retry) {
      const banner = this.bodyEl.querySelector('#form-banner');
      if (!banner) return;
      banner.replaceChildren(h('p', {}, text), retry ? h('button', { type: 'button', class: 'btn secondary', part: 'button', onclick: () => this.submit() }, this.t('retry')) : null);
      banner.hidden = false;
    }
    validate() {
      const f = this.form;
      const errors = {};
      if (!f.first_name.trim()) errors.first_name = 'errFirstName';
      else if (f.first_name.trim().length > LIMITS.first_name) errors.first_name = 'errFirstNameLong';
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(f.email.trim())) errors.email = 'errEmail';
      else if (f.email.trim().length > LIMITS.email) errors.email = 'errEmailLong';
      if (f.question.length > QUESTION_MAX) errors.question = 'errQuestion';
      if (!f.consent) errors.consent = 'errConsent';
      if (!f.age) errors.age = 'errAge';
      else if (f.age === 'under_15' && !f.parent_agreed) errors.parent_agreed = 'errParent';
      for (const name of ['first_name', 'email', 'question', 'age', 'parent_agreed', 'consent']) this.showFieldError(name, errors[name] ? this.fieldText(errors[name], name) : null);
      return Object.keys(errors);
    }
    async submit() {
      if (this.inflight || this.step !== 'form') return; // the in-flight guard: one POST at a time
      const banner = this.bodyEl.querySelector('#form-banner');
      if (banner) banner.hidden = true;
      const invalid = this.validate();
      if (invalid.length) {
        this.bodyEl.querySelector(`#f-${invalid[0]}`).focus();
        this.announce(this.t('formInvalid'));
        return;
      }
      const f = this.form;
      const payload = {
        ...(this.firstFree ? { filiere: this.opts.filiere } : { mentor_id: this.opts.mentorId }), start: this.chosen.start, first_name: f.first_name.trim(),
        email: f.email.trim(), question: f.question.trim() || null, consent: true,
        age: f.age, parent_agreed: f.age === 'under_15' && f.parent_agreed,
        timezone: this.tzValue, language: this.lang_,
      };
      // The filière page it was opened from: the booking, mails and statistics keep it.
      if (this.opts.filiere) payload.filiere = String(this.opts.filiere);
      // Same payload, same key: a retry after a lost response cannot book twice.
      const sig = JSON.stringify(payload);
      if (sig !== this.lastSig) {
        this.idemKey = uuid();
        this.lastSig = sig;
      }
      const button = this.bodyEl.querySelector('#submit');
      this.inflight = true;
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      button.textContent = this.t('sending');
      try {
        this.result = await this.api.post(this.firstFree ? '/v1/bookings/first-available' : '/v1/bookings', this.withProof(payload), { 'Idempotency-Key': this.idemKey });
      } catch (err) {
        this.inflight = false;
        if (err.code === 'email_verification_required') return this.startVerification(payload, button);
        this.failed(err, button);
        return;
      }
      this.inflight = false;
      const b = this.result.booking;
      emit(this.eventTarget, 'booked', { bookingId: b.id, mentorId: b.mentor_id, start: b.start });
      if (this.closed) return;
      this.step = 'done';
      if (this.firstFree) this.renderHeader();
      this.renderStep();
      this.bodyEl.querySelector('#done-title').focus();
    }
    failed(err, button) {
      emit(this.eventTarget, 'error', { code: err.code, status: err.status, mentorId: this.opts.mentorId });
      if (this.closed) return;
      button.disabled = false;
      button.removeAttribute('aria-busy');
      button.textContent = this.t('submit');
      if (err.code === 'slot_taken' || err.code === 'outside_availability') {
        this.notice = this.t('slotTaken');
        this.step = 'calendar';
        this.chosen = null;
        this.renderStep();
        this.announce(this.notice);
        this.calendar.load(true).then(() => { if (this.step === 'calendar') this.calendar.focusFirst(); });
        return;
      }
      if (err.code === 'validation_failed') {
        const mapped = this.mapFieldErrors(err.body.errors);
        if (mapped) return;
      }
      // The API's own words (msgspec's English) never reach a visitor: ours, in their language.
      const text = err.code === 'validation_failed' ? this.t('formInvalid') : errorText(this.lang_, err);
      const retry = err.code === 'network' || err.code === 'rate_limited' || err.status >= 500;
      this.showBanner(text, retry);
      this.announce(text);
    }
    // Booked without choosing a mentor (the `first-available` entry): only a filière is given.
    get firstFree() {
      return Boolean(this.opts && this.opts.filiere && !this.opts.mentorId);
    }
    withProof(payload) {
      const proof = proofs.get(payload.email);
      return proof ? { ...payload, email_proof: proof } : payload;
    }
    // The server holds the slot and mails a code; the code step takes the focus.
    async startVerification(payload, button, resent) {
      if (this.inflight) return;
      this.inflight = true;
      if (button) {
        button.disabled = true;
        button.setAttribute('aria-busy', 'true');
      }
      try {
        this.verification = await this.api.post('/v1/bookings/verifications', payload);
      } catch (err) {
        this.inflight = false;
        if (this.step === 'code') return this.codeFailed(err, button);
        return this.failed(err, button);
      }
      this.inflight = false;
      this.verifying = payload;
      if (this.closed) return;
      this.step = 'code';
      this.renderStep();
      this.bodyEl.querySelector('#f-code').focus();
      this.announce(resent ? this.t('codeResent') : this.codeSentText());
    }
    codeSentText() {
      const minutes = Math.max(1, Math.round((Date.parse(this.verification.expires_at) - Date.now()) / 60000));
      return this.t('codeSent', { email: this.verifying.email, minutes: Math.min(minutes, 10) });
    }
    renderCode() {
      const t = (k, v) => this.t(k, v);
      const input = h('input', { name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]*', maxlength: 6, required: true, part: 'input', oninput: () => this.showFieldError('code', null) });
      return h('form', { class: 'form', novalidate: true, part: 'form', 'aria-labelledby': 'code-title', onsubmit: (e) => { e.preventDefault(); this.submitCode(); } },
        h('h3', { id: 'code-title' }, t('codeTitle')),
        h('p', { id: 'code-intro' }, this.codeSentText()),
        this.field('code', t('codeLabel'), input, t('codeHint')),
        h('div', { class: 'banner error', role: 'alert', part: 'alert', id: 'form-banner', hidden: true }),
        h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'btn primary wide', part: 'button submit-button', id: 'code-submit' }, t('codeSubmit'))),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'btn secondary', part: 'button', id: 'code-resend', onclick: (e) => this.startVerification(this.verifying, e.currentTarget, true) }, t('codeResend')),
          h('button', { type: 'button', class: 'btn link', part: 'button', onclick: () => { this.step = 'form'; this.renderStep(); this.bodyEl.querySelector('#f-email').focus(); } }, t('codeChangeEmail'))));
    }
    async submitCode() {
      if (this.inflight || this.step !== 'code') return;
      const input = this.bodyEl.querySelector('#f-code');
      const code = input.value.replace(/\s+/g, '');
      if (!/^[0-9]{6}$/.test(code)) {
        this.showFieldError('code', this.t('errCode'));
        input.focus();
        this.announce(this.t('errCode'));
        return;
      }
      const button = this.bodyEl.querySelector('#code-submit');
      this.inflight = true;
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      try {
        this.result = await this.api.post(`/v1/bookings/verifications/${enc(this.verification.verification_id)}`, { code });
      } catch (err) {
        this.inflight = false;
        return this.codeFailed(err, button);
      }
      this.inflight = false;
      proofs.set(this.verifying.email, this.result.email_proof);
      const b = this.result.booking;
      emit(this.eventTarget, 'booked', { bookingId: b.id, mentorId: b.mentor_id, start: b.start });
      if (this.closed) return;
      this.step = 'done';
      this.renderStep();
      this.bodyEl.querySelector('#done-title').focus();
    }
    codeFailed(err, button) {
      if (this.closed) return;
      if (button) {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      }
      if (err.code === 'slot_taken' || err.code === 'outside_availability') return this.failed(err, button || this.bodyEl.querySelector('#code-submit'));
      const input = this.bodyEl.querySelector('#f-code');
      if (err.code === 'verification_code_wrong') {
        const left = /(\d+)/.exec((err.body && err.body.detail) || '');
        const text = this.t('codeWrong', { n: left ? left[1] : '' });
        this.showFieldError('code', text);
        input.select();
        input.focus();
        this.announce(text);
        return;
      }
      const text = errorText(this.lang_, err);
      this.showBanner(text, false);
      this.announce(text);
      if (err.code === 'verification_expired') this.bodyEl.querySelector('#code-resend').focus();
    }
    fieldText(key, name) {
      return this.t(key, { max: LIMITS[name] });
    }
    // RFC 9457 `errors`: accept [{field|name|pointer|loc, message|detail|msg}] and map known fields.
    mapFieldErrors(errors) {
      if (!Array.isArray(errors)) return false;
      let first = null;
      for (const e of errors) {
        const raw = String(e.field || e.name || e.pointer || (Array.isArray(e.loc) ? e.loc[e.loc.length - 1] : '') || e.key || '');
        const name = raw.replace(/^.*[/.]/, '');
        if (!['first_name', 'email', 'question', 'consent'].includes(name)) continue;
        this.showFieldError(name, this.fieldText(FIELD_ERROR[name](String(e.message || e.detail || e.msg || '')), name));
        first = first || name;
      }
      if (!first) return false;
      this.bodyEl.querySelector(`#f-${first}`).focus();
      this.announce(this.t('formInvalid'));
      return true;
    }
    renderDone() {
      const t = (k, v) => this.t(k, v);
      const r = this.result;
      const when = whenText(r.booking.start, this.tzValue, this.lang_);
      return h('div', { class: 'done', part: 'confirmation' },
        h('div', { class: 'check', 'aria-hidden': 'true' }, '✓'),
        h('h3', { id: 'done-title', tabindex: '-1' }, t('doneTitle')),
        h('p', {}, t('doneWhen', { name: r.booking.mentor_name || (this.mentor && this.mentor.display_name) || '', when })),
        h('p', { class: 'meta' }, tzLabel(this.tzValue, this.lang_)),
        h('p', { class: 'meta' }, t('doneEmail', { email: this.form.email.trim() })),
        // The visitor's one link to the call (the same in every mail): a waiting page until
        // 15 minutes before the start, then the video call itself.
        r.join_url ? h('p', { class: 'join' }, t('joinLabel'), ' ',
          h('a', { id: 'done-join', part: 'link', href: r.join_url, target: '_blank', rel: 'noopener' }, r.join_url, h('span', { class: 'sr-only' }, ` ${t('newTab')}`))) : null,
        r.join_url ? h('p', { class: 'meta' }, t('joinHint')) : null,
        h('div', { class: 'actions' },
          h('a', { class: 'btn primary', part: 'button', href: r.ics_url, download: 'thotis.ics' }, t('addCal')),
          h('a', { class: 'btn secondary', part: 'button', href: r.manage_url, target: '_blank', rel: 'noopener' }, t('manage'), h('span', { class: 'sr-only' }, ` ${t('newTab')}`))),
        h('button', { type: 'button', class: 'btn link', part: 'button', onclick: () => this.close() }, t('close')));
    }
  }

  /* ---------------------------------------------------------------- <thotis-manage> */
  class ManageBooking extends Base {
    connectedCallback() {
      if (this.started) return;
      this.started = true;
      this.token = this.getAttribute('token') || '';
      this.mode = 'view';
      this.load();
    }
    get lang_() {
      return this.hasAttribute('lang') ? langOf(this) : (this.data && this.data.booking.language === 'en' ? 'en' : langOf(this));
    }
    get tzValue() {
      return this.tzChoice || (this.data && validTz(this.data.booking.timezone) ? this.data.booking.timezone : detectTz());
    }
    async load(message) {
      this.api = new Api(this.apiBase, this.lang_);
      this.state = 'loading';
      this.render();
      try {
        this.data = await this.api.get(`/v1/bookings/manage/${enc(this.token)}`);
        this.api.lang = this.lang_;
        this.state = 'ready';
        this.mode = 'view';
        this.message = message || null;
      } catch (err) {
        this.state = 'error';
        this.error = err;
      }
      this.render();
      const target = this.shadowRoot.querySelector('#m-message') || this.shadowRoot.querySelector('#m-title');
      if (message && target) target.focus();
    }
    // The profile may come beside the booking or inside it.
    mentorOf() {
      return this.data.mentor || this.data.booking.mentor || {};
    }
    mentorName() {
      return this.mentorOf().display_name || this.data.booking.mentor_name || '';
    }
    render() {
      const t = (k, v) => this.t(k, v);
      const root = h('div', { class: 'root manage', part: 'root' });
      if (this.state === 'loading') {
        root.append(h('div', { class: 'state', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loadingBooking')));
        this.shadowRoot.replaceChildren(root);
        return;
      }
      if (this.state === 'error') {
        const retry = this.error.code === 'network' || this.error.status >= 500;
        root.append(h('div', { class: 'state error', role: 'alert', part: 'error' },
          h('p', {}, errorText(this.lang_, this.error)),
          retry ? h('button', { type: 'button', class: 'btn secondary', part: 'button', onclick: () => this.load() }, t('retry')) : null));
        this.shadowRoot.replaceChildren(root);
        return;
      }
      const d = this.data;
      const b = d.booking;
      const m = this.mentorOf();
      const name = this.mentorName();
      const live = b.status === 'confirmed';
      const card = h('section', { class: 'card manage-card', part: 'card', 'aria-labelledby': 'm-title' },
        h('div', { class: 'profile' }, avatar({ ...m, display_name: name }, 64),
          h('div', { class: 'profile-text' },
            h('h2', { id: 'm-title', tabindex: '-1' }, t('withMentor', { name })),
            m.university ? h('p', { class: 'meta' }, metaLine(m, this.lang_)) : null)),
        h('p', { class: 'when big', id: 'm-when' }, `${whenText(b.start, this.tzValue, this.lang_)}`),
        h('p', { class: 'meta' }, tzLabel(this.tzValue, this.lang_)),
        h('p', { class: `badge ${b.status}`, part: 'status' }, t('status', { status: t(`st_${b.status}`) })),
        this.message ? h('div', { class: 'banner ok', role: 'status', id: 'm-message', tabindex: '-1' }, this.message) : null,
        h('div', { class: 'banner error', role: 'alert', id: 'm-error', hidden: true }));
      root.append(card);
      if (live && this.mode === 'view') {
        const actions = h('div', { class: 'actions' },
          d.join_url ? h('a', { class: 'btn primary', part: 'button', id: 'm-join', href: d.join_url, target: '_blank', rel: 'noopener' }, t('joinCall'), h('span', { class: 'sr-only' }, ` ${t('newTab')}`)) : null,
          h('a', { class: 'btn secondary', part: 'button', href: `${this.api.base}/v1/bookings/manage/${enc(this.token)}/invite.ics`, download: 'thotis.ics' }, t('addCal')),
          d.can_reschedule ? h('button', { type: 'button', class: 'btn primary', part: 'button', id: 'm-reschedule', onclick: () => this.setMode('reschedule') }, t('reschedule')) : null,
          d.can_cancel ? h('button', { type: 'button', class: 'btn danger', part: 'button', id: 'm-cancel', onclick: () => this.setMode('cancel') }, t('cancel')) : null);
        card.append(actions);
      } else if (b.status === 'cancelled') {
        // The way back: the same mentor, and their filière's other mentors when it is one.
        const slugs = (m.filieres || []).map((f) => f.slug);
        const again = `${this.api.base}/book/${enc(b.mentor_id)}${slugs.length === 1 ? `?filiere=${enc(slugs[0])}` : ''}`;
        card.append(h('div', { class: 'actions' },
          h('a', { class: 'btn primary', part: 'button', id: 'm-book-again', href: again }, t('bookAgain'))));
      } else if (this.mode === 'cancel') {
        const reason = h('textarea', { id: 'm-reason', rows: 3, maxlength: LIMITS.reason, part: 'input' });
        card.append(h('form', { class: 'form confirm', onsubmit: (e) => { e.preventDefault(); this.cancel(reason.value); } },
          h('p', { id: 'm-ask' }, t('cancelAsk', { name })),
          h('div', { class: 'field' }, h('label', { for: 'm-reason' }, t('reason', { name })), reason),
          h('div', { class: 'actions' },
            h('button', { type: 'submit', class: 'btn danger', part: 'button', id: 'm-confirm-cancel' }, t('confirmCancel')),
            h('button', { type: 'button', class: 'btn secondary', part: 'button', onclick: () => this.setMode('view', '#m-cancel') }, t('keep')))));
      } else if (this.mode === 'reschedule') {
        const box = h('div', { class: 'reschedule', id: 'm-resched' });
        if (this.newSlot) {
          const when = whenText(this.newSlot.start, this.tzValue, this.lang_);
          box.append(h('p', { id: 'm-ask', tabindex: '-1' }, t('rescheduleAsk', { when })),
            h('div', { class: 'actions' },
              h('button', { type: 'button', class: 'btn primary', part: 'button', id: 'm-confirm-reschedule', onclick: () => this.reschedule() }, t('confirmReschedule')),
              h('button', { type: 'button', class: 'btn secondary', part: 'button', onclick: () => { this.newSlot = null; this.render(); this.calendar.render('slot'); } }, t('change'))));
        } else {
          box.append(this.calendar.el,
            h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn secondary', part: 'button', onclick: () => this.setMode('view', '#m-reschedule') }, t('back'))));
        }
        card.append(box);
      }
      this.shadowRoot.replaceChildren(root);
    }
    setMode(mode, focusSel) {
      this.mode = mode;
      this.message = null;
      this.newSlot = null;
      if (mode === 'reschedule') {
        this.calendar = new Calendar({
          api: this.api, mentorId: this.data.booking.mentor_id, lang: this.lang_, tz: this.tzValue,
          current: this.data.booking.start,
          onPick: (slot) => {
            this.newSlot = slot;
            this.render();
            this.shadowRoot.querySelector('#m-ask').focus();
          },
          onTz: (tz) => { this.tzChoice = tz; },
          onLoaded: () => this.calendar.focusFirst(),
        });
        this.render();
        this.calendar.load();
        return;
      }
      this.render();
      const el = this.shadowRoot.querySelector(focusSel || (mode === 'cancel' ? '#m-reason' : '#m-title'));
      if (el) el.focus();
    }
    showError(err) {
      const box = this.shadowRoot.querySelector('#m-error');
      if (!box) return;
      box.textContent = errorText(this.lang_, err);
      box.hidden = false;
      emit(this, 'error', { code: err.code, status: err.status });
    }
    async guarded(button, work) {
      if (this.inflight) return;
      this.inflight = true;
      if (button) button.disabled = true;
      try {
        await work();
      } catch (err) {
        if (button) button.disabled = false;
        this.onFailure(err);
      } finally {
        this.inflight = false;
      }
    }
    onFailure(err) {
      if ((err.code === 'slot_taken' || err.code === 'outside_availability') && this.mode === 'reschedule') {
        this.newSlot = null;
        this.render();
        this.showError(err);
        this.calendar.load(true);
        return;
      }
      this.showError(err);
    }
    cancel(reason) {
      return this.guarded(this.shadowRoot.querySelector('#m-confirm-cancel'), async () => {
        await this.api.post(`/v1/bookings/manage/${enc(this.token)}/cancel`, { reason: reason.trim() || null });
        emit(this, 'cancelled', { bookingId: this.data.booking.id });
        await this.load(this.t('cancelled', { name: this.mentorName() }));
      });
    }
    reschedule() {
      const start = this.newSlot.start;
      return this.guarded(this.shadowRoot.querySelector('#m-confirm-reschedule'), async () => {
        const res = await this.api.post(`/v1/bookings/manage/${enc(this.token)}/reschedule`, { start });
        if (res.manage_token && res.manage_token !== this.token) {
          this.token = res.manage_token;
          this.setAttribute('token', res.manage_token);
          // The old link is dead; keep the address bar usable for a reload or a bookmark.
          if (location.pathname.startsWith('/manage/')) history.replaceState(null, '', `/manage/${enc(res.manage_token)}${location.search}`);
        }
        emit(this, 'rescheduled', { bookingId: res.booking.id, mentorId: res.booking.mentor_id, start: res.booking.start });
        await this.load(this.t('rescheduled', { when: whenText(res.booking.start, this.tzValue, this.lang_) }));
      });
    }
  }

  /* ---------------------------------------------------------------- <thotis-frequent-questions> */
  // What lycéens often ask about a filière: the themes the Thotis team approved (issue 17).
  // Renders nothing until there is at least one, so a page can always include it.
  const FAQ_TEXT = {
    fr: { title: 'Ce que les lycéens demandent souvent', asked: 'demandé {n} fois ce mois-ci' },
    en: { title: 'What students often ask', asked: 'asked {n} times this month' },
  };
  class FrequentQuestions extends Base {
    static get observedAttributes() {
      return ['filiere', 'lang', 'api-base'];
    }
    connectedCallback() {
      this.load();
    }
    attributeChangedCallback(name, old, value) {
      if (this.isConnected && old !== value) this.load();
    }
    async load() {
      const slug = this.getAttribute('filiere');
      if (!slug) return;
      const ticket = (this.ticket = (this.ticket || 0) + 1);
      let items = [];
      try {
        items = await new Api(this.apiBase, this.lang_).get(`/v1/filieres/${enc(slug)}/frequent-questions`);
      } catch (err) {
        items = [];
      }
      if (ticket !== this.ticket) return;
      const text = FAQ_TEXT[this.lang_ === 'en' ? 'en' : 'fr'];
      if (!items.length) {
        this.shadowRoot.replaceChildren();
        return;
      }
      this.shadowRoot.replaceChildren(h('section', { class: 'root faq', part: 'root', 'aria-label': text.title },
        h('h2', { class: 'faq-title', part: 'title' }, text.title),
        h('ul', { class: 'faq-list', role: 'list' }, items.map((q) => h('li', { class: 'faq-item', part: 'item' },
          h('p', { class: 'faq-q' }, q.question),
          h('p', { class: 'meta' }, `${q.label} · ${text.asked.replace('{n}', String(q.count))}`))))));
    }
  }

  /* ---------------------------------------------------------------- public surface */
  let dialogEl = null;
  function open(opts) {
    if (!opts || (!opts.mentorId && !opts.filiere)) throw new TypeError('Thotis.open({ mentorId }) needs a mentorId (or a filiere)');
    if (!dialogEl || !dialogEl.isConnected) {
      dialogEl = document.createElement('thotis-dialog');
      document.body.append(dialogEl);
    }
    dialogEl.open({ ...opts, lang: opts.lang || langOf(opts.opener || document.documentElement) });
    return dialogEl;
  }
  function close() {
    if (dialogEl) dialogEl.close();
  }

  customElements.define('thotis-dialog', BookingDialog);
  customElements.define('thotis-mentor-list', MentorList);
  customElements.define('thotis-booking', BookingButton);
  customElements.define('thotis-manage', ManageBooking);
  customElements.define('thotis-frequent-questions', FrequentQuestions);

  // <button data-thotis-mentor="id"> anywhere in the page, present now or added later.
  document.addEventListener('click', (e) => {
    const el = e.target instanceof Element ? e.target.closest('[data-thotis-mentor]') : null;
    if (!el) return;
    e.preventDefault();
    open({
      mentorId: el.getAttribute('data-thotis-mentor'), opener: el, host: el,
      filiere: el.getAttribute('data-thotis-filiere') || el.closest('[data-thotis-filiere]')?.getAttribute('data-thotis-filiere'),
      lang: el.getAttribute('data-thotis-lang') || langOf(el),
      apiBase: el.getAttribute('data-thotis-api-base') || undefined,
      privacyUrl: el.getAttribute('data-thotis-privacy-url'),
    });
  });

  window.Thotis = Object.assign(window.Thotis || {}, {
    version: VERSION,
    open,
    close,
  });
})();
