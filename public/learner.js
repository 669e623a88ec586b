// Time on task: while this page is visible, tell Accrue every few seconds; when it is hidden, say so (a pause).
// The server counts only the wall-clock between heartbeats, capped, so this script cannot inflate the time.
(function () {
  var el = document.getElementById('heartbeat');
  if (!el) return;
  var token = el.getAttribute('data-s');
  var every = Math.max(5, Number(el.getAttribute('data-interval')) || 15) * 1000;
  var timer = null;
  function send(pause) {
    var body = new URLSearchParams({ s: token });
    if (pause) body.set('pause', '1');
    if (pause && navigator.sendBeacon) { navigator.sendBeacon('/learner/heartbeat', body); return; }
    fetch('/learner/heartbeat', { method: 'POST', body: body, credentials: 'omit', keepalive: true })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && j.s) token = j.s; })
      .catch(function () { /* offline: the next heartbeat starts a new interval */ });
  }
  function start() { if (!timer) { send(false); timer = setInterval(function () { send(false); }, every); } }
  function stop() { if (timer) { clearInterval(timer); timer = null; send(true); } }
  document.addEventListener('visibilitychange', function () { document.visibilityState === 'visible' ? start() : stop(); });
  window.addEventListener('pagehide', stop);
  if (document.visibilityState === 'visible') start();
})();
