/**
 * The few web-platform globals shared/ uses, which browsers and Node both
 * provide. They are declared here rather than by loading the DOM or Node
 * type libraries, so that shared/ cannot reach for anything else: no
 * document, no fetch, no process, no fs (tsconfig.shared.json loads no
 * library types at all).
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}

/** Used only to yield to the event loop between slices of a long verification. */
declare function setTimeout(callback: () => void, ms?: number): unknown;

/** Used by the API contract to write a route's query string. */
declare class URLSearchParams {
  set(name: string, value: string): void;
  toString(): string;
}
