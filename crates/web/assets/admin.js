/* Garasi dashboards: small enhancements on top of server-rendered pages and htmx.
   No dependencies, no eval, no inline handlers (CSP script-src 'self'). Every action
   shows progress and ends with a toast; pages keep working (plainer) without this file. */
(function () {
  'use strict';
  var doc = document;

  // ---- Toasts ------------------------------------------------------------------
  function toast(kind, text) {
    var box = doc.getElementById('toasts');
    if (!box) return;
    var t = doc.createElement('div');
    t.className = 'toast toast-' + kind;
    t.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    t.textContent = text;
    box.appendChild(t);
  }
  function dismissLater(t) {
    if (t.dataset.timer) return;
    var ms = t.classList.contains('toast-error') ? 8000 : 4500;
    t.dataset.timer = '1';
    setTimeout(function () {
      t.classList.add('is-leaving');
      setTimeout(function () { t.remove(); }, 300);
    }, ms);
  }
  function watchToasts() {
    var box = doc.getElementById('toasts');
    if (!box) return;
    Array.prototype.forEach.call(box.children, dismissLater);
    new MutationObserver(function () { Array.prototype.forEach.call(box.children, dismissLater); })
      .observe(box, { childList: true });
    box.addEventListener('click', function (e) {
      var t = e.target.closest('.toast');
      if (t) t.remove();
    });
  }

  // ---- Global progress bar (htmx requests and our own fetches) -------------------
  var busy = 0;
  function progress(delta) {
    var bar = doc.getElementById('progress');
    busy = Math.max(0, busy + delta);
    if (!bar) return;
    if (busy > 0) {
      bar.classList.remove('is-done');
      bar.classList.add('is-active');
    } else {
      bar.classList.remove('is-active');
      bar.classList.add('is-done');
    }
  }

  /** JSON request to our own API; resolves with the parsed body, rejects with a message. */
  function api(method, url, body, isForm) {
    progress(1);
    var opts = { method: method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
    if (body !== undefined) {
      if (isForm) opts.body = body;
      else { opts.headers['Content-Type'] = 'application/json'; opts.body = JSON.stringify(body); }
    }
    return fetch(url, opts).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!r.ok) throw new Error(errorText(data, r.status));
        return data;
      });
    }, function () {
      throw new Error('Tidak dapat terhubung ke server. Periksa koneksi internet Anda.');
    }).finally(function () { progress(-1); });
  }
  function errorText(data, status) {
    if (data && data.error) {
      var e = data.error;
      if (e.fields) {
        var first = Object.keys(e.fields)[0];
        if (first) return e.fields[first];
      }
      if (e.message) return e.message;
    }
    if (status === 401) return 'Sesi Anda habis. Silakan masuk lagi.';
    if (status === 413) return 'Ukuran unggahan terlalu besar.';
    return 'Terjadi kesalahan (' + status + '). Silakan coba lagi.';
  }

  // ---- htmx wiring -----------------------------------------------------------------
  doc.addEventListener('htmx:beforeRequest', function () { progress(1); });
  doc.addEventListener('htmx:afterRequest', function () { progress(-1); });
  doc.addEventListener('htmx:sendError', function () {
    toast('error', 'Tidak dapat terhubung ke server. Periksa koneksi internet Anda.');
  });
  doc.addEventListener('htmx:timeout', function () {
    toast('error', 'Server terlalu lama menjawab. Silakan coba lagi.');
  });
  doc.addEventListener('htmx:afterSwap', function (e) {
    var target = e.detail && e.detail.target;
    if (!target) return;
    var focus = target.querySelector ? target.querySelector('[data-autofocus]') : null;
    if (!focus && target.matches && target.matches('[data-autofocus]')) focus = target;
    if (!focus && target.parentNode && target.id) {
      var again = doc.getElementById(target.id);
      if (again) focus = again.querySelector('[data-autofocus]');
    }
    if (focus) {
      focus.focus();
      if (focus.scrollIntoView) focus.scrollIntoView({ block: 'center' });
    }
    formatRupiahIn(doc);
  });

  // ---- Menu on phones --------------------------------------------------------------
  function menu(open) {
    var nav = doc.getElementById('sidenav');
    var btn = doc.querySelector('[data-menu]');
    if (!nav || !btn) return;
    nav.classList.toggle('open', open);
    btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open) {
      var first = nav.querySelector('a');
      if (first) first.focus();
    }
  }

  // ---- Plain forms (login, logout): a spinner while the page loads ---------------------
  doc.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.hasAttribute('data-loading') && !e.defaultPrevented) {
      form.classList.add('is-loading');
      setTimeout(function () {
        Array.prototype.forEach.call(form.querySelectorAll('button[type=submit]'), function (b) { b.disabled = true; });
      }, 0);
    }
  });

  // ---- Rupiah inputs: 195000000 → 195.000.000 ----------------------------------------
  function formatRupiah(input) {
    var digits = input.value.replace(/[^0-9]/g, '');
    if (!digits) return;
    input.value = digits.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  }
  function formatRupiahIn(root) {
    Array.prototype.forEach.call(root.querySelectorAll('input[data-rupiah]'), formatRupiah);
  }
  doc.addEventListener('change', function (e) {
    if (e.target.matches && e.target.matches('input[data-rupiah]')) formatRupiah(e.target);
  });

  // ---- Car specs rows ------------------------------------------------------------
  function addSpecRow(form) {
    var rows = form.querySelector('[data-spec-rows]');
    var tpl = form.querySelector('template[data-spec-template]');
    if (!rows || !tpl) return;
    var row = tpl.content.firstElementChild.cloneNode(true);
    rows.appendChild(row);
    row.querySelector('input').focus();
  }

  // ---- Photos --------------------------------------------------------------------
  function photosChanged() {
    if (window.htmx) window.htmx.trigger(doc.body, 'photos-changed');
  }
  function photoBase(el) {
    var list = el.closest('[data-photo-list]');
    return list ? list.getAttribute('data-photo-list') : null;
  }
  function saveOrder(list) {
    var ids = Array.prototype.map.call(list.querySelectorAll('[data-photo]'), function (li) {
      return li.getAttribute('data-photo');
    });
    return api('PUT', list.getAttribute('data-photo-list') + '/order', { order: ids }).then(function () {
      toast('success', 'Urutan foto disimpan.');
      photosChanged();
    }, function (err) {
      toast('error', err.message);
      photosChanged();
    });
  }
  function xhrUpload(url, data, onProgress) {
    return new Promise(function (resolve, reject) {
      var x = new XMLHttpRequest();
      x.open('POST', url);
      x.setRequestHeader('Accept', 'application/json');
      x.upload.addEventListener('progress', function (e) { if (e.lengthComputable) onProgress(e.loaded, e.total); });
      x.addEventListener('load', function () {
        var body = null;
        try { body = JSON.parse(x.responseText); } catch (e) { body = null; }
        if (x.status >= 200 && x.status < 300) resolve(body);
        else reject(new Error(errorText(body, x.status)));
      });
      x.addEventListener('error', function () { reject(new Error('Koneksi terputus saat mengunggah. Silakan coba lagi.')); });
      x.send(data);
    });
  }
  function uploadPhotos(form, files) {
    var url = form.getAttribute('data-upload');
    var max = parseInt(form.getAttribute('data-max'), 10) || 12;
    var list = Array.prototype.filter.call(files, function (f) {
      return /^image\/(jpeg|png|webp)$/.test(f.type) || /\.(jpe?g|png|webp)$/i.test(f.name);
    });
    if (!list.length) {
      toast('error', 'Pilih foto berformat JPG, PNG atau WebP.');
      return;
    }
    var box = form.querySelector('.upload-progress');
    var bar = box.querySelector('progress');
    var text = box.querySelector('.upload-text');
    var total = list.reduce(function (s, f) { return s + f.size; }, 0) || 1;
    var done = 0;
    var uploaded = 0;
    var batches = [];
    for (var i = 0; i < list.length; i += max) batches.push(list.slice(i, i + max));
    box.hidden = false;
    bar.value = 0;
    text.textContent = 'Mengunggah ' + list.length + ' foto… 0%';
    form.classList.add('is-busy');
    progress(1);
    var chain = Promise.resolve();
    batches.forEach(function (batch) {
      chain = chain.then(function () {
        var data = new FormData();
        var size = 0;
        batch.forEach(function (f) { data.append('files', f, f.name); size += f.size; });
        return xhrUpload(url, data, function (loaded, all) {
          var pct = Math.min(100, Math.round(((done + size * loaded / all) / total) * 100));
          bar.value = pct;
          text.textContent = pct >= 100 ? 'Memproses foto…' : 'Mengunggah… ' + pct + '%';
        }).then(function (body) {
          done += size;
          uploaded += (body && body.uploaded && body.uploaded.length) || batch.length;
        });
      });
    });
    chain.then(function () {
      bar.value = 100;
      text.textContent = uploaded + ' foto selesai diunggah.';
      toast('success', uploaded + ' foto berhasil diunggah.');
      photosChanged();
    }, function (err) {
      text.textContent = 'Gagal: ' + err.message;
      toast('error', err.message);
      if (uploaded) photosChanged();
    }).finally(function () {
      progress(-1);
      form.classList.remove('is-busy');
      var input = form.querySelector('input[type=file]');
      if (input) input.value = '';
      setTimeout(function () { box.hidden = true; }, 4000);
    });
  }

  // ---- Drag and drop (photos and the lead board) -----------------------------------------
  var dragged = null;
  doc.addEventListener('dragstart', function (e) {
    var item = e.target.closest && e.target.closest('[data-photo], [data-lead]');
    if (!item) return;
    dragged = item;
    item.classList.add('is-dragging');
    e.dataTransfer.effectAllowed = 'move';
    try { e.dataTransfer.setData('text/plain', item.getAttribute('data-photo') || item.getAttribute('data-lead')); } catch (x) { /* old browsers */ }
  });
  doc.addEventListener('dragend', function () {
    if (dragged) dragged.classList.remove('is-dragging');
    dragged = null;
    Array.prototype.forEach.call(doc.querySelectorAll('.is-over'), function (el) { el.classList.remove('is-over'); });
  });
  function dropTarget(e) {
    if (dragged && dragged.hasAttribute('data-photo')) return e.target.closest && e.target.closest('[data-photo]');
    if (dragged && dragged.hasAttribute('data-lead')) return e.target.closest && e.target.closest('.board-col');
    var zone = e.target.closest && e.target.closest('.dropzone');
    return zone && e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types || [], 'Files') >= 0 ? zone : null;
  }
  doc.addEventListener('dragover', function (e) {
    var t = dropTarget(e);
    if (!t) return;
    e.preventDefault();
    Array.prototype.forEach.call(doc.querySelectorAll('.is-over'), function (el) { if (el !== t) el.classList.remove('is-over'); });
    t.classList.add('is-over');
  });
  doc.addEventListener('drop', function (e) {
    var t = dropTarget(e);
    if (!t) return;
    e.preventDefault();
    t.classList.remove('is-over');
    if (t.classList.contains('dropzone')) {
      uploadPhotos(t.closest('form'), e.dataTransfer.files);
      return;
    }
    if (dragged && dragged.hasAttribute('data-photo') && t !== dragged) {
      var list = t.parentNode;
      var items = Array.prototype.slice.call(list.children);
      list.insertBefore(dragged, items.indexOf(dragged) < items.indexOf(t) ? t.nextSibling : t);
      saveOrder(list.closest('[data-photo-list]'));
    } else if (dragged && dragged.hasAttribute('data-lead')) {
      var status = t.getAttribute('data-status');
      if (status && status !== dragged.getAttribute('data-status') && window.htmx) {
        window.htmx.ajax('POST', '/admin/leads/' + dragged.getAttribute('data-lead') + '/status', {
          target: '#board', swap: 'outerHTML', values: { status: status, view: 'board' }
        });
      }
    }
  });

  // ---- CSV import --------------------------------------------------------------------
  function el(tag, text, cls) {
    var n = doc.createElement(tag);
    if (text !== undefined && text !== null) n.textContent = text;
    if (cls) n.className = cls;
    return n;
  }
  function importReport(box, r) {
    box.textContent = '';
    var head;
    if (r.dry_run) {
      head = 'Pemeriksaan selesai: ' + r.rows + ' baris, ' + r.valid + ' siap diimpor, ' + r.errors.length + ' bermasalah.';
    } else {
      head = 'Impor selesai: ' + r.created + ' mobil baru, ' + r.updated + ' diperbarui' +
        (r.errors.length ? ', ' + r.errors.length + ' baris dilewati.' : '.');
    }
    box.appendChild(el('p', head, r.errors.length ? 'alert alert-error' : 'alert callout'));
    if (r.dry_run && !r.errors.length && r.valid) box.appendChild(el('p', 'Semua baris benar. Klik “Impor sekarang” untuk menyimpan.'));
    if (r.ignored_columns && r.ignored_columns.length) {
      box.appendChild(el('p', 'Kolom yang tidak dikenal dan diabaikan: ' + r.ignored_columns.join(', ') + '.', 'muted small'));
    }
    if (r.errors.length) {
      var wrap = el('div', null, 'table-wrap');
      var table = el('table', null, 'table table-compact');
      var cap = el('caption', 'Kesalahan per baris', 'sr-only');
      table.appendChild(cap);
      var thead = el('thead');
      var tr = el('tr');
      ['Baris', 'Kolom', 'Masalah'].forEach(function (h) { var th = el('th', h); th.scope = 'col'; tr.appendChild(th); });
      thead.appendChild(tr);
      table.appendChild(thead);
      var tbody = el('tbody');
      r.errors.forEach(function (row) {
        Object.keys(row.fields || {}).forEach(function (field) {
          var line = el('tr');
          line.appendChild(el('td', String(row.row)));
          line.appendChild(el('td', field));
          line.appendChild(el('td', row.fields[field]));
          tbody.appendChild(line);
        });
      });
      table.appendChild(tbody);
      wrap.appendChild(table);
      box.appendChild(wrap);
    }
  }
  function runImport(form, dry, button) {
    var input = form.querySelector('input[type=file]');
    if (!input.files.length) {
      input.reportValidity ? input.reportValidity() : toast('error', 'Pilih file CSV dulu.');
      return;
    }
    var data = new FormData();
    data.append('file', input.files[0]);
    var box = doc.getElementById('import-report');
    button.disabled = true;
    button.classList.add('is-loading');
    api('POST', form.getAttribute('data-csv-import') + (dry ? '?dry_run=1' : ''), data, true).then(function (r) {
      importReport(box, r);
      if (dry) toast(r.errors.length ? 'error' : 'success', r.errors.length ? 'Ada baris yang perlu diperbaiki.' : 'File siap diimpor.');
      else toast('success', (r.created + r.updated) + ' mobil tersimpan dari CSV.');
    }, function (err) {
      box.textContent = '';
      box.appendChild(el('p', err.message, 'alert alert-error'));
      toast('error', err.message);
    }).finally(function () {
      button.disabled = false;
      button.classList.remove('is-loading');
    });
  }

  // ---- Bot simulator ------------------------------------------------------------------
  var WA_TAGS = { '*': 'strong', '_': 'em', '~': 's' };
  /** Appends `text` to `parent` with WhatsApp's *bold*, _italic_ and ~strike~ (as the server's `wa` filter). */
  function waInto(parent, text) {
    var chars = Array.from(text);
    var plain = '';
    var flush = function () { if (plain) { parent.appendChild(doc.createTextNode(plain)); plain = ''; } };
    var word = function (c) { return c !== undefined && /[\p{L}\p{N}]/u.test(c); };
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i];
      var end = -1;
      if (WA_TAGS[c] && !word(chars[i - 1]) && chars[i + 1] !== undefined && !/\s/.test(chars[i + 1])) {
        for (var j = i + 2; j < chars.length && chars[j] !== '\n'; j++) {
          if (chars[j] === c && !/\s/.test(chars[j - 1]) && !word(chars[j + 1])) { end = j; break; }
        }
      }
      if (end > 0) {
        flush();
        var node = doc.createElement(WA_TAGS[c]);
        waInto(node, chars.slice(i + 1, end).join(''));
        parent.appendChild(node);
        i = end;
      } else {
        plain += c;
      }
    }
    flush();
  }
  function simBubble(log, outgoing, author, text, meta) {
    var li = el('li', null, 'bubble ' + (outgoing ? 'bubble-out' : 'bubble-in'));
    li.appendChild(el('p', author + (meta ? ' · ' + meta : ''), 'bubble-meta'));
    var body = el('p', null, 'bubble-text');
    waInto(body, text);
    li.appendChild(body);
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }
  function simNote(log, text) {
    var li = el('li', text, 'sim-hint');
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }
  function normalisePhone(raw) {
    var d = raw.replace(/[^0-9+]/g, '');
    if (d.charAt(0) === '0') d = '+62' + d.slice(1);
    if (d.charAt(0) !== '+') d = '+' + d;
    return d;
  }
  function simSend(phone, form) {
    var input = form.querySelector('input[name=text]');
    var text = input.value.trim();
    if (!text) return;
    var log = phone.querySelector('[data-sim-log]');
    var as = doc.getElementById('sim-role');
    var asSales = as && as.value !== 'customer';
    var from = asSales ? as.value : normalisePhone((doc.getElementById('sim-phone') || {}).value || '0812-0000-0099');
    var who = asSales ? as.options[as.selectedIndex].text.replace(/^Sales: /, '') : 'Anda (pelanggan)';
    simBubble(log, true, who, text);
    input.value = '';
    var status = phone.querySelector('[data-sim-status]');
    var typing = el('li', 'mengetik…', 'sim-typing');
    log.appendChild(typing);
    log.scrollTop = log.scrollHeight;
    if (status) status.textContent = 'mengetik…';
    api('POST', phone.getAttribute('data-bot-sim'), { from: from, text: text, name: asSales ? '' : 'Pelanggan uji coba' }).then(function (r) {
      typing.remove();
      var via = { offline: 'otomatis', llm: 'AI', command: 'perintah', fallback: 'otomatis' }[r.handled_by] || '';
      (r.replies || []).forEach(function (rep) {
        var b = simBubble(log, false, 'Bot', rep.text, via);
        if (rep.images && rep.images.length) {
          var grid = el('div', null, 'sim-images');
          rep.images.slice(0, 4).forEach(function (src) {
            var img = doc.createElement('img');
            img.src = src; img.alt = 'Foto mobil'; img.loading = 'lazy';
            grid.appendChild(img);
          });
          b.appendChild(grid);
        }
      });
      (r.notifications || []).forEach(function (n) { simNote(log, 'Pesan ke ' + (n.name || n.to) + ': ' + n.text); });
      if (r.status === 'paused') simNote(log, 'Bot diam: chat ini sedang ditangani orang.');
      if (r.status === 'rate_limited') simNote(log, 'Bot diam: terlalu banyak pesan dalam waktu singkat.');
      if (r.conversation_id && !phone.dataset.linked) {
        phone.dataset.linked = '1';
        var li = el('li', null, 'sim-hint');
        var a = el('a', 'Lihat percakapan ini di dashboard');
        a.href = '/admin/conversations/' + r.conversation_id;
        li.appendChild(a);
        log.appendChild(li);
      }
      log.scrollTop = log.scrollHeight;
    }, function (err) {
      typing.remove();
      simNote(log, err.message);
      toast('error', err.message);
    }).finally(function () {
      if (status) status.textContent = 'online';
      input.focus();
    });
  }

  // ---- Forms and buttons that call the JSON API directly ------------------------------------
  /** Shows the API's field messages next to the matching inputs of `form`. */
  function showFieldErrors(form, fields) {
    Array.prototype.forEach.call(form.querySelectorAll('.field-error[data-js]'), function (p) { p.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid]'), function (i) { i.removeAttribute('aria-invalid'); });
    var first = null;
    Object.keys(fields || {}).forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (!input) return;
      var p = el('p', fields[name], 'field-error');
      p.id = 'err-js-' + name;
      p.setAttribute('data-js', '');
      (input.closest('.field') || input.parentNode).appendChild(p);
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', p.id);
      if (!first) first = input;
    });
    if (first) first.focus();
  }
  function submitApiForm(form) {
    var body = {};
    new FormData(form).forEach(function (v, k) { if (typeof v === 'string') body[k] = v; });
    var button = form.querySelector('button[type=submit]');
    if (button) { button.disabled = true; }
    form.classList.add('is-loading');
    progress(1);
    fetch(form.getAttribute('data-api'), {
      method: form.getAttribute('data-method') || 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) {
        if (!r.ok) {
          showFieldErrors(form, data && data.error && data.error.fields);
          throw new Error(errorText(data, r.status));
        }
        toast('success', form.getAttribute('data-success') || 'Tersimpan.');
        var next = form.getAttribute('data-reload');
        if (next !== null) setTimeout(function () { window.location.assign(next || window.location.pathname); }, 600);
      });
    }, function () {
      throw new Error('Tidak dapat terhubung ke server. Periksa koneksi internet Anda.');
    }).catch(function (err) {
      toast('error', err.message);
    }).finally(function () {
      progress(-1);
      form.classList.remove('is-loading');
      if (button) button.disabled = false;
    });
  }

  // ---- Clicks and submits, delegated so swapped content works too ---------------------------
  doc.addEventListener('click', function (e) {
    var t = e.target.closest ? e.target.closest('button, a, [data-menu]') : null;
    if (!t) return;
    if (t.hasAttribute('data-menu')) {
      e.preventDefault();
      var nav = doc.getElementById('sidenav');
      menu(!(nav && nav.classList.contains('open')));
      return;
    }
    if (t.hasAttribute('data-spec-add')) {
      addSpecRow(t.closest('form'));
      return;
    }
    if (t.hasAttribute('data-spec-remove')) {
      var row = t.closest('.spec-row');
      var rows = row && row.parentNode;
      if (rows && rows.children.length > 1) row.remove();
      else if (row) Array.prototype.forEach.call(row.querySelectorAll('input'), function (i) { i.value = ''; });
      return;
    }
    var photo = t.closest('[data-photo]');
    if (photo && photoBase(t)) {
      var list = photo.parentNode;
      if (t.hasAttribute('data-photo-move')) {
        var dir = parseInt(t.getAttribute('data-photo-move'), 10);
        var sibling = dir < 0 ? photo.previousElementSibling : photo.nextElementSibling;
        if (!sibling) return;
        list.insertBefore(photo, dir < 0 ? sibling : sibling.nextSibling);
        saveOrder(list.closest('[data-photo-list]'));
      } else if (t.hasAttribute('data-photo-cover')) {
        list.insertBefore(photo, list.firstElementChild);
        saveOrder(list.closest('[data-photo-list]'));
      } else if (t.hasAttribute('data-photo-delete')) {
        if (!window.confirm('Hapus foto ini?')) return;
        t.disabled = true;
        api('DELETE', photoBase(t) + '/' + photo.getAttribute('data-photo')).then(function () {
          toast('success', 'Foto dihapus.');
          photosChanged();
        }, function (err) {
          t.disabled = false;
          toast('error', err.message);
        });
      }
      return;
    }
    if (t.hasAttribute('data-api-action')) {
      t.disabled = true;
      t.classList.add('is-loading');
      api('POST', t.getAttribute('data-api-action')).then(function () {
        toast('success', t.getAttribute('data-success') || 'Selesai.');
        var ev = t.getAttribute('data-refresh');
        if (ev && window.htmx) window.htmx.trigger(doc.body, ev);
      }, function (err) {
        toast('error', err.message);
      }).finally(function () {
        t.disabled = false;
        t.classList.remove('is-loading');
      });
      return;
    }
    if (t.hasAttribute('data-sim-reset')) {
      var log = doc.querySelector('[data-sim-log]');
      if (log) { log.textContent = ''; simNote(log, 'Layar dikosongkan. Percakapan tetap tersimpan.'); }
    }
  });
  doc.addEventListener('change', function (e) {
    var input = e.target;
    if (input.matches && input.matches('form[data-upload] input[type=file]') && input.files.length) {
      uploadPhotos(input.closest('form'), input.files);
    }
  });
  doc.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.hasAttribute('data-csv-import')) {
      e.preventDefault();
      var button = e.submitter || form.querySelector('button[type=submit]');
      runImport(form, button.getAttribute('data-dry-run') === '1', button);
    } else if (form.hasAttribute('data-api')) {
      e.preventDefault();
      submitApiForm(form);
    } else if (form.hasAttribute('data-sim-form')) {
      e.preventDefault();
      simSend(form.closest('[data-bot-sim]'), form);
    } else if (form.hasAttribute('data-upload') || form.hasAttribute('data-sim-as')) {
      e.preventDefault();
    }
  });
  doc.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') {
      var nav = doc.getElementById('sidenav');
      if (nav && nav.classList.contains('open')) {
        menu(false);
        var btn = doc.querySelector('[data-menu]');
        if (btn) btn.focus();
      }
    }
  });

  /** Chat threads open at their newest message. */
  function scrollThreads(root) {
    Array.prototype.forEach.call(root.querySelectorAll('.thread'), function (t) { t.scrollTop = t.scrollHeight; });
  }
  doc.addEventListener('htmx:afterSettle', function (e) { if (e.detail && e.detail.target) scrollThreads(e.detail.target); });

  doc.documentElement.classList.add('js');
  watchToasts();
  formatRupiahIn(doc);
  scrollThreads(doc);

  // ---- Copy buttons (DNS records on the domain page) -----------------------------
  doc.addEventListener('click', function (e) {
    var b = e.target.closest('[data-copy]');
    if (!b || !navigator.clipboard) return;
    navigator.clipboard.writeText(b.getAttribute('data-copy')).then(
      function () { toast('success', 'Disalin.'); },
      function () { toast('error', 'Gagal menyalin. Salin manual dari kolomnya.'); });
  });
})();
