// Scanning tickets with the console's camera: frames from getUserMedia are decoded a few times a second,
// by the browser's BarcodeDetector where it has one (Chromium has it on macOS and ChromeOS, not on Windows
// or Linux) and by jsQR, a maintained pure-JS decoder, everywhere else. Decoding a frame is a pure function
// of its pixels, tested against QR images made by the same library the tickets are printed with.
import jsQR from 'jsqr';
import { useEffect, useRef, useState } from 'react';
import { RepeatGuard } from './scanner-input.ts';

export interface FrameImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** The code in a frame's pixels, or null when there is none (or none readable). */
export function decodeQrFrame(image: FrameImage): string | null {
  // Printed and on-phone tickets are dark on light; trying the inverse too would double the work per frame.
  const found = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
  return found && found.data !== '' ? found.data : null;
}

/**
 * The size frames are decoded at: the camera's own size, scaled down to at most `maxSide` pixels on the
 * long side. A ticket held up to the camera fills much of the frame, and jsQR's time grows with pixels.
 */
export function decodeSize(
  videoWidth: number,
  videoHeight: number,
  maxSide = 640,
): { width: number; height: number } {
  if (videoWidth <= 0 || videoHeight <= 0) return { width: 0, height: 0 };
  const scale = Math.min(1, maxSide / Math.max(videoWidth, videoHeight));
  return { width: Math.round(videoWidth * scale), height: Math.round(videoHeight * scale) };
}

/** What to tell the person at the door when the camera cannot be used. */
export function cameraErrorMessage(error: unknown): string {
  const name = error instanceof Error || isDomExceptionLike(error) ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'Camera access was refused. Allow this console to use the camera, or scan with a handheld scanner or the ticket code field.';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found. Connect one, or scan with a handheld scanner or the ticket code field.';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'The camera is in use by another program or could not start. Close the other program and try again.';
    case 'NoCameraApi':
      return 'This window cannot use a camera. Scan with a handheld scanner or the ticket code field.';
    default:
      return 'The camera could not be started. Scan with a handheld scanner or the ticket code field.';
  }
}

function isDomExceptionLike(error: unknown): error is { name: string } {
  return (
    typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
  );
}

export type CameraState =
  | { kind: 'off' }
  | { kind: 'starting' }
  | { kind: 'scanning'; decoder: 'barcode-detector' | 'jsqr' }
  | { kind: 'error'; message: string };

/** How often a frame is decoded: often enough to feel instant, rarely enough to leave the core its CPU. */
export const CAMERA_FRAME_INTERVAL_MS = 150;
/** A ticket held in front of the camera is seen in every frame: it counts again only after being away this long. */
export const CAMERA_REPEAT_MS = 2000;

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

/** The browser's own QR detector when it has one that reads QR codes, else null (jsQR is used). */
async function nativeDetector(): Promise<BarcodeDetectorLike | null> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  try {
    const formats = await Detector.getSupportedFormats();
    return formats.includes('qr_code') ? new Detector({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

/**
 * The camera as a scanner: while `enabled`, shows the camera in the returned video element and calls
 * `onCode` with each code it reads (a code kept in view counts once). The stream is stopped when disabled
 * or unmounted, so the camera's light goes off when the person leaves the screen.
 */
export function useCameraScanner({ enabled, onCode }: { enabled: boolean; onCode: (code: string) => void }) {
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const [state, setState] = useState<CameraState>({ kind: 'off' });
  const onCodeRef = useRef(onCode);
  onCodeRef.current = onCode;

  useEffect(() => {
    if (!enabled) {
      setState({ kind: 'off' });
      return;
    }
    // The caller renders the video element whenever the camera is enabled, so it is there by now.
    const video = videoRef.current;
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const repeats = new RepeatGuard(CAMERA_REPEAT_MS);
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });

    const deliver = (code: string | null) => {
      if (code !== null && repeats.admit(code, performance.now())) onCodeRef.current(code);
    };

    async function readFrame(camera: HTMLVideoElement, detector: BarcodeDetectorLike | null) {
      if (camera.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
      if (detector) {
        const found = await detector.detect(camera);
        deliver(found.find((barcode) => barcode.rawValue !== '')?.rawValue ?? null);
        return;
      }
      const { width, height } = decodeSize(camera.videoWidth, camera.videoHeight);
      if (!context || width === 0) return;
      canvas.width = width;
      canvas.height = height;
      context.drawImage(camera, 0, 0, width, height);
      deliver(decodeQrFrame(context.getImageData(0, 0, width, height)));
    }

    async function start() {
      setState({ kind: 'starting' });
      try {
        if (!navigator.mediaDevices?.getUserMedia)
          throw Object.assign(new Error('no camera API'), { name: 'NoCameraApi' });
        stream = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } },
          audio: false,
        });
        // Left the screen while the person was still answering the permission prompt: let the camera go.
        if (stopped || !video) return stopStream();
        video.srcObject = stream;
        video.muted = true;
        await video.play();
        const detector = await nativeDetector();
        if (stopped) return;
        setState({ kind: 'scanning', decoder: detector ? 'barcode-detector' : 'jsqr' });
        // One frame at a time: a slow decode delays the next frame instead of piling up behind it.
        const loop = async () => {
          if (stopped) return;
          try {
            await readFrame(video, detector);
          } catch {
            // A frame that cannot be read (the camera was unplugged mid-frame) is skipped; the track's end says more.
          }
          if (!stopped) timer = setTimeout(() => void loop(), CAMERA_FRAME_INTERVAL_MS);
        };
        for (const track of stream.getVideoTracks()) {
          track.addEventListener('ended', () => {
            if (!stopped)
              setState({ kind: 'error', message: cameraErrorMessage({ name: 'NotReadableError' }) });
          });
        }
        void loop();
      } catch (error) {
        if (!stopped) setState({ kind: 'error', message: cameraErrorMessage(error) });
      }
    }

    function stopStream() {
      for (const track of stream?.getTracks() ?? []) track.stop();
      stream = null;
    }

    void start();
    return () => {
      stopped = true;
      clearTimeout(timer);
      stopStream();
      if (video) video.srcObject = null;
    };
  }, [enabled]);

  return { videoRef, state };
}
