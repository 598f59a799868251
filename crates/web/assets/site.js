/* Garasi public site: small progressive enhancements, no dependencies.
   Pages work without this file; it only adds "copy link", the phone's share sheet and a tray
   that collects cars to compare across pages (the "Bandingkan" links work without it). */
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
  // "Bandingkan": up to 3 cars kept in this browser, shown in a tray linking to the comparison.
  var compareLinks = document.querySelectorAll('[data-compare]');
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }
  if (compareLinks.length && store) {
    var KEY = 'garasi-banding', MAX = 3;
    var load = function () {
      try {
        var v = JSON.parse(store.getItem(KEY) || '[]');
        return Array.isArray(v) ? v.filter(function (s) { return typeof s === 'string'; }).slice(0, MAX) : [];
      } catch (e) { return []; }
    };
    var save = function (list) { try { store.setItem(KEY, JSON.stringify(list)); } catch (e) { /* private mode */ } };
    var tray = document.createElement('div');
    tray.className = 'compare-tray';
    tray.hidden = true;
    tray.setAttribute('role', 'region');
    tray.setAttribute('aria-label', 'Mobil yang akan dibandingkan');
    var go = document.createElement('a');
    go.className = 'btn btn-primary';
    var clear = document.createElement('button');
    clear.type = 'button';
    clear.className = 'btn btn-outline';
    clear.textContent = 'Kosongkan';
    tray.appendChild(go);
    tray.appendChild(clear);
    document.body.appendChild(tray);
    var render = function () {
      var list = load();
      tray.hidden = list.length === 0;
      go.textContent = 'Bandingkan (' + list.length + ')';
      go.href = '/mobil/banding?ids=' + list.map(encodeURIComponent).join(',');
      compareLinks.forEach(function (a) {
        a.setAttribute('role', 'button');
        a.setAttribute('aria-pressed', list.indexOf(a.getAttribute('data-compare')) >= 0 ? 'true' : 'false');
      });
    };
    var toggle = function (a) {
      var slug = a.getAttribute('data-compare');
      var list = load();
      var i = list.indexOf(slug);
      if (i >= 0) {
        list.splice(i, 1);
      } else if (list.length >= MAX) {
        toast('Maksimal 3 mobil bisa dibandingkan. Hapus salah satu dulu.');
        return;
      } else {
        list.push(slug);
      }
      save(list);
      render();
    };
    compareLinks.forEach(function (a) {
      a.addEventListener('click', function (e) { e.preventDefault(); toggle(a); });
      a.addEventListener('keydown', function (e) { if (e.key === ' ') { e.preventDefault(); toggle(a); } });
    });
    clear.addEventListener('click', function () { save([]); render(); });
    render();
  }
})();
