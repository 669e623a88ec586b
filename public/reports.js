// Export progress: a download started from a link or form marked data-progress gets an id; the page polls
// /reports/progress/<id> and shows the rows written so far. Without JavaScript the download works the same.
(function () {
  var box = document.querySelector('[data-progress-for]');
  if (!box) return;
  var bar = box.querySelector('progress');
  var text = box.querySelector('[role=status]');
  var token = new URLSearchParams(location.search).get('s') || (document.querySelector('input[name=s]') || {}).value || '';
  function newId() { return 'p' + Math.random().toString(36).slice(2) + Date.now().toString(36); }
  function poll(id) {
    box.hidden = false;
    text.textContent = 'Preparing the file…';
    var timer = setInterval(function () {
      fetch('/reports/progress/' + id, { headers: { authorization: 'Bearer ' + token, accept: 'application/json' } })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          if (p.total > 0) { bar.max = p.total; bar.value = p.done; }
          if (p.status === 'complete') { bar.max = 1; bar.value = 1; text.textContent = 'Done: ' + p.total + ' rows.'; clearInterval(timer); }
          else if (p.status === 'failed') { text.textContent = 'The export failed: ' + (p.message || 'try again.'); clearInterval(timer); }
          else if (p.status === 'running') { text.textContent = p.done + ' of ' + p.total + ' rows written…'; }
        })
        .catch(function () { /* the next poll tries again */ });
    }, 700);
  }
  document.querySelectorAll('a[data-progress]').forEach(function (a) {
    a.addEventListener('click', function () {
      var id = newId();
      var u = new URL(a.href);
      u.searchParams.set('progress', id);
      a.href = u.toString();
      poll(id);
    });
  });
  document.querySelectorAll('form[data-progress]').forEach(function (f) {
    f.addEventListener('submit', function () {
      var id = newId();
      f.querySelector('input[name=progress]').value = id;
      poll(id);
    });
  });
})();
