// Types of @switchboard/client (index.js). Protocol v1: docs/protocol.md; guide: docs/clients/javascript.md.

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface StreamPosition {
  offset: number;
  epoch: string;
}

export interface StateEvent {
  state: ConnectionState;
  previous: ConnectionState;
  /** The close code that caused the change; null when there was no close frame (reset, refused, dead link). */
  code: number | null;
  reason: string;
  /** The backoff delay before the next attempt, in ms (on `connecting`/`reconnecting` after a loss). */
  retryIn: number | null;
}

export interface SwitchboardClientOptions {
  /** A token, or a function called before every (re)connect and on `token_expiring`; null connects anonymously. */
  token?: string | null | (() => string | null | Promise<string | null>);
  /** The WebSocket constructor: the browser's by default; in Node 20 pass npm's `ws`. */
  WebSocket?: unknown;
  /** Connect with `?batch=1` (several messages per frame). Default true. */
  batch?: boolean;
  /** Backoff: the shortest wait before an attempt, ms. Default 500. */
  minReconnectDelay?: number;
  /** Backoff: the longest wait before an attempt, ms. Default 20000. */
  maxReconnectDelay?: number;
  /** Failed attempts in a row before giving up. Default Infinity. */
  maxReconnectAttempts?: number;
  /** One attempt: token, upgrade and `welcome`, ms. Default 10000. */
  connectTimeout?: number;
  /** How long a command waits for its result, time in the offline buffer included, ms. Default 30000. */
  commandTimeout?: number;
  /** Silence from the server after which the link is dead, ms. Default: the server's ping interval + 10 s. */
  heartbeatTimeout?: number | null;
  /** Commands held while not connected. Default 1000. */
  offlineBufferSize?: number;
  /** What a full buffer does with a new command. Default 'reject'. */
  offlineBufferOverflow?: 'reject' | 'drop-oldest' | 'drop-newest';
  /** React to the browser's online/offline and page visibility events. Default true. */
  browserEvents?: boolean;
  /**
   * Data for the application's backend when it decides who connects (docs/proxy.md): sent with every attempt as the
   * upgrade's `?data=` (JSON; keep it small, it is part of the URL). Default null: none.
   */
  connectData?: unknown;
}

export interface Publication<T = unknown> {
  channel: string;
  data: T;
  /** null for server sends (outside any stream). */
  offset: number | null;
  epoch: string | null;
  /** Unix milliseconds at publish. */
  ts: number | null;
  /** The publishing connection; null for server-side publications. */
  from: { client: string; user: string | null } | null;
  /** True on the first publication after a gap nothing could recover: reload your state. */
  followsGap: boolean;
}

export interface PresenceClient {
  client: string;
  user: string | null;
  info: Record<string, unknown>;
}

export interface SubscribedEvent {
  /** null for a first subscribe without `since`; false when publications were lost (reload your state). */
  recovered: boolean | null;
  resubscribed: boolean;
  offset: number | null;
  epoch: string | null;
  /** How many missed publications the recovery delivered. */
  missed: number;
  /** The application backend's `data` sent with this subscribe result (docs/proxy.md); null when none. */
  data: unknown;
}

export interface SubscribeOptions {
  /** Start after this position (the server replays what follows it). */
  since?: StreamPosition;
  /** Receive `join`/`leave` of other clients (needs the presence right). */
  presence?: boolean;
}

export interface CommandOptions {
  /** Overrides `commandTimeout` for this call, ms. */
  timeout?: number;
}

export interface HistoryResult<T = unknown> {
  publications: Publication<T>[];
  offset: number;
  epoch: string;
  /** false when `since` could not be served in full. */
  recovered?: boolean;
}

type Unsubscribe = () => void;

export class Subscription<T = unknown> {
  readonly channel: string;
  readonly isWildcard: boolean;
  /** 'subscribing' | 'subscribed' | 'unsubscribed' */
  readonly state: 'subscribing' | 'subscribed' | 'unsubscribed';
  /** The outcome of the last resubscribe; null before any. */
  readonly recovered: boolean | null;
  /** The last delivered position (null for patterns). */
  readonly position: StreamPosition | null;
  /** The application backend's `data` from the last subscribe result (docs/proxy.md); null when none. */
  readonly data: unknown;
  /** Resolves when the server confirmed the first subscribe; rejects with its CommandError. */
  ready(): Promise<void>;
  unsubscribe(): void;
  on(event: 'message', listener: (data: T, publication: Publication<T>) => void): Unsubscribe;
  on(event: 'join' | 'leave', listener: (client: PresenceClient) => void): Unsubscribe;
  on(event: 'subscribed', listener: (event: SubscribedEvent) => void): Unsubscribe;
  on(event: 'error', listener: (error: CommandError) => void): Unsubscribe;
  on(event: 'unsubscribed', listener: (event: { reason?: string; error?: CommandError }) => void): Unsubscribe;
  once<E extends keyof SubscriptionEvents<T>>(event: E, listener: SubscriptionEvents<T>[E]): Unsubscribe;
  off<E extends keyof SubscriptionEvents<T>>(event: E, listener: SubscriptionEvents<T>[E]): void;
}

/** The listeners of a Subscription's events, by event name. */
export interface SubscriptionEvents<T = unknown> {
  message: (data: T, publication: Publication<T>) => void;
  join: (client: PresenceClient) => void;
  leave: (client: PresenceClient) => void;
  subscribed: (event: SubscribedEvent) => void;
  error: (error: CommandError) => void;
  unsubscribed: (event: { reason?: string; error?: CommandError }) => void;
}

export class SwitchboardClient {
  constructor(url: string, options?: SwitchboardClientOptions);
  readonly state: ConnectionState;
  /** This connection's id, null while not connected. */
  readonly clientId: string | null;
  /** The authenticated user, null when anonymous. */
  readonly user: string | null;
  /** `welcome.data`: what the application's backend said when it let this connection in (docs/proxy.md); null when none. */
  readonly welcomeData: unknown;
  readonly lastDisconnect: { code: number | null; reason: string; willReconnect: boolean } | null;
  /** Starts (re)connecting; resolves when connected, rejects with ConnectionError when the client gives up first. */
  connect(): Promise<void>;
  /** Closes with 1000; waiting commands fail. Subscriptions resume on the next connect(). */
  close(): void;
  subscribe<T = unknown>(channel: string, options?: SubscribeOptions): Subscription<T>;
  getSubscription(channel: string): Subscription | null;
  /** Resolves with the publication's offset. Idempotent across reconnects (a `key` is added unless given). */
  publish(channel: string, data: unknown, options?: CommandOptions & { key?: string }): Promise<number>;
  rpc<T = unknown>(method: string, params?: unknown, options?: CommandOptions): Promise<T>;
  history<T = unknown>(channel: string, options?: CommandOptions & { limit?: number; since?: StreamPosition }): Promise<HistoryResult<T>>;
  presence(channel: string, options?: CommandOptions): Promise<PresenceClient[]>;
  on(event: 'state', listener: (event: StateEvent) => void): Unsubscribe;
  on(event: 'message', listener: (data: unknown, context: { channel: string; ts: number | null }) => void): Unsubscribe;
  on(event: 'error', listener: (error: { type: 'error'; code: string; message: string }) => void): Unsubscribe;
  once<E extends keyof SwitchboardClientEvents>(event: E, listener: SwitchboardClientEvents[E]): Unsubscribe;
  off<E extends keyof SwitchboardClientEvents>(event: E, listener: SwitchboardClientEvents[E]): void;
}

/** The listeners of a SwitchboardClient's events, by event name. */
export interface SwitchboardClientEvents {
  state: (event: StateEvent) => void;
  message: (data: unknown, context: { channel: string; ts: number | null }) => void;
  error: (error: { type: 'error'; code: string; message: string }) => void;
}

/** The close that ended a JsonSocket connection (a WebSocket CloseEvent's fields; 1006 when none came). */
export interface JsonSocketClose {
  code: number;
  reason: string;
  wasClean: boolean;
}

export interface JsonSocketHeartbeat {
  /** Sent every `interval`. Default `{"type":"ping"}`. */
  message?: unknown;
  /**
   * The answer: a message whose `type` is this string (not passed on as a message), a predicate, or null for "any
   * message counts". Default 'pong'.
   */
  returnMessage?: string | ((message: unknown) => boolean) | null;
  /** ms between pings. Default 25000. */
  interval?: number;
  /** ms to wait for the answer before the link counts as dead and reconnects. Default 10000. */
  timeout?: number;
}

export interface JsonSocketOpenContext {
  /** Sends on the new connection now, ahead of the offline buffer (join rooms, authenticate). */
  send(message: unknown): boolean;
  /** False on the first connection, true after a reconnect. */
  reconnected: boolean;
  socket: JsonSocket;
}

export interface JsonSocketOptions {
  /** The WebSocket constructor: the browser's by default; in Node 20 pass npm's `ws`. */
  WebSocket?: unknown;
  /** WebSocket subprotocols to offer. */
  protocols?: string | string[];
  /** Backoff (full jitter): the shortest wait before an attempt, ms. Default 500. */
  minReconnectDelay?: number;
  /** Backoff: the longest wait before an attempt, ms. Default 20000. */
  maxReconnectDelay?: number;
  /** Failed attempts in a row before giving up. Default Infinity. */
  maxReconnectAttempts?: number;
  /**
   * Whether to reconnect after `close`. Default: the client's rule, every close but 1000, 1003, 1008, 1009, 4004 and
   * 4005 (a predicate that throws stops the socket).
   */
  shouldReconnect?: (close: JsonSocketClose) => boolean;
  /** One attempt: the upgrade and `onOpen`, ms. Default 10000. */
  connectTimeout?: number;
  /** Messages held while not connected. Default 100. */
  offlineBufferSize?: number;
  /** What a full buffer does: 'reject' (default) refuses the new message, 'drop-oldest' drops the oldest. */
  offlineBufferOverflow?: 'reject' | 'drop-oldest';
  /** Runs after every (re)connect, before the buffered messages go out; a rejection reconnects. */
  onOpen?: ((context: JsonSocketOpenContext) => void | Promise<void>) | null;
  /** A JSON ping that reconnects a silent link; true for the defaults. Default off. */
  heartbeat?: boolean | JsonSocketHeartbeat;
  /** React to the browser's online/offline and page visibility events. Default true. */
  browserEvents?: boolean;
}

/** The listeners of a JsonSocket's events, by event name. */
export interface JsonSocketEvents<T = unknown> {
  state: (event: StateEvent) => void;
  open: (event: { reconnected: boolean }) => void;
  message: (message: T) => void;
  close: (event: JsonSocketClose & { willReconnect: boolean }) => void;
  overflow: (event: { message: unknown; policy: 'reject' | 'drop-oldest' }) => void;
  error: (error: SyntaxError & { data: string }) => void;
}

/** A WebSocket for any JSON protocol that reconnects, buffers while offline and runs `onOpen` on every connection. */
export class JsonSocket<T = unknown> {
  constructor(url: string, options?: JsonSocketOptions);
  readonly url: string;
  readonly state: ConnectionState;
  /** 0 connecting or reconnecting, 1 connected, 3 disconnected. */
  readonly readyState: 0 | 1 | 3;
  /** Messages waiting in the offline buffer. */
  readonly buffered: number;
  readonly lastDisconnect: (JsonSocketClose & { willReconnect: boolean }) | null;
  /** Starts connecting, and reconnecting from then on. */
  connect(): void;
  /** Closes (1000 unless given), stops every timer and listener, empties the offline buffer. */
  close(code?: number, reason?: string): void;
  /** Sends as JSON now or buffers; false when the full buffer refused it. */
  send(message: unknown): boolean;
  on<E extends keyof JsonSocketEvents<T>>(event: E, listener: JsonSocketEvents<T>[E]): Unsubscribe;
  once<E extends keyof JsonSocketEvents<T>>(event: E, listener: JsonSocketEvents<T>[E]): Unsubscribe;
  off<E extends keyof JsonSocketEvents<T>>(event: E, listener: JsonSocketEvents<T>[E]): void;
}

export class SwitchboardError extends Error {}
export class CommandError extends SwitchboardError {
  /** A protocol error code such as `forbidden`, `bad_request`, `not_found`. */
  readonly code: string;
  readonly serverMessage: string;
}
export class TimeoutError extends SwitchboardError {}
export class BufferFullError extends SwitchboardError {}
export class ConnectionError extends SwitchboardError {
  readonly code: number | null;
  readonly reason: string;
}

export const CloseCodes: Readonly<Record<string, number>>;
export function shouldReconnect(code: number | null | undefined): boolean;
export function backoffBounds(attempt: number, policy: { minDelay: number; maxDelay: number }): [number, number];
export function backoffDelay(attempt: number, policy: { minDelay: number; maxDelay: number }, random?: number): number;
export function matches(pattern: string, channel: string): boolean;
