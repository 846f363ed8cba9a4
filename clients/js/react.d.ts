// Types of @switchboard/client/react (react.js).
import type { ReactNode } from 'react';
import type { ConnectionState, CommandError, Publication, Subscription, SwitchboardClient, SwitchboardClientOptions } from './index.js';

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
): { messages: T[]; publications: Publication<T>[]; subscription: Subscription<T> | null; error: CommandError | null };
