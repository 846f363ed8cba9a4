// Types of @switchboard/client/react (react.js).
import type { ReactNode } from 'react';
import type { ConnectionState, CommandError, CommandOptions, JsonSocket, JsonSocketClose, JsonSocketOpenContext, JsonSocketOptions, PresenceClient, Publication, Subscription, SwitchboardClient, SwitchboardClientOptions } from './index.js';

export interface SwitchboardProviderProps {
  /** A client you created and manage; or give `url` (and `options`) and the provider creates, connects and closes one. */
  client?: SwitchboardClient;
  url?: string;
  options?: SwitchboardClientOptions;
  children?: ReactNode;
}

export function SwitchboardProvider(props: SwitchboardProviderProps): ReactNode;

export function useSwitchboard(): { client: SwitchboardClient; state: ConnectionState };

export function useChannel<T = unknown>(
  channel: string | null | undefined,
  options?: { limit?: number; presence?: boolean },
): {
  /** The same array between renders until a message arrives. */
  messages: T[];
  publications: Publication<T>[];
  lastMessage: T | null;
  subscription: Subscription<T> | null;
  error: CommandError | null;
  /** Publishes to this channel; resolves with the offset. */
  publish: (data: T, options?: CommandOptions & { key?: string }) => Promise<number>;
};

export function usePresence(channel: string | null | undefined): { clients: PresenceClient[]; error: CommandError | null };

export const ReadyState: {
  readonly UNINSTANTIATED: -1;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
};

export interface UseJsonSocketOptions<T = unknown> extends Omit<JsonSocketOptions, 'onOpen' | 'shouldReconnect'> {
  /** One socket per url for every component that passes `share: true`; the first one's options make it. */
  share?: boolean;
  /** Whether a message becomes `lastJsonMessage` (re-rendering); others are skipped. */
  filter?: (message: T) => boolean;
  shouldReconnect?: (close: JsonSocketClose) => boolean;
  /** JsonSocket's `maxReconnectAttempts`. */
  reconnectAttempts?: number;
  onOpen?: (context: JsonSocketOpenContext) => void | Promise<void>;
  onMessage?: (message: T) => void;
  onClose?: (close: JsonSocketClose & { willReconnect: boolean }) => void;
}

export function useJsonSocket<T = unknown>(
  url: string | null | undefined,
  options?: UseJsonSocketOptions<T>,
  connect?: boolean,
): {
  readyState: -1 | 0 | 1 | 2 | 3;
  /** Sends as JSON now, or buffers it until connected; false when the full buffer refused it. */
  sendJsonMessage: (message: unknown) => boolean;
  lastJsonMessage: T | null;
  getWebSocket: () => JsonSocket<T> | null;
};
