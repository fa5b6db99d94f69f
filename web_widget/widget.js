/*! Session Music privacy help: embeddable chat widget (no build step, no dependencies).
 * Embed: <script src=".../widget.js" data-bot-url="..." data-policy-url="..." defer></script>
 * See web_widget/README.md for every data- attribute.
 *
 * Safety rule: bot and shopper text only ever reach the page as text nodes
 * (append(string) / textContent). No HTML parsing of any message, ever.
 * Links are made only for https:, mailto: and the configured policy page.
 */
(function () {
  'use strict';
  var script = document.currentScript || document.querySelector('script[src*="widget.js"][data-bot-url]');
  if (!script || window.__sessionMusicWidget) return;
  window.__sessionMusicWidget = true;

  // --- configuration ------------------------------------------------------------
  var ds = script.dataset;
  var scriptUrl = new URL(script.src, location.href);
  var botUrl = (ds.botUrl || scriptUrl.origin).replace(/\/+$/, '');
  var policyUrl = absolute(ds.policyUrl || '/privacy-policy');
  var title = ds.title || 'Privacy help';
  var launcherText = ds.launcherText || 'Privacy help';
  var contact = /^[^@\s"<>]+@[^@\s"<>]+\.[a-z]{2,}$/i.test(ds.contactEmail || '') ? ds.contactEmail : 'sales@sessionmusic.co.uk';
  var timeoutMs = Math.min(Math.max(Number(ds.timeout) || 15, 1), 120) * 1000;
  // How long the bot keeps a conversation after its last message (the intake's CONVERSATION_RETENTION_DAYS).
  var DEFAULT_RETENTION_DAYS = 90;
  var retentionDays = /^[1-9]\d{0,3}$/.test(ds.retentionDays || '') ? Number(ds.retentionDays) : DEFAULT_RETENTION_DAYS;
  var suggestions = ds.suggestions === undefined
    ? ['Do you use cookies?', 'I want a copy of my data', 'Talk to a person']
    : ds.suggestions.split('|').map(function (s) { return s.trim(); }).filter(Boolean).slice(0, 4);

  var ID_KEY = 'smw:conversation', LOG_KEY = 'smw:history', MAX_LOG = 80;
  var SECTION_ID = /^[A-Za-z0-9][\w.-]{0,63}$/;
  var REQUEST_NAMES = {
    access: 'Copy of your data', erasure: 'Delete your data', rectification: 'Correct your data',
    marketing_opt_out: 'Stop marketing', objection: 'Object to how your data is used',
    portability: 'Your data to take elsewhere', restriction: 'Stop using your data', complaint: 'Your complaint'
  };

  function absolute(url) {
    try { var u = new URL(url, location.href); u.hash = ''; return u.href; } catch (e) { return ''; }
  }

  // --- storage: sessionStorage only (no cookies); falls back to memory -----------
  var memory = {};
  function load(key) {
    try { return window.sessionStorage.getItem(key); } catch (e) { return memory[key] || null; }
  }
  function save(key, value) {
    try { window.sessionStorage.setItem(key, value); } catch (e) { memory[key] = value; }
  }
  function forget(key) {
    try { window.sessionStorage.removeItem(key); } catch (e) { /* memory only */ }
    delete memory[key];
  }
  function newId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }
  function conversationId() {
    var id = load(ID_KEY);
    if (!id) { id = newId(); save(ID_KEY, id); }
    return id;
  }
  var history = [];
  try { history = JSON.parse(load(LOG_KEY) || '[]'); } catch (e) { history = []; }
  if (!Array.isArray(history)) history = [];
  function remember(entry) {
    history.push(entry);
    history = history.slice(-MAX_LOG);
    save(LOG_KEY, JSON.stringify(history));
  }

  // --- colours: keep every pairing at WCAG AA (4.5:1) whatever accent is given ----
  function rgb(hex) {
    var m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(hex || '').trim());
    if (!m) return null;
    var h = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
    return [0, 2, 4].map(function (i) { return parseInt(h.substr(i, 2), 16); });
  }
  function luminance(c) {
    var v = c.map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function contrast(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function hex(c) { return '#' + c.map(function (x) { return (Math.round(x) + 256).toString(16).slice(1); }).join(''); }
  var WHITE = [255, 255, 255], INK = [27, 27, 31], BUBBLE = [240, 240, 244];
  var accent = rgb(ds.accentColor) || [91, 33, 182];
  var onAccent = rgb(ds.accentTextColor);
  if (!onAccent || contrast(onAccent, accent) < 4.5) onAccent = contrast(WHITE, accent) >= contrast(INK, accent) ? WHITE : INK;
  var linkInk = accent.slice();  // the accent darkened until it reads as text on white and on bot bubbles
  for (var i = 0; i < 40 && contrast(linkInk, BUBBLE) < 4.6; i++) linkInk = linkInk.map(function (x) { return x * 0.9; });

  // --- DOM helpers -----------------------------------------------------------------
  function el(tag, attrs) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (var k = 2; k < arguments.length; k++) {
      var kid = arguments[k];
      if (kid !== null && kid !== undefined) node.append(kid);  // strings become text nodes
    }
    return node;
  }
  function hidden(text) { return el('span', { class: 'smw-sr' }, text); }
  function icon(path) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    var p = document.createElementNS(ns, 'path');
    p.setAttribute('d', path);
    svg.append(p);
    return svg;
  }

  // --- links ---------------------------------------------------------------------
  function isPolicyPage(u) { return policyUrl && u.href.split('#')[0] === policyUrl; }
  function safeHref(raw) {
    var u;
    try { u = new URL(raw); } catch (e) { return null; }  // absolute URLs only
    if (u.protocol === 'https:' || u.protocol === 'mailto:' || isPolicyPage(u)) return u.href;
    return null;
  }
  function link(href, text) {
    var external = !/^mailto:/.test(href);
    return el('a', { href: href, target: external ? '_blank' : null, rel: external ? 'noopener noreferrer' : null },
      text, external ? hidden(' (opens in a new tab)') : null);
  }
  function clauseLink(id) {
    var a = link(policyUrl + '#clause-' + id, 'Privacy policy, section ' + id);
    a.className = 'smw-cite';
    a.setAttribute('data-section', id);
    return a;
  }
  var TOKENS = /\[([^\]\n]{1,200})\]\(([^)\s]{1,2000})\)|\b(?:https?|mailto):[^\s<>"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
  function linkify(parent, line) {
    var last = 0, m;
    TOKENS.lastIndex = 0;
    while ((m = TOKENS.exec(line))) {
      var token = m[0], tail = '';
      if (!m[1]) {  // bare URL or address: leave trailing punctuation outside the link
        var cut = /[.,;:!?)\]]+$/.exec(token);
        if (cut) { tail = cut[0]; token = token.slice(0, -tail.length); }
      }
      parent.append(line.slice(last, m.index));
      var href = m[1] ? safeHref(m[2]) : /^(https?|mailto):/i.test(token) ? safeHref(token) : safeHref('mailto:' + token);
      parent.append(href ? link(href, m[1] || token) : token, tail);
      last = m.index + m[0].length;
    }
    parent.append(line.slice(last));
  }

  // --- rendering bot messages ------------------------------------------------------
  var CITATION = /^Privacy policy, section (\S+): (\S+)\s*$/;
  // A statement of UK law (bot/data/policy/uk-law.yml), never the shop's policy: shown as law,
  // linking only to legislation.gov.uk and the ICO.
  var LAW_CITATION = /^UK law \(([^()]{1,120})\): (https:\/\/www\.legislation\.gov\.uk\/\S+) \(ICO guidance: (https:\/\/ico\.org\.uk\/\S+)\)\s*$/;
  function lawCitation(m) {
    var source = link(safeHref(m[2]), m[1]);
    source.className = 'smw-law-cite';
    return el('p', { class: 'smw-law-line' },
      el('span', { class: 'smw-law-badge' }, 'UK law'), ' ', source, ' \u00b7 ', link(safeHref(m[3]), 'ICO guidance'));
  }
  function citationTarget(id, url) {
    if (!SECTION_ID.test(id)) return false;
    try { return isPolicyPage(new URL(url)) && new URL(url).hash === '#clause-' + id; } catch (e) { return false; }
  }
  function textBubble(text, cited) {
    var bubble = el('div', { class: 'smw-bubble' });
    var para = null, quote = null;
    String(text).split(/\r?\n/).forEach(function (line) {
      if (line.slice(0, 2) === '> ' || line === '>') {  // verbatim policy text: keep it exact
        para = null;
        if (quote) quote.append(el('br'));
        else bubble.append(quote = el('blockquote', { class: 'smw-quote' }));
        quote.append(line.slice(2));
        return;
      }
      quote = null;
      var law = LAW_CITATION.exec(line);
      if (law && safeHref(law[2]) && safeHref(law[3])) {
        para = null;
        bubble.append(lawCitation(law));
        return;
      }
      var m = CITATION.exec(line);
      if (m) {  // a citation links only to the configured policy page's clause; anything else stays text
        para = null;
        var ok = citationTarget(m[1], m[2]);
        if (ok) cited[m[1]] = true;
        bubble.append(el('p', { class: 'smw-cite-line' }, ok ? clauseLink(m[1]) : line));
        return;
      }
      if (!line.trim()) { para = null; return; }
      if (para) para.append(el('br'));
      else bubble.append(para = el('p'));
      linkify(para, line);
    });
    return bubble;
  }
  function formatDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(String(iso));
    if (!m) return el('span', null, String(iso).slice(0, 40));
    var date = new Date(Date.UTC(+m[1], m[2] - 1, +m[3]));
    var text = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
    return el('time', { datetime: m[0].slice(0, 10) }, text);
  }
  function card(heading, rows, note) {
    var list = el('dl');
    rows.forEach(function (row) { list.append(el('dt', null, row[0]), el('dd', { class: row[2] }, row[1])); });
    return el('div', { class: 'smw-card', role: 'group', 'aria-label': heading },
      el('p', { class: 'smw-card-title' }, el('span', { 'aria-hidden': 'true', class: 'smw-tick' }, '\u2713'), heading),
      list, note ? el('p', { class: 'smw-card-note' }, note) : null);
  }
  function requestCard(c) {
    var rows = [['Request', REQUEST_NAMES[c.request_type] || 'Your request'],
                ['Reference', String(c.reference).slice(0, 40), 'smw-ref']];
    var complaint = c.request_type === 'complaint';
    if (c.due_date) rows.push([complaint ? 'Acknowledged' : 'Reply due by', complaint ? 'Yes, by email' : formatDate(c.due_date), 'smw-due']);
    if (c.status === 'awaiting_verification') rows.push(['Next step', 'Confirm your email address with the link we email you']);
    else if (c.status === 'completed') rows.push(['Status', 'Completed']);
    var node = card(complaint ? 'Complaint received' : 'Request received', rows,
      'Keep this reference: quote it if you contact us about this ' + (complaint ? 'complaint.' : 'request.'));
    node.setAttribute('data-reference', String(c.reference).slice(0, 40));
    return node;
  }
  function handoffCard(c) {
    var node = card('Sent to the Session Music team', [['Reference', String(c.reference).slice(0, 40), 'smw-ref']],
      'The team will reply to you by email.');
    node.classList.add('smw-card--handoff');
    node.setAttribute('data-reference', String(c.reference).slice(0, 40));
    return node;
  }
  function customBlock(c, cited) {
    if (!c || typeof c !== 'object') return null;
    if (c.kind === 'answer' && Array.isArray(c.sections)) {
      var ids = c.sections.filter(function (id) { return typeof id === 'string' && SECTION_ID.test(id) && !cited[id]; }).slice(0, 3);
      if (!ids.length) return null;
      var sources = el('p', { class: 'smw-sources' }, 'Sources: ');
      ids.forEach(function (id, n) { if (n) sources.append(', '); sources.append(clauseLink(id)); cited[id] = true; });
      return sources;
    }
    if (c.kind === 'request' && c.reference) return requestCard(c);
    if (c.kind === 'handoff' && c.reference) return handoffCard(c);
    return null;  // not_covered, out_of_scope, flow started: nothing to show
  }
  function replies(buttons, send) {
    var group = el('div', { class: 'smw-replies', role: 'group', 'aria-label': 'Quick replies' });
    buttons.slice(0, 6).forEach(function (b) {
      if (!b || typeof b.title !== 'string' || typeof b.payload !== 'string') return;
      group.append(el('button', { type: 'button', class: 'smw-reply', 'data-payload': b.payload.slice(0, 200),
        onclick: function () { send(b.payload, b.title); } }, b.title));
    });
    return group.childNodes.length ? group : null;
  }
  function botTurn(messages, live) {
    var turn = el('div', { class: 'smw-msg smw-msg--bot' }, hidden('Assistant: '));
    var cited = {};  // sections already linked from the turn's text: the sources line only adds the others
    messages.forEach(function (m) {
      String((m && m.text) || '').split(/\r?\n/).forEach(function (line) {
        var c = CITATION.exec(line);
        if (c && citationTarget(c[1], c[2])) cited[c[1]] = true;
      });
    });
    messages.forEach(function (m) {
      if (!m || typeof m !== 'object') return;
      if (typeof m.text === 'string' && m.text) turn.append(textBubble(m.text, cited));
      var block = m.custom ? customBlock(m.custom, cited) : null;
      if (block) turn.append(block);
      var group = live && Array.isArray(m.buttons) ? replies(m.buttons, send) : null;
      if (group) turn.append(group);
    });
    return turn.childNodes.length > 1 ? turn : null;
  }

  // --- the widget -----------------------------------------------------------------
  var css = el('link', { rel: 'stylesheet', href: new URL('widget.css', scriptUrl).href });
  document.head.append(css);

  var root = el('div', { class: 'smw' + (ds.position === 'left' ? ' smw--left' : ''), 'data-state': 'closed' });
  root.style.setProperty('--smw-accent', hex(accent));
  root.style.setProperty('--smw-on-accent', hex(onAccent));
  root.style.setProperty('--smw-ink', hex(linkInk));

  var launcher = el('button', { type: 'button', class: 'smw-launcher', 'aria-expanded': 'false', 'aria-controls': 'smw-panel' },
    icon('M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'), el('span', null, launcherText));
  var closeButton = el('button', { type: 'button', class: 'smw-icon-button smw-close', 'aria-label': 'Close chat' },
    icon('M6 6l12 12M18 6L6 18'));
  var restartButton = el('button', { type: 'button', class: 'smw-text-button smw-restart' }, 'Start over');
  var log = el('div', { class: 'smw-log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Messages' });
  var typing = el('div', { class: 'smw-typing', hidden: true }, hidden('The assistant is typing'),
    el('span', { 'aria-hidden': 'true' }), el('span', { 'aria-hidden': 'true' }), el('span', { 'aria-hidden': 'true' }));
  var scroller = el('div', { class: 'smw-scroll', tabindex: '0', role: 'region', 'aria-label': 'Conversation' }, log, typing);
  var input = el('textarea', { id: 'smw-input', class: 'smw-input', rows: '1', maxlength: '1000', autocomplete: 'off',
    placeholder: 'Ask about your data\u2026', 'aria-describedby': 'smw-hint' });
  var sendButton = el('button', { type: 'submit', class: 'smw-send' }, 'Send');
  var form = el('form', { class: 'smw-form', novalidate: true },
    el('label', { for: 'smw-input', class: 'smw-sr' }, 'Your message'), input, sendButton,
    el('p', { id: 'smw-hint', class: 'smw-sr' }, 'Press Enter to send, Shift+Enter for a new line, Escape to close the chat.'));
  var notice = el('p', { class: 'smw-notice' }, 'This chat is stored to answer you, for ' + retentionDays +
    ' days after your last message (longer while a request you make here is open). Our staff may read ' +
    'questions it could not answer, without your contact details, to improve it. ',
    policyUrl ? link(policyUrl, 'Privacy policy') : null);
  var panel = el('div', { id: 'smw-panel', class: 'smw-panel', role: 'dialog', 'aria-labelledby': 'smw-title', hidden: true },
    el('div', { class: 'smw-head' }, el('h2', { id: 'smw-title', class: 'smw-title' }, title), restartButton, closeButton),
    notice, scroller, form);
  root.append(launcher, panel);

  var busy = false;
  var failed = null;  // {message, display, node, typed}
  var epoch = 0;  // bumped by "Start over": replies to the old conversation are dropped

  function scrollDown() { scroller.scrollTop = scroller.scrollHeight; }
  function reveal(node) {  // bring node to the top of the view (the browser clamps short answers to the bottom)
    scroller.scrollTop += node.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 12;
  }
  function dropReplies() {
    Array.prototype.forEach.call(log.querySelectorAll('.smw-replies'), function (g) { g.remove(); });
  }
  function dropError() {
    var e = log.querySelector('.smw-error');
    if (e) e.remove();
  }
  function userBubble(text) {
    return el('div', { class: 'smw-msg smw-msg--user' }, hidden('You: '), el('div', { class: 'smw-bubble' }, text));
  }
  function greeting() {
    var turn = el('div', { class: 'smw-msg smw-msg--bot smw-greeting' }, hidden('Assistant: '),
      el('div', { class: 'smw-bubble' }, el('p', null,
        'Hi! I answer questions about how Session Music uses your personal data, quoting our privacy policy. ' +
        'I can also take a request for a copy of your data, or pass a question to the team.')));
    var asked = history.some(function (h) { return 'u' in h; });
    if (!asked && suggestions.length) {
      var group = replies(suggestions.map(function (s) { return { title: s, payload: s }; }), send);
      if (group) turn.append(group);
    }
    return turn;
  }
  function render() {
    log.textContent = '';
    log.append(greeting());
    var lastUser = -1;
    history.forEach(function (h, n) { if ('u' in h) lastUser = n; });
    history.forEach(function (h, n) {
      if ('u' in h) log.append(userBubble(String(h.u)));
      else if (Array.isArray(h.b)) {
        var turn = botTurn(h.b, n > lastUser);
        if (turn) log.append(turn);
      }
    });
  }
  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    log.setAttribute('aria-busy', on ? 'true' : 'false');
    sendButton.setAttribute('aria-disabled', on ? 'true' : 'false');
    if (on) scrollDown();
  }

  function showError(kind) {
    dropError();
    var retry = el('button', { type: 'button', class: 'smw-retry' }, 'Try again');
    var box = el('div', { class: 'smw-error', role: 'alert' },
      el('p', { class: 'smw-error-title' }, kind === 'timeout'
        ? 'The assistant is taking too long to answer.'
        : 'Sorry, the assistant can\u2019t be reached right now.'),
      el('p', null, failed && failed.typed ? 'Your message is still in the box. ' : '',
        'Try again, or email the team at ', el('a', { class: 'smw-mailto', href: 'mailto:' + contact }, contact), '.'),
      retry);
    retry.addEventListener('click', function () {
      var f = failed;
      if (!f) return;
      if (input.value === f.display) input.value = '';
      input.focus();
      send(f.message, f.display, true);
    });
    log.append(box);
    scrollDown();
  }

  function post(message) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, timeoutMs);
    return fetch(botUrl + '/webhooks/rest/webhook', {
      method: 'POST', mode: 'cors', credentials: 'omit', cache: 'no-store', signal: controller.signal,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sender: conversationId(), message: message })
    }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    }).then(function (data) {
      if (!Array.isArray(data) || !data.length) throw new Error('empty reply');
      return data;
    }).catch(function (error) {
      throw controller.signal.aborted ? 'timeout' : error;
    }).finally(function () { clearTimeout(timer); });
  }

  function send(message, display, isRetry) {
    message = String(message || '').trim();
    display = String(display || message).trim();
    if (busy || !message) return false;
    var focused = panel.contains(document.activeElement);
    dropError();
    dropReplies();
    if (focused && !panel.contains(document.activeElement)) input.focus();  // the button pressed is gone
    var node;
    if (isRetry && failed) {
      node = failed.node;
      node.classList.remove('smw-msg--failed');
    } else {
      if (failed) failed.node.remove();  // a new message replaces the one that did not go
      node = userBubble(display);
      log.append(node);
    }
    var typed = isRetry && failed ? failed.typed : message === display;
    failed = null;
    setBusy(true);
    var mine = epoch;
    post(message).then(function (messages) {
      if (mine !== epoch) return null;
      remember({ u: display });
      remember({ b: messages.slice(0, 30) });
      var turn = botTurn(messages, true);
      if (turn) log.append(turn);
      return node;
    }, function (error) {
      if (mine !== epoch) return null;
      node.classList.add('smw-msg--failed');
      failed = { message: message, display: display, node: node, typed: typed };
      if (typed && !input.value.trim()) { input.value = display; resize(); }  // nothing typed is lost
      showError(error === 'timeout' ? 'timeout' : 'network');
    }).then(function (shown) {
      if (mine !== epoch) return;
      setBusy(false);
      if (shown) reveal(shown); else scrollDown();
      var lost = !document.activeElement || document.activeElement === document.body;
      if (lost && !panel.hidden) input.focus();  // e.g. the Try again button that was pressed is gone
    });
    return true;
  }

  function resize() {
    input.style.height = 'auto';
    var full = input.scrollHeight + input.offsetHeight - input.clientHeight;
    input.style.height = Math.min(full, 120) + 'px';
    input.style.overflowY = full > 120 ? 'auto' : 'hidden';
  }

  function open() {
    if (!panel.hidden) return;
    if (!log.childNodes.length) render();
    panel.hidden = false;
    root.setAttribute('data-state', 'open');
    launcher.setAttribute('aria-expanded', 'true');
    scrollDown();
    input.focus();
  }
  function close() {
    if (panel.hidden) return;
    panel.hidden = true;
    root.setAttribute('data-state', 'closed');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  launcher.addEventListener('click', function () { if (panel.hidden) open(); else close(); });
  closeButton.addEventListener('click', close);
  restartButton.addEventListener('click', function () {
    forget(ID_KEY);
    forget(LOG_KEY);
    history = [];
    failed = null;
    epoch++;
    setBusy(false);
    render();
    input.value = '';
    resize();
    input.focus();
  });
  panel.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') { event.preventDefault(); close(); }
  });
  input.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : submit(); }
  });
  input.addEventListener('input', resize);
  function submit(event) {
    if (event) event.preventDefault();
    var text = input.value.trim();
    if (!text || busy) return;
    if (send(text, text)) { input.value = ''; resize(); }
  }
  form.addEventListener('submit', submit);

  function mount() { document.body.append(root); }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
