// Compiled (not run) by types.test.js with tsc --noEmit: the package's .d.ts files describe the API the docs show.
declare const WebSocket: unknown; // npm's ws in Node; any constructor is accepted.
import { SwitchboardClient, CommandError, TimeoutError, backoffDelay, type Publication, type StateEvent } from '@switchboard/client';
import { SwitchboardProvider, useChannel, useSwitchboard } from '@switchboard/client/react';

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
