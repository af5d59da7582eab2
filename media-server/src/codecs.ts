import type { types } from 'mediasoup';

/** Codecs every room's router offers: Opus for voice (DTX negotiated by the client) and VP8 for camera and screen. */
export const ROUTER_MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
];

/** How often the active speaker observer may change its mind, in ms. */
export const ACTIVE_SPEAKER_INTERVAL_MS = 300;
