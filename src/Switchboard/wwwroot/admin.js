// /admin: the node's stats from the HTTP API (info, channels), polled every second, with live rate charts.
// Served only outside Production; every number needs the API key, which the login form keeps in sessionStorage.
const $ = (id) => document.getElementById(id);
const storageKey = 'switchboard.admin.key';
const window_ = 120; // Seconds of rates kept on the charts.
const closeMeanings = {
  1000: 'normal', 1001: 'going away (drain)', 1003: 'binary frame', 1006: 'no close frame (reset)', 1007: 'invalid UTF-8',
  1008: 'authentication failed', 1009: 'message too big', 1011: 'server error', 1013: 'try again later',
  4001: 'token expired', 4002: 'heartbeat timeout', 4003: 'slow consumer', 4004: 'rate limit abuse', 4005: 'kicked',
};

let timer = null;
let previous = null;
const series = { t: [], in: [], out: [] };
let inChart = null;
let outChart = null;

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(endpoint, key, body = {}) {
  const response = await fetch(`/api/${endpoint}`, {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status === 404) throw new ApiError(404, 'The HTTP API is off on this server: start it with --Switchboard:HttpApi:Key=<key>.');
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, json.error?.message ?? `HTTP ${response.status}`);
  return json;
}

function chart(element, label, color) {
  return new uPlot({
    width: Math.max(280, element.clientWidth || 400),
    height: 180,
    legend: { show: false },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    series: [{}, { label, stroke: color, width: 2, fill: `${color}22` }],
    axes: [{}, { size: 50 }],
  }, [series.t, series[label]], element);
}

function setLive(state, text) {
  $('live').className = `indicator ${state}`;
  $('live').dataset.state = state;
  $('live').textContent = text;
}

async function poll(key) {
  try {
    const [info, channels] = await Promise.all([api('info', key), api('channels', key)]);
    render(info, channels.channels);
    setLive('connected', 'live');
  } catch (error) {
    if (error.status === 401) {
      signOut('The key was refused.');
      return;
    }
    setLive('reconnecting', `retrying: ${error.message}`);
  }
}

function render(info, channels) {
  $('node').textContent = info.node;
  $('connections').textContent = info.connections;
  $('channelCount').textContent = info.channels;
  $('subscriptions').textContent = info.subscriptions;
  $('uptime').textContent = `${info.uptime} s`;
  $('draining').textContent = info.draining ? 'draining' : 'serving';

  const now = Date.now() / 1000;
  if (previous) {
    const seconds = Math.max(0.001, now - previous.t);
    series.t.push(now);
    series.in.push(Math.max(0, (info.messagesIn - previous.in) / seconds));
    series.out.push(Math.max(0, (info.messagesOut - previous.out) / seconds));
    while (series.t.length > window_) for (const s of Object.values(series)) s.shift();
    inChart.setData([series.t, series.in]);
    outChart.setData([series.t, series.out]);
    $('inChart').dataset.points = $('outChart').dataset.points = String(series.t.length);
  }
  previous = { t: now, in: info.messagesIn, out: info.messagesOut };

  $('channels').replaceChildren(...channels.sort((a, b) => b.subscribers - a.subscribers).map((c) => row(c.channel, c.subscribers)));
  $('closes').replaceChildren(...Object.entries(info.closes ?? {}).map(([code, count]) => row(code, closeMeanings[code] ?? '', count)));
  $('errors').replaceChildren(...(info.errors ?? []).slice().reverse().map((e) => row(new Date(e.ts).toLocaleTimeString(), e.command ?? '(server)', e.code)));
}

function row(...cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) tr.append(Object.assign(document.createElement('td'), { textContent: String(cell) }));
  return tr;
}

async function signIn(key) {
  $('loginError').textContent = '';
  try {
    await api('info', key);
  } catch (error) {
    signOut(error.status === 401 ? 'The key was refused.' : error.message);
    return;
  }
  sessionStorage.setItem(storageKey, key);
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('logout').hidden = false;
  inChart ??= chart($('inChart'), 'in', '#1a56db');
  outChart ??= chart($('outChart'), 'out', '#137333');
  await poll(key);
  timer = setInterval(() => poll(key), 1000);
}

function signOut(message = '') {
  clearInterval(timer);
  sessionStorage.removeItem(storageKey);
  previous = null;
  $('dashboard').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('loginError').textContent = message;
  setLive('disconnected', 'signed out');
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  signIn($('key').value);
});
$('logout').addEventListener('click', () => signOut());
const saved = sessionStorage.getItem(storageKey);
if (saved) signIn(saved);
