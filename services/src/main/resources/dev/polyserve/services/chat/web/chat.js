// The chat page: one WebSocket to /ws on this server. Lines go out exactly as a terminal member types them (the
// first is the name); events come back as JSON objects, one per line. No framework: the DOM and WebSocket only.
'use strict';
(() => {
  const $ = id => document.getElementById(id);
  const status = $('status'), joinForm = $('join'), nameInput = $('name'), nameError = $('name-error');
  const room = $('room'), log = $('log'), sayForm = $('say'), line = $('line');
  const people = $('people'), members = $('members'), count = $('count');
  const MAX_LOG = 500;               // lines kept on the page; older ones are removed
  const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];

  let ws = null, me = null, wanted = null, attempt = 0, quitting = false;
  const names = new Set();

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(scheme + '//' + location.host + '/ws');
    ws.onopen = () => {
      attempt = 0;
      setStatus('Connected');
      if (wanted) ws.send(wanted);   // back after a restart: ask for the same name again
    };
    ws.onmessage = e => String(e.data).split('\n').forEach(l => { if (l) handle(JSON.parse(l)); });
    ws.onclose = () => {
      ws = null;
      if (me) add('notice', null, 'Disconnected.');
      me = null;
      if (quitting) { setStatus('You left. Reload the page to come back.'); return; }
      const wait = BACKOFF_MS[Math.min(attempt++, BACKOFF_MS.length - 1)] * (0.75 + Math.random() / 2);
      setStatus('Disconnected; reconnecting in ' + Math.round(wait / 1000) + ' s…');
      setTimeout(connect, wait);
    };
  }

  function handle(ev) {
    switch (ev.type) {
      case 'notice': return notice(ev);
      case 'said': return add('said', ev.from, ev.text);
      case 'acted': return add('me', ev.from, ev.text);
      case 'private': return add('private', '[private from ' + ev.from + ']', ev.text);
      case 'private-sent': return add('private-sent', '[private to ' + ev.to + ']', ev.text);
      case 'admin': return add('admin', '[admin]', ev.text);
      case 'joined': names.add(ev.name); drawMembers(); return add('joined', null, ev.name + ' joined');
      case 'left':
        names.delete(ev.name); drawMembers();
        return add('left', null, ev.name + ' left' + (ev.reason && ev.reason !== 'left' ? ' (' + ev.reason + ')' : ''));
      case 'renamed':
        names.delete(ev.from); names.add(ev.to);
        if (ev.from === me) { me = ev.to; wanted = ev.to; }
        drawMembers();
        return add('renamed', null, ev.from + ' is now ' + ev.to);
      case 'members': names.clear(); ev.names.forEach(n => names.add(n)); drawMembers(); return;
    }
  }

  function notice(ev) {
    switch (ev.code) {
      case 'welcome': setStatus(ev.text); return;
      case 'ask-name': if (!wanted) showJoin(); return;
      case 'name-taken': case 'name-invalid':
        if (!me) { wanted = null; showJoin(ev.text); return; }
        break;
      case 'hello':
        me = wanted;
        joinForm.hidden = true; room.hidden = false; people.hidden = false;
        setStatus('Connected as ' + me);
        ws.send('/list');
        line.focus();
        break;
      case 'bye': quitting = true; break;
      case 'room-full': setStatus(ev.text); break;
    }
    add('notice', null, ev.text);
  }

  function showJoin(refusal) {
    joinForm.hidden = false; room.hidden = true; people.hidden = true;
    nameError.textContent = refusal || '';
    if (refusal) nameInput.select();
    nameInput.focus();
  }

  function add(kind, from, text) {
    const li = document.createElement('li');
    li.className = kind;
    const t = document.createElement('time');
    const now = new Date();
    t.dateTime = now.toISOString();
    t.textContent = now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    li.append(t);
    if (from) {
      const f = document.createElement('span');
      f.className = 'from';
      f.textContent = kind === 'me' ? '* ' + from + ' ' : from + (kind === 'said' ? ': ' : ' ');
      li.append(f);
    }
    li.append(document.createTextNode(text));
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.append(li);
    while (log.childElementCount > MAX_LOG) log.firstElementChild.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  function drawMembers() {
    members.replaceChildren(...[...names].sort((a, b) => a.localeCompare(b)).map(n => {
      const li = document.createElement('li');
      li.textContent = n;
      if (n === me) li.className = 'self';
      return li;
    }));
    count.textContent = names.size;
  }

  function setStatus(text) { status.textContent = text; }

  joinForm.addEventListener('submit', e => {
    e.preventDefault();
    const n = nameInput.value.trim();
    if (!n || !ws || ws.readyState !== WebSocket.OPEN) return;
    wanted = n;
    nameError.textContent = '';
    ws.send(n);
  });

  sayForm.addEventListener('submit', e => {
    e.preventDefault();
    const text = line.value;
    if (!text.trim() || !ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(text);
    // Our own lines are not echoed by the room: show them as the others see them.
    if (!text.startsWith('/') || text.startsWith('//')) add('said', me, text.startsWith('//') ? text.slice(1) : text);
    else if (text.startsWith('/me ')) add('me', me, text.slice(4));
    line.value = '';
  });

  connect();
})();
