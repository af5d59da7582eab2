import { useSyncExternalStore } from 'react';
import type { Store } from './Store';

/** Subscribes a component to a Store. */
export function useStore<T>(store: Store<T>): T {
  return useSyncExternalStore(store.subscribe, store.get);
}
