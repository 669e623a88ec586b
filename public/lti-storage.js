/*
 * Accrue: LTI login and launch through platform storage, for browsers that keep no cookie for Accrue inside the
 * LMS iframe (1EdTech LTI Client Side postMessages, LTI postMessage Storage, LTI OIDC Login with LTI Client Side
 * postMessages, all v0.1).
 *   data-mode="put" (login page): store the login's two secrets under state_<state> and nonce_<nonce>, then go on
 *     to the platform's authentication request whether or not the platform answered (the cookie may still work).
 *   data-mode="get" (launch page): read both back and post them with the id_token; when the platform does not
 *     answer, show the new-window offer instead.
 * Every message is addressed with the platform's OIDC authorization origin as targetOrigin (the browser drops it
 * if the target frame has another origin), and an answer counts only when it comes from that origin, from the
 * window we asked, with our message_id and the matching ".response" subject.
 */
(function () {
  'use strict';
  var TIMEOUT_MS = 3000;
  var el = document.getElementById('lti-storage');
  if (!el) return;
  var cfg = el.dataset;
  var host = window.parent !== window ? window.parent : window.opener;

  function storageWindow() {
    if (!host) return null;
    if (cfg.target === '_parent') return host;
    try {
      return host.frames[cfg.target] || null;
    } catch (e) {
      return null;
    }
  }

  function messageId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  function ask(target, message) {
    return new Promise(function (resolve, reject) {
      var id = messageId();
      var timer = setTimeout(function () { finish(); reject(new Error('no answer from the platform')); }, TIMEOUT_MS);
      function finish() {
        clearTimeout(timer);
        window.removeEventListener('message', onMessage);
      }
      function onMessage(event) {
        if (event.origin !== cfg.platformOrigin || event.source !== target) return;
        var data = event.data;
        if (!data || typeof data !== 'object' || data.message_id !== id || data.subject !== message.subject + '.response') return;
        finish();
        if (data.error) reject(new Error(String(data.error.code || 'error')));
        else resolve(data);
      }
      window.addEventListener('message', onMessage);
      message.message_id = id;
      try {
        target.postMessage(message, cfg.platformOrigin);
      } catch (e) {
        finish();
        reject(e);
      }
    });
  }

  function putThenContinue() {
    var go = function () { window.location.replace(cfg.next); };
    var target = storageWindow();
    if (!target) return go();
    Promise.all([
      ask(target, { subject: 'lti.put_data', key: cfg.stateKey, value: cfg.stateValue }),
      ask(target, { subject: 'lti.put_data', key: cfg.nonceKey, value: cfg.nonceValue }),
    ]).then(go, go);
  }

  function getThenLaunch() {
    var form = document.getElementById('lti-storage-launch');
    var fail = function () {
      document.getElementById('lti-storage-status').textContent = 'Accrue could not confirm this login with your course page.';
      document.getElementById('lti-storage-fallback').hidden = false;
    };
    var target = storageWindow();
    if (!target || !form) return fail();
    Promise.all([
      ask(target, { subject: 'lti.get_data', key: cfg.stateKey }),
      ask(target, { subject: 'lti.get_data', key: cfg.nonceKey }),
    ]).then(function (answers) {
      var stateValue = answers[0].value;
      var nonceValue = answers[1].value;
      if (typeof stateValue !== 'string' || !stateValue || typeof nonceValue !== 'string' || !nonceValue) return fail();
      form.elements.lti_storage_state.value = stateValue;
      form.elements.lti_storage_nonce.value = nonceValue;
      form.submit();
    }, fail);
  }

  if (cfg.mode === 'put') putThenContinue();
  else if (cfg.mode === 'get') getThenLaunch();
})();
