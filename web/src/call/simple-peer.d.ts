// The browser bundle of simple-peer (self-contained, no Node polyfills needed); only what CallClient uses.
declare module 'simple-peer/simplepeer.min.js' {
  export interface SimplePeerOptions {
    initiator?: boolean;
    stream?: MediaStream;
    trickle?: boolean;
    config?: RTCConfiguration;
  }
  export interface SimplePeerInstance {
    signal(data: unknown): void;
    destroy(): void;
    readonly destroyed: boolean;
    on(event: 'signal', cb: (data: unknown) => void): this;
    on(event: 'stream', cb: (stream: MediaStream) => void): this;
    on(event: 'connect' | 'close', cb: () => void): this;
    on(event: 'error', cb: (err: Error) => void): this;
    /** The underlying connection (private in simple-peer, read for connection quality). */
    readonly _pc?: RTCPeerConnection;
  }
  const SimplePeer: new (opts?: SimplePeerOptions) => SimplePeerInstance;
  export default SimplePeer;
}
