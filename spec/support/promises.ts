/** A Promise with its settle functions exposed, for handlers that a test finishes by hand. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A Promise whose outcome can be read synchronously once settled (and never goes unhandled). */
export interface Tracked<T> {
  readonly settled: boolean;
  readonly ok: boolean | undefined;
  readonly value: T | undefined;
  readonly error: unknown;
  readonly promise: Promise<T>;
}

export function track<T>(promise: Promise<T>): Tracked<T> {
  const state: { settled: boolean; ok: boolean | undefined; value: T | undefined; error: unknown } =
    { settled: false, ok: undefined, value: undefined, error: undefined };
  promise.then(
    (value) => {
      state.settled = true;
      state.ok = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.ok = false;
      state.error = error;
    },
  );
  return {
    get settled() {
      return state.settled;
    },
    get ok() {
      return state.ok;
    },
    get value() {
      return state.value;
    },
    get error() {
      return state.error;
    },
    promise,
  };
}

/** Awaits `promise` and returns its rejection reason; fails when it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    return error;
  }
  throw new Error(`expected a rejection, got ${String(value)}`);
}

/** The value of a bad argument, typed to fit whatever the call expects: for bad-input tests. */
export function bad(value: unknown): never {
  return value as never;
}

/** The error `fn` throws, or undefined when it returns. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
