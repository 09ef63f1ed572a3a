// The dashboard: points pushed over /dashboard/ws once a second, drawn as small line charts on canvas. No framework.
'use strict';
(() => {
  const MAX_POINTS = 120;
  const COLORS = ['#0b7a75', '#d1495b', '#3d6fb6', '#edae49', '#7b4fa0', '#2e933c', '#e07a1f', '#66717e'];
  const charts = [
    { id: 'open', title: 'Connections open', lines: p => ({ open: p.open }), fmt: n => n.toFixed(0) },
    { id: 'accepted', title: 'Accepted / s', lines: p => ({ accepted: p.accepted }), fmt: n => n.toFixed(1) },
    { id: 'requests', title: 'Requests / s', lines: p => (p.requests == null ? {} : { requests: p.requests }), fmt: n => n.toFixed(1) },
    { id: 'bytes', title: 'Bytes / s', lines: p => ({ in: p.in, out: p.out }), fmt: bytes },
    { id: 'busy', title: 'Busy (share of a core)', lines: p => p.busy, fmt: n => (100 * n).toFixed(0) + ' %' },
  ];
  const points = [];
  const main = document.getElementById('charts'), status = document.getElementById('status');
  let attempt = 0;

  for (const c of charts) {
    const fig = document.createElement('figure');
    fig.id = 'chart-' + c.id;
    const cap = document.createElement('figcaption');
    const title = document.createElement('span');
    title.textContent = c.title;
    c.value = document.createElement('output');
    c.value.id = 'value-' + c.id;
    c.value.textContent = '–';
    cap.append(title, c.value);
    c.canvas = document.createElement('canvas');
    c.canvas.setAttribute('role', 'img');
    c.canvas.setAttribute('aria-label', c.title + ' over the last two minutes');
    c.legend = document.createElement('ul');
    c.legend.className = 'legend';
    fig.append(cap, c.canvas, c.legend);
    main.append(fig);
  }

  function bytes(n) {
    const units = ['B', 'KB', 'MB', 'GB'];
    let i = 0;
    while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
    return n.toFixed(i ? 1 : 0) + ' ' + units[i];
  }

  function connect() {
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/dashboard/ws');
    ws.onopen = () => { attempt = 0; status.textContent = 'Live'; };
    ws.onmessage = e => {
      const m = JSON.parse(e.data);
      if (m.type === 'history') { points.length = 0; points.push(...m.points); }
      else if (m.type === 'point') { points.push(m.point); if (points.length > MAX_POINTS) points.shift(); }
      const last = points[points.length - 1];
      if (last) status.textContent = 'Live · model ' + last.model + ' · ' + new Date(last.t).toLocaleTimeString();
      draw();
    };
    ws.onclose = () => {
      const wait = Math.min(30000, 1000 * 2 ** attempt++);
      status.textContent = 'Disconnected; reconnecting in ' + Math.round(wait / 1000) + ' s…';
      setTimeout(connect, wait);
    };
  }

  function draw() {
    const css = getComputedStyle(document.documentElement);
    for (const c of charts) {
      const series = new Map();
      points.forEach((p, i) => {
        for (const [name, v] of Object.entries(c.lines(p) || {})) {
          if (!series.has(name)) series.set(name, []);
          series.get(name).push([i, v]);
        }
      });
      const names = [...series.keys()].sort((a, b) => (a === 'process') - (b === 'process') || a.localeCompare(b));
      const last = points[points.length - 1];
      const now = last ? c.lines(last) || {} : {};
      const shown = names.filter(n => n in now);
      c.value.textContent = shown.length === 0 ? (c.id === 'requests' ? 'not counted' : c.id === 'busy' ? 'no loops' : '–')
        : shown.length === 1 ? c.fmt(now[shown[0]]) : c.fmt(Math.max(...shown.map(n => now[n])));
      const canvas = c.canvas, dpr = window.devicePixelRatio || 1;
      const w = canvas.clientWidth, h = canvas.clientHeight;
      if (canvas.width !== w * dpr) { canvas.width = w * dpr; canvas.height = h * dpr; }
      const g = canvas.getContext('2d');
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.clearRect(0, 0, w, h);
      let max = 0;
      for (const s of series.values()) for (const [, v] of s) max = Math.max(max, v);
      max = niceMax(max);
      g.strokeStyle = css.getPropertyValue('--grid');
      g.fillStyle = css.getPropertyValue('--muted');
      g.font = '11px system-ui, sans-serif';
      g.lineWidth = 1;
      for (const f of [0, 0.5, 1]) {
        const y = Math.round(h - 14 - f * (h - 24)) + 0.5;
        g.beginPath(); g.moveTo(0, y); g.lineTo(w, y); g.stroke();
        if (f > 0) g.fillText(c.fmt(max * f), 2, y - 2);
      }
      names.forEach((name, k) => {
        g.strokeStyle = COLORS[k % COLORS.length];
        g.lineWidth = 2;
        g.beginPath();
        for (const [i, v] of series.get(name)) {
          const x = (i + MAX_POINTS - points.length) / (MAX_POINTS - 1) * w;
          const y = h - 14 - (max ? v / max : 0) * (h - 24);
          i === series.get(name)[0][0] ? g.moveTo(x, y) : g.lineTo(x, y);
        }
        g.stroke();
      });
      c.legend.replaceChildren(...(names.length > 1 ? names : []).map((n, k) => {
        const li = document.createElement('li'), sw = document.createElement('span');
        sw.style.background = COLORS[k % COLORS.length];
        li.append(sw, n + (n in now ? ' ' + c.fmt(now[n]) : ''));
        return li;
      }));
      c.canvas.dataset.points = String(points.length);
    }
  }

  function niceMax(v) {
    if (v <= 0) return 1;
    const p = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  window.addEventListener('resize', draw);
  connect();
})();
