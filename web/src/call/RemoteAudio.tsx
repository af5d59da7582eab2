import { useEffect, useRef } from 'react';

/** Plays one remote microphone, whatever view the grid is in. */
export function RemoteAudio({ track }: { track: MediaStreamTrack }) {
  const audio = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = audio.current;
    if (!el) return;
    el.srcObject = new MediaStream([track]);
    void el.play().catch(() => undefined);
  }, [track]);
  return <audio ref={audio} autoPlay />;
}
