// Compiled (not run) by types.test.js with tsc --noEmit: the package's .d.ts files describe the API the docs show.
declare const WebSocket: unknown; // npm's ws in Node; any constructor is accepted.
import { SwitchboardClient, CommandError, TimeoutError, JsonSocket, backoffDelay, type Publication, type StateEvent } from '@switchboard/client';
import { ReadyState, SwitchboardProvider, useChannel, useJsonSocket, usePresence, useSwitchboard } from '@switchboard/client/react';

interface Chat { text: string }

export async function node(): Promise<number> {
  const client = new SwitchboardClient('ws://localhost:8000/ws', { WebSocket, token: async () => null, offlineBufferOverflow: 'drop-oldest' });
  client.on('state', (e: StateEvent) => console.log(e.state, e.retryIn));
  await client.connect();
  const sub = client.subscribe<Chat>('chat.general', { presence: true });
  sub.on('message', (data: Chat, p: Publication<Chat>) => console.log(data.text, p.offset, p.followsGap));
  sub.on('join', (member) => console.log(member.client, member.user));
  sub.on('subscribed', (e) => console.log(e.recovered, e.missed));
  await sub.ready();
  const offset: number = await client.publish('chat.general', { text: 'hi' }, { key: 'k1', timeout: 500 });
  const history = await client.history<Chat>('chat.general', { limit: 10 });
  const first: string | undefined = history.publications[0]?.data.text;
  const members = await client.presence('chat.general');
  const time = await client.rpc<number>('time');
  try {
    await client.rpc('nope');
  } catch (error) {
    if (error instanceof CommandError) console.log(error.code);
    if (error instanceof TimeoutError) console.log('timed out');
  }
  // @ts-expect-error: publish resolves with the offset, a number
  const wrong: string = await client.publish('a', 1);
  client.close();
  return offset + time + members.length + backoffDelay(1, { minDelay: 500, maxDelay: 20000 }) + (first?.length ?? 0) + wrong.length;
}

export function Room({ channel }: { channel: string }) {
  const { client, state } = useSwitchboard();
  const { messages, error } = useChannel<Chat>(channel, { limit: 50 });
  return (
    <div title={state}>
      {error ? error.code : null}
      {messages.map((m, i) => <p key={i}>{m.text}</p>)}
      <button onClick={() => client.publish(channel, { text: 'hi' })}>hi</button>
    </div>
  );
}

export const App = () => (
  <SwitchboardProvider url="ws://localhost:8000/ws">
    <Room channel="chat.general" />
  </SwitchboardProvider>
);

interface Reading { type: 'reading'; sensor_id: string; value: number }

export function jsonSocket(): JsonSocket<Reading> {
  const socket = new JsonSocket<Reading>('ws://localhost:8000/ws/sensors', {
    WebSocket,
    heartbeat: { message: { type: 'ping' }, returnMessage: 'pong', interval: 25000, timeout: 10000 },
    offlineBufferOverflow: 'drop-oldest',
    shouldReconnect: (close) => close.code !== 4000,
    onOpen: async ({ send, reconnected }) => { send({ type: 'subscribe', sensors: ['t1'], reconnected }); },
  });
  socket.on('message', (m) => console.log(m.sensor_id, m.value));
  socket.once('close', (c) => console.log(c.code, c.willReconnect));
  socket.on('overflow', (e) => console.log(e.policy));
  const sent: boolean = socket.send({ type: 'hello' });
  // @ts-expect-error: a state listener gets a StateEvent, not a number
  socket.once('state', (e: number) => console.log(e));
  const client = new SwitchboardClient('ws://localhost:8000/ws', { WebSocket });
  client.once('state', (e) => console.log(e.retryIn));
  // @ts-expect-error: 'message' listeners get (data, context), whose context is not a string
  client.off('message', (data: unknown, context: string) => console.log(data, context));
  console.log(sent, socket.readyState);
  return socket;
}

export function Sensors() {
  const { readyState, sendJsonMessage, lastJsonMessage } = useJsonSocket<Reading>('ws://localhost:8000/ws/sensors', {
    share: true,
    filter: (m) => m.type === 'reading',
    shouldReconnect: () => true,
    reconnectAttempts: 10,
  });
  const { clients } = usePresence('chat.general');
  const { messages, lastMessage, publish } = useChannel<Chat>('chat.general');
  return (
    <div title={readyState === ReadyState.OPEN ? 'open' : 'not open'}>
      {lastJsonMessage ? lastJsonMessage.value.toFixed(1) : null}
      {clients.map((c) => c.client).join(',')}
      {lastMessage?.text}{messages.length}
      <button onClick={() => sendJsonMessage({ type: 'subscribe', sensors: ['t1'] })}>subscribe</button>
      <button onClick={() => publish({ text: 'hi' })}>hi</button>
    </div>
  );
}
