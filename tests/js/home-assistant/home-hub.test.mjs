// Home Assistant's own JavaScript client, npm's home-assistant-js-websocket 9.1.0 (the library Home Assistant's frontend
// is built on, from the 2024.1 era), against samples/HomeHub. It is given npm's ws as the WebSocket it expects of a
// browser, recording every frame. After auth_ok it sends supported_features (coalesce_messages) by itself; its
// collections send subscribe_entities, get_config and get_services, and it applies the compressed diffs itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import {
  callService, createConnection, createLongLivedTokenAuth, getStates, subscribeConfig, subscribeEntities, subscribeServices,
} from 'home-assistant-js-websocket';

const { startSample } = createRequire(import.meta.url)('../samples/harness.js');
const token = 'frontend-test-token';
const frames = [];
const sent = [];
globalThis.WebSocket = class RecordingWebSocket extends WebSocket {
  constructor(url) {
    super(url);
    this.addEventListener('message', (event) => frames.push(JSON.parse(event.data)));
  }

  send(data, ...rest) {
    sent.push(JSON.parse(data));
    return super.send(data, ...rest);
  }
};

let sample;
let connection;
before(async () => {
  sample = await startSample('HomeHub', [`--HomeHub:AccessToken=${token}`]);
  connection = await createConnection({ auth: createLongLivedTokenAuth(sample.url, token) });
});
after(async () => { connection?.close(); await sample?.stop(); });

/** Resolves with the first value a subscribe* callback is given that satisfies `match`. */
function next(subscribe, match, what, timeout = 15000) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    const timer = setTimeout(() => { unsubscribe?.(); reject(new Error(`no ${what} within ${timeout} ms`)); }, timeout);
    unsubscribe = subscribe(connection, (value) => {
      if (!match(value)) return;
      clearTimeout(timer);
      queueMicrotask(() => unsubscribe());
      resolve(value);
    });
  });
}

// What the client rebuilt must be what get_states says: the same entities, states, attributes and contexts, and the
// same times, to the millisecond the client keeps (its Date of lc * 1000 may round the last one either way).
async function assertAgreesWithGetStates(entities) {
  const states = Object.fromEntries((await getStates(connection)).map((s) => [s.entity_id, s]));
  const times = (s) => [new Date(s.last_changed).getTime(), new Date(s.last_updated).getTime()];
  const timeless = (all) => Object.fromEntries(Object.values(all).map(({ last_changed, last_updated, ...rest }) => [rest.entity_id, rest]));
  assert.deepEqual(timeless(entities), timeless(states));
  for (const [id, state] of Object.entries(states)) {
    const [expected, rebuilt] = [times(state), times(entities[id])];
    assert.ok(expected.every((t, i) => Math.abs(t - rebuilt[i]) <= 1), `${id}: times ${rebuilt} vs get_states ${expected}`);
  }
}

test('the client authenticates, learns ha_version 2024.1.0 and asks for coalesced messages', async () => {
  assert.equal(connection.haVersion, '2024.1.0');
  await getStates(connection); // A round trip: the answer to supported_features, sent first, has arrived by its end.
  assert.equal(sent[0].type, 'auth');
  assert.deepEqual(sent[1], { type: 'supported_features', id: 1, features: { coalesce_messages: 1 } });
  assert.ok(frames.some((f) => f.id === 1 && f.type === 'result' && f.success), 'supported_features was not answered with success');
});

test('subscribeEntities gets the home from subscribe_entities, in a coalesced frame, and follows a service call', async () => {
  const first = await next(subscribeEntities, (e) => e['light.kitchen'], 'entities');
  assert.equal(first['light.kitchen'].state, 'off');
  assert.equal(first['sensor.living_room_temperature'].attributes.unit_of_measurement, '°C');
  await assertAgreesWithGetStates(first);
  assert.ok(frames.some((f) => Array.isArray(f) && f.length === 2 && f[0].type === 'result' && f[1].type === 'event' && f[1].event.a),
    `subscribe_entities' result and first states were not one coalesced frame: ${JSON.stringify(frames)}`);

  const changed = next(subscribeEntities, (e) => e['light.kitchen']?.state === 'on', 'light.kitchen on');
  await callService(connection, 'light', 'turn_on', { brightness: 200 }, { entity_id: 'light.kitchen' });
  const entities = await changed;
  assert.equal(entities['light.kitchen'].attributes.brightness, 200);
  await assertAgreesWithGetStates(entities);
});

test('entities added, changed with an attribute dropped and removed through the REST API reach the client', async () => {
  const post = (body) => fetch(`${sample.url}/api/states/sensor.hall_temperature`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const added = next(subscribeEntities, (e) => e['sensor.hall_temperature'], 'the added entity');
  assert.equal((await post({ state: '19.5', attributes: { friendly_name: 'Hall', unit_of_measurement: '°C' } })).status, 201);
  assert.equal((await added)['sensor.hall_temperature'].attributes.friendly_name, 'Hall');

  const dropped = next(subscribeEntities, (e) => e['sensor.hall_temperature']?.state === '20', 'the change');
  assert.equal((await post({ state: '20', attributes: { unit_of_measurement: '°C' } })).status, 200);
  const entities = await dropped;
  assert.deepEqual(entities['sensor.hall_temperature'].attributes, { unit_of_measurement: '°C' });
  await assertAgreesWithGetStates(entities);

  const removed = next(subscribeEntities, (e) => !e['sensor.hall_temperature'], 'the removal');
  const response = await fetch(`${sample.url}/api/states/sensor.hall_temperature`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual(await response.json(), { message: 'Entity removed.' });
  await assertAgreesWithGetStates(await removed);
});

test('subscribeConfig and subscribeServices get the configuration and the services', async () => {
  const config = await next(subscribeConfig, () => true, 'the config');
  assert.equal(config.version, '2024.1.0');
  assert.equal(config.unit_system.temperature, '°C');
  assert.equal(config.state, 'RUNNING');
  const services = await next(subscribeServices, () => true, 'the services');
  assert.deepEqual(Object.keys(services).sort(), ['homeassistant', 'light', 'switch']);
  assert.ok(services.light.turn_on.fields.brightness);
});
