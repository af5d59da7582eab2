/** How well media flows, from WebRTC stats. */
export type ConnectionQuality = 'good' | 'fair' | 'poor' | 'unknown';

/** Round-trip time above which quality is fair / poor, in seconds. */
const FAIR_RTT_S = 0.2;
const POOR_RTT_S = 0.4;
/** Inbound packet loss above which quality is fair / poor, as a fraction. */
const FAIR_LOSS = 0.02;
const POOR_LOSS = 0.05;

/** Grades connection quality from the stats of every active transport: the worst RTT and loss count. */
export function qualityFromStats(reports: RTCStatsReport[]): ConnectionQuality {
  let rtt: number | null = null;
  let lost = 0;
  let received = 0;
  for (const report of reports) {
    report.forEach((s: { type: string; state?: string; nominated?: boolean; currentRoundTripTime?: number; packetsLost?: number; packetsReceived?: number }) => {
      if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated && typeof s.currentRoundTripTime === 'number') rtt = Math.max(rtt ?? 0, s.currentRoundTripTime);
      if (s.type === 'inbound-rtp') {
        lost += s.packetsLost ?? 0;
        received += s.packetsReceived ?? 0;
      }
    });
  }
  if (rtt === null && received === 0) return 'unknown';
  const loss = received + lost > 0 ? lost / (received + lost) : 0;
  const r: number = rtt ?? 0;
  if (r > POOR_RTT_S || loss > POOR_LOSS) return 'poor';
  if (r > FAIR_RTT_S || loss > FAIR_LOSS) return 'fair';
  return 'good';
}
