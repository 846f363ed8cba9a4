// /chat: rooms (channels chat.<room>), history on join, live members from presence, a connection indicator.
import { SwitchboardClient } from '/js/switchboard/index.js';
import { bindIndicator, endpoint } from '/indicator.js';

const $ = (id) => document.getElementById(id);
const client = new SwitchboardClient(endpoint());
bindIndicator(client, $('indicator'));
window.switchboard = client; // For the browser's console (and the tests): the page's client.

const rooms = new Map(); // room -> { subscription, messages: Map<key, publication>, members: Map<client, user> }
const names = new Map(); // client id -> the name it chats under (learned from its messages)
let current = null;

$('name').value = localStorage.getItem('switchboard.chat.name') || `guest-${Math.floor(Math.random() * 9000 + 1000)}`;
$('name').addEventListener('change', () => localStorage.setItem('switchboard.chat.name', $('name').value.trim()));

function displayName(clientId) {
  if (clientId === client.clientId) return `${$('name').value.trim()} (you)`;
  return names.get(clientId) ?? `guest ${clientId.slice(0, 6)}`;
}

async function join(room) {
  if (rooms.has(room)) {
    show(room);
    return;
  }
  const channel = `chat.${room}`;
  const state = { subscription: client.subscribe(channel, { presence: true }), messages: new Map(), members: new Map() };
  rooms.set(room, state);
  state.subscription.on('message', (data, publication) => {
    if (publication.followsGap) notice(room, 'Some messages could not be recovered; reloading the recent ones.', () => loadHistory(room));
    add(room, publication);
  });
  state.subscription.on('join', (member) => { state.members.set(member.client, member.user); if (room === current) renderMembers(); });
  state.subscription.on('leave', (member) => { state.members.delete(member.client); if (room === current) renderMembers(); });
  // After every (re)subscribe the member list is read again: presence events are not recovered across reconnects.
  state.subscription.on('subscribed', () => loadMembers(room));
  state.subscription.on('error', (error) => notice(room, `Could not join: ${error.message}`));
  renderRooms();
  show(room);
  await state.subscription.ready().catch(() => {});
  await loadHistory(room);
}

async function loadHistory(room) {
  try {
    const history = await client.history(`chat.${room}`, { limit: 50 });
    for (const publication of history.publications) add(room, publication);
  } catch (error) {
    notice(room, `Could not load the history: ${error.message}`);
  }
}

async function loadMembers(room) {
  const state = rooms.get(room);
  try {
    const members = await client.presence(`chat.${room}`);
    state.members = new Map(members.map((m) => [m.client, m.user]));
    if (room === current) renderMembers();
  } catch (error) {
    notice(room, `Could not read the members: ${error.message}`);
  }
}

function leave(room) {
  const state = rooms.get(room);
  if (!state) return;
  state.subscription.unsubscribe();
  rooms.delete(room);
  if (current === room) current = rooms.keys().next().value ?? null;
  renderRooms();
  show(current);
}

function add(room, publication) {
  const state = rooms.get(room);
  if (!state) return;
  const key = `${publication.epoch}:${publication.offset}`; // History and live delivery may overlap on join.
  if (state.messages.has(key)) return;
  state.messages.set(key, publication);
  const from = publication.from?.client;
  if (from && publication.data?.name) names.set(from, String(publication.data.name));
  if (room === current) {
    renderMessages();
    renderMembers();
  }
}

function notice(room, text, then) {
  const state = rooms.get(room);
  if (!state) return;
  state.messages.set(`notice:${Date.now()}:${Math.random()}`, { notice: text, offset: Infinity });
  if (room === current) renderMessages();
  then?.();
}

function show(room) {
  current = room;
  $('title').textContent = room ? `# ${room}` : 'Join a room';
  $('text').disabled = $('sendButton').disabled = !room;
  renderRooms();
  renderMessages();
  renderMembers();
}

function renderRooms() {
  $('rooms').replaceChildren(...[...rooms.keys()].map((room) => {
    const li = document.createElement('li');
    li.className = room === current ? 'active' : '';
    const link = document.createElement('a');
    link.href = '#';
    link.textContent = `# ${room}`;
    link.onclick = (e) => { e.preventDefault(); show(room); };
    const leaveButton = document.createElement('button');
    leaveButton.className = 'secondary';
    leaveButton.textContent = 'Leave';
    leaveButton.onclick = () => leave(room);
    li.append(link, leaveButton);
    return li;
  }));
}

function renderMessages() {
  const box = $('messages');
  const state = current && rooms.get(current);
  if (!state) {
    box.replaceChildren();
    return;
  }
  // Ordered by offset within the stream; notices stay where they were added.
  const items = [...state.messages.values()].filter((p) => !p.notice).sort((a, b) => a.offset - b.offset);
  const notices = [...state.messages.values()].filter((p) => p.notice);
  box.replaceChildren(...items.map((p) => {
    const div = document.createElement('div');
    div.className = 'message';
    div.dataset.offset = p.offset;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = p.data?.name ?? (p.from ? displayName(p.from.client) : 'server');
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = typeof p.data === 'object' && p.data !== null ? (p.data.text ?? JSON.stringify(p.data)) : String(p.data);
    const time = document.createElement('span');
    time.className = 'time';
    time.textContent = p.ts ? new Date(p.ts).toLocaleTimeString() : '';
    div.append(name, text, time);
    return div;
  }), ...notices.map((n) => Object.assign(document.createElement('div'), { className: 'notice', textContent: n.notice })));
  box.scrollTop = box.scrollHeight;
}

function renderMembers() {
  const state = current && rooms.get(current);
  const members = state ? [...state.members.keys()] : [];
  $('memberCount').textContent = state ? `(${members.length})` : '';
  $('members').replaceChildren(...members.sort().map((id) => {
    const li = document.createElement('li');
    li.dataset.client = id;
    li.textContent = displayName(id);
    return li;
  }));
}

$('join').addEventListener('submit', (e) => {
  e.preventDefault();
  const room = $('room').value.trim();
  if (!room) return;
  $('room').value = '';
  join(room);
});

$('send').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (!text || !current) return;
  $('text').value = '';
  try {
    // Sent while offline, it waits in the client's buffer and goes out after the reconnect, once.
    await client.publish(`chat.${current}`, { name: $('name').value.trim() || 'guest', text });
  } catch (error) {
    notice(current, `Not sent: ${error.message}`);
  }
});

client.connect().catch(() => {}); // The indicator shows the state; a refusal is not an exception to throw here.
join(new URLSearchParams(location.search).get('room') || 'lobby');
