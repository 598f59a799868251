/* Garasi public site: small progressive enhancements, no dependencies.
   Pages work without this file; it only adds "copy link" and the phone's share sheet. */
(function () {
  'use strict';
  function toast(text) {
    var box = document.getElementById('toasts');
    if (!box) return;
    var t = document.createElement('div');
    t.className = 'toast';
    t.setAttribute('role', 'status');
    t.textContent = text;
    box.appendChild(t);
    setTimeout(function () { t.remove(); }, 2500);
  }
  document.querySelectorAll('[data-copy]').forEach(function (b) {
    if (!navigator.clipboard) return;
    b.hidden = false;
    b.addEventListener('click', function () {
      navigator.clipboard.writeText(b.getAttribute('data-copy')).then(
        function () { toast('Tautan disalin.'); },
        function () { toast('Tautan tidak bisa disalin.'); }
      );
    });
  });
  document.querySelectorAll('[data-share]').forEach(function (b) {
    if (!navigator.share) return;
    b.hidden = false;
    b.addEventListener('click', function () {
      navigator.share({ title: b.getAttribute('data-title') || document.title, url: b.getAttribute('data-share') })
        .catch(function () {});
    });
  });
})();
