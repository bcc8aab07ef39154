// The Polis dashboard: plain ES module, no dependencies. Every API call goes to /dashboard/api/..., which
// polisd forwards to its own router after checking the token and an allowlist.
const API = '/dashboard/api';
const HISTORY = 60;

/** Builds an element; children are nodes or text (never parsed as HTML, so names cannot inject markup). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== undefined && c !== null) el.append(c instanceof Node ? c : String(c));
  return el;
}

async function api(path, init = {}) {
  const res = await fetch(API + path, {
    ...init,
    headers: { 'X-Polis-Dashboard': '1', ...(init.headers ?? {}) },
    credentials: 'same-origin',
  });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = (await res.json()).message ?? message;
    } catch {
      // not JSON
    }
    const err = new Error(message);
    err.status = res.status;
    throw err;
  }
  const type = res.headers.get('content-type') ?? '';
  return type.includes('json') ? res.json() : res.text();
}

/** Reads a streaming response, calling `onChunk` with each piece of bytes until it ends or is aborted. */
async function stream(path, signal, onChunk) {
  const res = await fetch(API + path, { signal, headers: { 'X-Polis-Dashboard': '1' } });
  if (!res.ok || !res.body) throw new Error(`${path}: ${res.status}`);
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onChunk(value);
  }
}

/** JSON lines (events, stats). */
function streamJson(path, signal, onValue) {
  const decoder = new TextDecoder();
  let buf = '';
  return stream(path, signal, (bytes) => {
    buf += decoder.decode(bytes, { stream: true });
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) onValue(JSON.parse(line));
    }
  });
}

/** Docker's log stream: raw for a TTY, else 8-byte frame headers (stream, 0, 0, 0, size32be) before each piece. */
function logDemuxer(tty, onText) {
  const decoders = [new TextDecoder(), new TextDecoder(), new TextDecoder()];
  let pending = new Uint8Array(0);
  return (bytes) => {
    if (tty) return onText(decoders[1].decode(bytes, { stream: true }), 1);
    const all = new Uint8Array(pending.length + bytes.length);
    all.set(pending);
    all.set(bytes, pending.length);
    let at = 0;
    while (all.length - at >= 8) {
      const kind = all[at];
      const size = new DataView(all.buffer, all.byteOffset + at + 4, 4).getUint32(0);
      if (all.length - at - 8 < size) break;
      onText(
        (decoders[kind] ?? decoders[1]).decode(all.subarray(at + 8, at + 8 + size), { stream: true }),
        kind,
      );
      at += 8 + size;
    }
    pending = all.slice(at);
  };
}

const state = {
  containers: [],
  stats: new Map(), // id -> { cpu: number[], mem: number[], memLimit, prev }
  events: [],
  health: undefined,
  alerts: undefined, // undefined: not asked yet; null: not configured
  view: undefined, // { name, cleanup }
};

function say(text) {
  document.getElementById('status').textContent = text;
}

function fmtBytes(n) {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

function nameOf(c) {
  return (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
}

function spark(values, max, label) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', `0 0 ${HISTORY} 20`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const top = Math.max(max, ...values, 1e-9);
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute(
    'points',
    values.map((v, i) => `${i + HISTORY - values.length},${(20 - (v / top) * 19).toFixed(2)}`).join(' '),
  );
  svg.append(line);
  return svg;
}

/**
 * Stats by polling one-shot samples every 2 s, a few at a time, rather than one stream per container:
 * a browser keeps at most 6 connections to a host, and the event and log streams already hold two.
 * CPU % is the change between this page's own consecutive samples, as docker's CLI computes it.
 */
async function sample(id) {
  let s;
  try {
    s = await api(`/containers/${id}/stats?stream=false&one-shot=true`);
  } catch {
    return;
  }
  const entry = state.stats.get(id) ?? { cpu: [], mem: [], memLimit: 0, prev: undefined };
  state.stats.set(id, entry);
  const cpu = s.cpu_stats?.cpu_usage?.total_usage ?? 0;
  const sys = s.cpu_stats?.system_cpu_usage ?? 0;
  const n = s.cpu_stats?.online_cpus || 1;
  if (entry.prev) {
    const dc = cpu - entry.prev.cpu;
    const ds = sys - entry.prev.sys;
    entry.cpu = [...entry.cpu, ds > 0 && dc >= 0 ? (dc / ds) * n * 100 : 0].slice(-HISTORY);
  }
  entry.prev = { cpu, sys };
  entry.mem = [...entry.mem, s.memory_stats?.usage ?? 0].slice(-HISTORY);
  entry.memLimit = s.memory_stats?.limit ?? 0;
  state.view?.onStats?.(id);
}

let sampling = false;

async function pollStats() {
  if (sampling) return;
  sampling = true;
  try {
    const running = state.containers.filter((c) => c.State === 'running').map((c) => c.Id);
    for (const id of state.stats.keys()) if (!running.includes(id)) state.stats.delete(id);
    for (let i = 0; i < running.length; i += 3) await Promise.all(running.slice(i, i + 3).map(sample));
  } finally {
    sampling = false;
  }
}

async function refreshContainers() {
  state.containers = await api('/containers/json?all=1');
  void pollStats();
}

// ---- views -------------------------------------------------------------------------------------------

function table(headers, rows, caption) {
  return h(
    'table',
    { class: 'wide' },
    h('caption', { class: 'muted' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length === 0
        ? h('tr', {}, h('td', { colspan: headers.length }, 'None.'))
        : rows.map((r) =>
            h(
              'tr',
              {},
              r.map((cell, i) => h('td', { 'data-label': headers[i] }, cell)),
            ),
          ),
    ),
  );
}

async function overview(main) {
  const [health, alerts] = await Promise.all([api('/polis/v1/health').catch(() => undefined), loadAlerts()]);
  const resources = h('div', { class: 'cards' });
  // Stats ticks redraw only these two cards, not the page (focus and screen readers stay put).
  const renderResources = () => {
    let cpu = 0;
    let mem = 0;
    for (const s of state.stats.values()) {
      cpu += s.cpu.at(-1) ?? 0;
      mem += s.mem.at(-1) ?? 0;
    }
    resources.replaceChildren(
      h('div', { class: 'card' }, h('div', { class: 'big' }, `${cpu.toFixed(1)} %`), 'CPU'),
      h('div', { class: 'card' }, h('div', { class: 'big' }, fmtBytes(mem)), 'memory'),
    );
  };
  const render = () => {
    const byState = {};
    for (const c of state.containers) byState[c.State] = (byState[c.State] ?? 0) + 1;
    renderResources();
    main.replaceChildren(
      h('h2', {}, 'Overview'),
      h(
        'section',
        { 'aria-labelledby': 'h-containers' },
        h('h3', { id: 'h-containers' }, 'Containers'),
        h(
          'div',
          { class: 'cards', 'aria-live': 'polite', id: 'container-counts' },
          h('div', { class: 'card' }, h('div', { class: 'big' }, String(state.containers.length)), 'total'),
          Object.entries(byState).map(([s, n]) =>
            h('div', { class: 'card' }, h('div', { class: `big ${s}` }, String(n)), s),
          ),
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'h-resources' },
        h('h3', { id: 'h-resources' }, 'Resources (running containers)'),
        resources,
      ),
      h(
        'section',
        { 'aria-labelledby': 'h-health' },
        h('h3', { id: 'h-health' }, 'Component health'),
        health
          ? h(
              'div',
              {},
              h('p', {}, 'polisd: ', h('strong', { class: health.status }, health.status)),
              table(
                ['Component', 'Status'],
                (health.components ?? []).map((c) => [
                  c.component ?? c.name,
                  h('span', { class: c.status }, c.status),
                ]),
                'Verdict per component',
              ),
            )
          : h('p', {}, 'Health report unavailable.'),
      ),
      h(
        'section',
        { 'aria-labelledby': 'h-alerts' },
        h('h3', { id: 'h-alerts' }, 'Active alerts'),
        alertsBlock(alerts, false),
      ),
    );
  };
  render();
  return { onContainers: render, onStats: throttle(renderResources, 1000) };
}

function stateCell(c) {
  return h('span', { class: c.State }, c.Status || c.State);
}

async function containers(main) {
  const cells = new Map(); // id -> [cpu cell, memory cell]
  const fill = (c) => {
    const s = state.stats.get(c.Id);
    const [cpu, mem] = cells.get(c.Id);
    cpu.replaceChildren(s ? spark(s.cpu, 100, `CPU of ${nameOf(c)}`) : '–');
    mem.replaceChildren(
      s
        ? h('span', {}, spark(s.mem, s.memLimit, `memory of ${nameOf(c)}`), ' ', fmtBytes(s.mem.at(-1)))
        : '–',
    );
  };
  const rows = () =>
    state.containers.map((c) => {
      cells.set(c.Id, [h('span'), h('span')]);
      fill(c);
      return [
        h('a', { href: `#/containers/${c.Id}` }, nameOf(c)),
        c.Image,
        stateCell(c),
        ...cells.get(c.Id),
        actions(c),
      ];
    });
  const render = () =>
    keepFocus(main, () =>
      main.replaceChildren(
        h('h2', {}, 'Containers'),
        table(
          ['Name', 'Image', 'State', 'CPU', 'Memory', 'Actions'],
          rows(),
          `${state.containers.length} containers`,
        ),
      ),
    );
  render();
  const onStats = (id) => {
    const c = state.containers.find((x) => x.Id === id);
    if (c && cells.has(id)) fill(c);
  };
  return { onContainers: render, onStats };
}

/** Redraws, then puts focus back on the control with the same label (a Stop button becomes Start). */
function keepFocus(main, redraw) {
  const active = document.activeElement;
  const dropped = (!active || active === document.body) && state.lastAction;
  const label = dropped ? state.lastAction : active?.getAttribute?.('aria-label');
  const inside = dropped || main.contains(active);
  redraw();
  if (!inside || !label) return;
  const name = label.replace(/^\S+ /, '');
  const same = [...main.querySelectorAll('[aria-label]')];
  const target =
    same.find((el) => el.getAttribute('aria-label') === label) ??
    same.find((el) => el.tagName === 'BUTTON' && el.getAttribute('aria-label').endsWith(` ${name}`));
  if (!target) return;
  target.focus();
  state.lastAction = undefined;
}

function throttle(fn, ms) {
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last >= ms) {
      last = now;
      fn();
    }
  };
}

function actions(c) {
  const name = nameOf(c);
  const running = c.State === 'running' || c.State === 'restarting' || c.State === 'paused';
  const act = (label, method, path, confirmText) =>
    h(
      'button',
      {
        type: 'button',
        'aria-label': `${label} ${name}`,
        onclick: async (ev) => {
          if (confirmText && !window.confirm(confirmText)) return;
          // Disabling drops focus to <body>; the next redraw puts it back on this container's buttons.
          state.lastAction = ev.currentTarget.getAttribute('aria-label');
          ev.currentTarget.disabled = true;
          say(`${label} ${name}…`);
          try {
            await api(path, { method });
            say(`${label} ${name}: done`);
          } catch (err) {
            say(`${label} ${name} failed: ${err.message}`);
          }
          await refreshContainers().catch(() => undefined);
          state.view?.onContainers?.();
        },
      },
      label,
    );
  return h(
    'div',
    {},
    running ? undefined : act('Start', 'POST', `/containers/${c.Id}/start`),
    running ? act('Stop', 'POST', `/containers/${c.Id}/stop`) : undefined,
    act('Restart', 'POST', `/containers/${c.Id}/restart`),
    act('Remove', 'DELETE', `/containers/${c.Id}?force=1`, `Remove ${name}? This cannot be undone.`),
  );
}

async function container(main, id) {
  const abort = new AbortController();
  const logBox = h('div', {
    class: 'log',
    role: 'log',
    'aria-live': 'polite',
    'aria-label': 'container logs',
    id: 'logs',
  });
  const statsBox = h('div', { class: 'cards' });
  const top = h('div');
  const healthBox = h('div');
  const inspectBox = h('pre', { tabindex: '0', 'aria-label': 'inspect JSON' });
  let info;
  const renderTop = () => {
    const c = state.containers.find((x) => x.Id === info.Id) ?? {
      Id: info.Id,
      Names: [info.Name],
      State: info.State.Status,
      Status: info.State.Status,
    };
    keepFocus(top, () =>
      top.replaceChildren(h('p', {}, 'State: ', stateCell(c), ' · image ', info.Config.Image), actions(c)),
    );
  };
  const renderStats = () => {
    const s = state.stats.get(info.Id);
    statsBox.replaceChildren(
      h(
        'div',
        { class: 'card' },
        h('h3', {}, 'CPU'),
        s ? spark(s.cpu, 100, 'CPU history') : '–',
        ' ',
        s ? `${(s.cpu.at(-1) ?? 0).toFixed(1)} %` : 'not running',
      ),
      h(
        'div',
        { class: 'card' },
        h('h3', {}, 'Memory'),
        s ? spark(s.mem, s.memLimit, 'memory history') : '–',
        ' ',
        s ? fmtBytes(s.mem.at(-1)) : 'not running',
      ),
    );
  };
  const load = async () => {
    info = await api(`/containers/${id}/json`);
    inspectBox.textContent = JSON.stringify(info, null, 2);
    const log = info.State.Health?.Log ?? [];
    healthBox.replaceChildren(
      info.State.Health
        ? table(
            ['Start', 'Exit code', 'Output'],
            log.map((l) => [l.Start, String(l.ExitCode), l.Output]),
            `Health: ${info.State.Health.Status}`,
          )
        : h('p', { class: 'muted' }, 'No health check configured.'),
    );
    renderTop();
    renderStats();
  };
  await load();
  main.replaceChildren(
    h('h2', {}, info.Name.replace(/^\//, '')),
    h('p', { class: 'muted' }, info.Id),
    top,
    h('section', { 'aria-labelledby': 'h-stats' }, h('h3', { id: 'h-stats' }, 'Resources'), statsBox),
    h('section', { 'aria-labelledby': 'h-logs' }, h('h3', { id: 'h-logs' }, 'Logs (following)'), logBox),
    h('section', { 'aria-labelledby': 'h-health' }, h('h3', { id: 'h-health' }, 'Health history'), healthBox),
    h('section', { 'aria-labelledby': 'h-inspect' }, h('h3', { id: 'h-inspect' }, 'Inspect'), inspectBox),
  );
  const followLogs = () => {
    const demux = logDemuxer(info.Config.Tty, (text, kind) => {
      const atEnd = logBox.scrollTop + logBox.clientHeight >= logBox.scrollHeight - 4;
      logBox.append(kind === 2 ? h('span', { class: 'stderr' }, text) : text);
      if (atEnd) logBox.scrollTop = logBox.scrollHeight;
    });
    stream(`/containers/${id}/logs?follow=1&stdout=1&stderr=1&tail=500`, abort.signal, demux).catch(
      () => undefined,
    );
  };
  followLogs();
  return {
    onContainers: () => {
      void load().catch(() => undefined);
    },
    onStats: (sid) => {
      if (sid === info.Id) renderStats();
    },
    cleanup: () => abort.abort(),
  };
}

async function images(main) {
  const list = await api('/images/json');
  main.replaceChildren(
    h('h2', {}, 'Images'),
    table(
      ['Tags', 'ID', 'Size', 'Created'],
      list.map((i) => [
        (i.RepoTags ?? []).join(', ') || '<none>',
        i.Id.replace('sha256:', '').slice(0, 12),
        fmtBytes(i.Size),
        new Date(i.Created * 1000).toLocaleString(),
      ]),
      `${list.length} images`,
    ),
  );
}

async function networks(main) {
  const list = await api('/networks');
  main.replaceChildren(
    h('h2', {}, 'Networks'),
    table(
      ['Name', 'Driver', 'Subnet', 'ID'],
      list.map((n) => [
        n.Name,
        n.Driver,
        (n.IPAM?.Config ?? []).map((c) => c.Subnet).join(', '),
        n.Id.slice(0, 12),
      ]),
      `${list.length} networks`,
    ),
  );
}

async function volumes(main) {
  const body = await api('/volumes');
  const list = body.Volumes ?? [];
  main.replaceChildren(
    h('h2', {}, 'Volumes'),
    table(
      ['Name', 'Driver', 'Mountpoint'],
      list.map((v) => [v.Name, v.Driver, v.Mountpoint]),
      `${list.length} volumes`,
    ),
  );
}

function eventRow(e) {
  const time = new Date((e.timeNano ? e.timeNano / 1e6 : e.time * 1000) || Date.now()).toLocaleTimeString();
  const name = e.Actor?.Attributes?.name ?? e.Actor?.ID?.slice(0, 12) ?? '';
  return [time, e.Type, e.Action, name];
}

async function events(main) {
  const render = () =>
    main.replaceChildren(
      h('h2', {}, 'Live events'),
      h(
        'div',
        { 'aria-live': 'polite', 'aria-relevant': 'additions' },
        table(
          ['Time', 'Type', 'Action', 'Object'],
          state.events.slice().reverse().map(eventRow),
          'Newest first',
        ),
      ),
    );
  render();
  return { onEvent: render };
}

let features;

/** Alerts are optional: asked only when this polisd serves them (features.json), else null. */
async function loadAlerts() {
  features ??= await fetch('/dashboard/features.json')
    .then((r) => r.json())
    .catch(() => ({}));
  if (!features.alerts) return null;
  try {
    const [active, history] = await Promise.all([
      api('/polis/v1/alerts'),
      api('/polis/v1/alerts/history').catch(() => []),
    ]);
    // GET /polis/v1/alerts lists the rules, each with what fires now (`firing`: subject, since, message);
    // the history's rows are {time, rule, subject, kind: fired|resolved|delivered|failed, detail}.
    const rules = Array.isArray(active) ? active : [];
    return {
      rules: rules.length,
      active: rules.flatMap((r) =>
        (r.firing ?? []).map((f) => [r.name, shortSubject(f.subject), 'firing', f.message, f.since]),
      ),
      history: (Array.isArray(history) ? history : []).map((e) => [
        e.rule,
        shortSubject(e.subject),
        e.kind,
        e.detail,
        e.time,
      ]),
    };
  } catch {
    return null;
  }
}

/** A container subject is its 64-hex id: shown short, as everywhere else on the page. */
function shortSubject(subject) {
  return /^[0-9a-f]{64}$/.test(subject ?? '') ? subject.slice(0, 12) : (subject ?? '');
}

function alertsBlock(alerts, withHistory) {
  if (!alerts) return h('p', {}, 'Alerts are not configured on this daemon.');
  return h(
    'div',
    {},
    table(
      ['Rule', 'Subject', 'State', 'Message', 'Since'],
      alerts.active,
      `${alerts.active.length} active of ${alerts.rules} rules`,
    ),
    withHistory ? h('h3', {}, 'History') : undefined,
    withHistory
      ? table(['Rule', 'Subject', 'Event', 'Detail', 'Time'], alerts.history, 'Alert history')
      : undefined,
  );
}

async function alertsView(main) {
  let live = true;
  let timer;
  const render = async () => {
    const alerts = await loadAlerts();
    if (live) main.replaceChildren(h('h2', {}, 'Alerts'), alertsBlock(alerts, true));
  };
  await render();
  return {
    // A firing comes from a container's event (or is one, Type "alert"): look again once the burst is over.
    onEvent() {
      const e = state.events.at(-1);
      if (e?.Type !== 'alert' && e?.Type !== 'container') return;
      clearTimeout(timer);
      timer = setTimeout(() => void render().catch(() => undefined), 300);
    },
    cleanup() {
      live = false;
      clearTimeout(timer);
    },
  };
}

// ---- routing and live updates ------------------------------------------------------------------------

const VIEWS = { overview, containers, images, networks, volumes, events, alerts: alertsView };

async function route() {
  const main = document.getElementById('main');
  const [, name = 'overview', arg] = (location.hash || '#/overview').split('/');
  state.view?.cleanup?.();
  state.view = undefined;
  for (const a of document.querySelectorAll('nav a')) {
    if (a.getAttribute('href') === `#/${name}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  try {
    const view =
      name === 'containers' && arg
        ? await container(main, decodeURIComponent(arg))
        : await (VIEWS[name] ?? overview)(main);
    state.view = view ?? {};
    document.title = `Polis · ${main.querySelector('h2')?.textContent ?? name}`;
  } catch (err) {
    main.replaceChildren(h('h2', {}, 'Error'), h('p', { role: 'alert' }, err.message));
  }
}

function followEvents() {
  const abort = new AbortController();
  const refresh = throttle(async () => {
    await refreshContainers().catch(() => undefined);
    state.view?.onContainers?.();
  }, 250);
  let queued;
  streamJson('/events', abort.signal, (e) => {
    state.events = [...state.events, e].slice(-200);
    state.view?.onEvent?.();
    if (e.Type === 'container') {
      refresh();
      // A burst of events may fall inside the throttle window: look once more after it.
      clearTimeout(queued);
      queued = setTimeout(refresh, 300);
    }
  })
    .catch((err) => say(`event stream ended: ${err.message}`))
    .finally(() => setTimeout(followEvents, 2000));
}

async function start() {
  try {
    await refreshContainers();
  } catch (err) {
    say(`cannot reach polisd: ${err.message}`);
  }
  window.addEventListener('hashchange', () => void route());
  await route();
  followEvents();
  setInterval(() => void pollStats(), 2000);
  // Events say when a state changes; this keeps the "Up 5 minutes" wording current between them.
  setInterval(async () => {
    await refreshContainers().catch(() => undefined);
    state.view?.onContainers?.();
  }, 30_000);
}

void start();
