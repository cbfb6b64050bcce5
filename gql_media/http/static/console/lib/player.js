// The player page's shared state, handed to its sections and overlays: `media`, the
// <video> or <img> element (null until it is on the page), `seek(seconds)`, and
// `shared(key, read)`, one read shared by the page's parts (the annotation list and
// its overlay read the annotations once). `usePlayhead` follows the current time,
// `useFrameBox` where the picture sits inside the element (letterboxed).
import { useEffect, useMemo, useRef, useState } from "./html.js";

export function usePlayer() {
  const [media, setMedia] = useState(null);
  // Per page: a new visit reads again.
  const reads = useRef(new Map());
  return useMemo(
    () => ({
      media,
      attach: setMedia,
      seek(seconds) {
        if (!(media instanceof HTMLVideoElement)) return;
        media.pause();
        media.currentTime = seconds;
      },
      shared(key, read) {
        const memo = reads.current;
        if (!memo.has(key)) {
          const promise = read();
          // A failed read is not kept: the next caller tries again.
          promise.catch(() => memo.get(key) === promise && memo.delete(key));
          memo.set(key, promise);
        }
        return memo.get(key);
      },
    }),
    [media],
  );
}

/** The video's current time, while it plays (each frame) and when it seeks; an
 * image stays at 0. */
export function usePlayhead(media) {
  const [time, setTime] = useState(0);
  useEffect(() => {
    if (!(media instanceof HTMLVideoElement)) return undefined;
    const video = media;
    let frame = 0;
    const read = () => setTime(video.currentTime);
    const tick = () => {
      read();
      frame = requestAnimationFrame(tick);
    };
    const play = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(tick);
    };
    const stop = () => {
      cancelAnimationFrame(frame);
      read();
    };
    const events = { timeupdate: read, seeked: read, seeking: read, play, pause: stop };
    for (const [name, listener] of Object.entries(events)) {
      video.addEventListener(name, listener);
    }
    read();
    if (!video.paused) play();
    return () => {
      cancelAnimationFrame(frame);
      for (const [name, listener] of Object.entries(events)) {
        video.removeEventListener(name, listener);
      }
    };
  }, [media]);
  return time;
}

/**
 * Where the picture is drawn inside the media element, in CSS pixels: a video
 * keeps the picture's aspect ratio inside its box (object-fit: contain), so a box
 * of another shape has bars. Null until the picture's size is known.
 */
export function useFrameBox(media) {
  const [box, setBox] = useState(null);
  useEffect(() => {
    if (!media) return undefined;
    const isVideo = media instanceof HTMLVideoElement;
    const measure = () => {
      const { clientWidth: cw, clientHeight: ch } = media;
      const vw = isVideo ? media.videoWidth : media.naturalWidth;
      const vh = isVideo ? media.videoHeight : media.naturalHeight;
      if (!cw || !ch || !vw || !vh) return setBox(null);
      const scale = Math.min(cw / vw, ch / vh);
      const width = vw * scale;
      const height = vh * scale;
      const next = { left: (cw - width) / 2, top: (ch - height) / 2, width, height };
      setBox((old) =>
        old && Object.keys(next).every((k) => Math.abs(old[k] - next[k]) < 0.5) ? old : next,
      );
    };
    const observer = new ResizeObserver(measure);
    observer.observe(media);
    const events = ["loadedmetadata", "resize", "load"];
    for (const name of events) media.addEventListener(name, measure);
    measure();
    return () => {
      observer.disconnect();
      for (const name of events) media.removeEventListener(name, measure);
    };
  }, [media]);
  return box;
}
