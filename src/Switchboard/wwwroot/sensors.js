// /sensors: one live uPlot line chart per sensor channel under sensors.>. A reading's data is a number or
// { value, unit?, ts? } (ts in unix ms; the publication's time otherwise).
import { SwitchboardClient } from '/js/switchboard/index.js';
import { bindIndicator, endpoint } from '/indicator.js';

const keep = 300; // Points per chart.
const $ = (id) => document.getElementById(id);
const client = new SwitchboardClient(endpoint());
bindIndicator(client, $('indicator'));
const sensors = new Map(); // channel -> { xs, ys, chart, card, value }

function reading(data, publication) {
  const value = typeof data === 'number' ? data : Number(data?.value);
  if (!Number.isFinite(value)) return null;
  const ts = Number(data?.ts ?? publication.ts ?? Date.now());
  return { x: ts / 1000, y: value, unit: typeof data?.unit === 'string' ? data.unit : '' };
}

function sensorFor(channel, unit) {
  let sensor = sensors.get(channel);
  if (sensor) return sensor;
  $('empty').hidden = true;
  const card = document.createElement('section');
  card.className = 'card sensor';
  card.dataset.channel = channel;
  const title = document.createElement('h2');
  const name = document.createElement('span');
  name.textContent = channel.replace(/^sensors\./, '');
  const value = document.createElement('span');
  value.className = 'value';
  title.append(name, value);
  const plot = document.createElement('div');
  card.append(title, plot);
  $('charts').append(card);
  sensor = { xs: [], ys: [], card, value, unit };
  const options = {
    width: Math.max(280, plot.clientWidth || 340),
    height: 180,
    legend: { show: false },
    scales: { x: { time: true } },
    series: [{}, { label: channel, stroke: '#1a56db', width: 2, fill: 'rgba(26,86,219,.08)' }],
    axes: [{}, { size: 50 }],
  };
  sensor.chart = new uPlot(options, [sensor.xs, sensor.ys], plot);
  sensors.set(channel, sensor);
  // Backfill from history so a chart opened late starts with what was published before.
  client.history(channel, { limit: keep }).then((history) => {
    for (const p of history.publications) add(channel, p.data, p, true);
    redraw(sensor);
  }).catch(() => {});
  return sensor;
}

function add(channel, data, publication, quiet = false) {
  const point = reading(data, publication);
  if (!point) return;
  const sensor = sensorFor(channel, point.unit);
  sensor.offsets ??= new Set();
  const key = `${publication.epoch}:${publication.offset}`;
  if (sensor.offsets.has(key)) return; // History and live delivery overlap when a chart is created.
  sensor.offsets.add(key);
  // Insert in time order: backfilled history arrives after the first live point.
  let i = sensor.xs.length;
  while (i > 0 && sensor.xs[i - 1] > point.x) i--;
  sensor.xs.splice(i, 0, point.x);
  sensor.ys.splice(i, 0, point.y);
  if (sensor.xs.length > keep) {
    sensor.xs.splice(0, sensor.xs.length - keep);
    sensor.ys.splice(0, sensor.ys.length - keep);
  }
  sensor.unit ||= point.unit;
  if (!quiet) redraw(sensor);
}

function redraw(sensor) {
  sensor.chart.setData([sensor.xs, sensor.ys]);
  const last = sensor.ys.at(-1);
  sensor.value.textContent = last === undefined ? '' : `${Number(last.toFixed(2))} ${sensor.unit}`;
  sensor.card.dataset.points = String(sensor.xs.length);
}

const subscription = client.subscribe('sensors.>');
subscription.on('message', (data, publication) => add(publication.channel, data, publication));
client.connect().catch(() => {});
