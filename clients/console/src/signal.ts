// A value the views re-render on: the console's whole state is a few of these.
import { useEffect, useState } from "preact/hooks";

export interface Signal<T> {
  get(): T;
  set(value: T): void;
  update(change: (value: T) => T): void;
  subscribe(listener: () => void): () => void;
}

export function signal<T>(value: T): Signal<T> {
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      value = next;
      for (const listener of listeners) listener();
    },
    update(change) {
      this.set(change(value));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The signal's value, re-rendering the component when it changes. */
export function use<T>(s: Signal<T>): T {
  const [, redraw] = useState(0);
  useEffect(() => s.subscribe(() => redraw((n) => n + 1)), [s]);
  return s.get();
}
