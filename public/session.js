/*
 * Accrue: keeps a launch session alive while the learner works on one page, without any cookie (the LMS iframe
 * may not keep one). The page carries its short-lived session token in <meta name="accrue-session">; past half of
 * its lifetime, and only if the learner has done something since, the token is exchanged at
 * POST /lti/session/renew (Authorization: Bearer) for a fresh one, which then replaces the old one in same-origin
 * links (?s=), hidden `s` fields, `data-s` attributes, form actions and the address bar. An idle page lets its token expire.
 * Other scripts read the current token with window.accrueSession.token() or listen for "accrue:session".
 */
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="accrue-session"]');
  if (!meta || !meta.content) return;
  var token = meta.content;
  var obtainedAt = Date.now();
  var active = false;
  var ended = false;

  // The token's own lifetime (exp - iat), measured on this page's clock from when it was obtained, so a wrong
  // client clock does not matter.
  function lifetimeMs(t) {
    try {
      var part = t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      var claims = JSON.parse(window.atob(part + '==='.slice(0, (4 - (part.length % 4)) % 4)));
      return (claims.exp - claims.iat) * 1000;
    } catch (e) {
      return 0;
    }
  }

  function sameOrigin(href) {
    try {
      var u = new URL(href, window.location.href);
      return u.origin === window.location.origin ? u : null;
    } catch (e) {
      return null;
    }
  }

  function withToken(href) {
    var u = sameOrigin(href);
    if (!u || !u.searchParams.has('s')) return null;
    u.searchParams.set('s', token);
    return u.pathname + u.search + u.hash;
  }

  function apply(next) {
    token = next;
    obtainedAt = Date.now();
    meta.content = next;
    document.querySelectorAll('a[href]').forEach(function (a) {
      var h = withToken(a.getAttribute('href'));
      if (h) a.setAttribute('href', h);
    });
    document.querySelectorAll('form').forEach(function (f) {
      var h = f.getAttribute('action') && withToken(f.getAttribute('action'));
      if (h) f.setAttribute('action', h);
    });
    document.querySelectorAll('input[name="s"]').forEach(function (i) { i.value = next; });
    document.querySelectorAll('[data-s]').forEach(function (e) { e.setAttribute('data-s', next); });
    var here = withToken(window.location.href);
    if (here) window.history.replaceState(window.history.state, '', here);
    document.dispatchEvent(new CustomEvent('accrue:session', { detail: { token: next } }));
  }

  function end() {
    if (ended) return;
    ended = true;
    var p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.className = 'error';
    p.textContent = 'Your session has ended. Open Accrue again from your course to continue.';
    var main = document.querySelector('main') || document.body;
    main.insertBefore(p, main.firstChild);
  }

  function renew() {
    if (ended) return Promise.resolve(null);
    return window.fetch('/lti/session/renew', {
      method: 'POST', credentials: 'omit', cache: 'no-store',
      headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
    }).then(function (res) {
      if (res.status === 401) { end(); return null; }
      return res.ok ? res.json() : null;
    }).then(function (body) {
      if (!body || typeof body.token !== 'string') return null;
      active = false;
      apply(body.token);
      return body.token;
    }, function () { return null; });
  }

  function tick() {
    var ttl = lifetimeMs(token);
    if (!ttl) return;
    var age = Date.now() - obtainedAt;
    if (age >= ttl) return end();
    if (active && age >= ttl / 2) renew();
  }

  ['pointerdown', 'keydown', 'input', 'scroll', 'touchstart'].forEach(function (type) {
    window.addEventListener(type, function () { active = true; }, { capture: true, passive: true });
  });
  window.setInterval(tick, 15000);
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'visible') tick(); });
  window.accrueSession = { token: function () { return token; }, renew: renew };
})();
