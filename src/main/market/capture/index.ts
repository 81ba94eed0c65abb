/**
 * Public face of the capture module: reading and writing raw feed recordings in the contracts.md format.
 * See capture.ts for the rules (streaming reader, whole-file loader, crash-safe writer).
 */
export {
  CaptureFormatError,
  CaptureWriter,
  formatCaptureLine,
  isGzipPath,
  loadCapture,
  parseCaptureLine,
  readCapture,
} from './capture.js';
export type {
  CaptureFrame,
  CaptureFrameInput,
  CaptureKind,
  CaptureWriterOptions,
  LoadedCapture,
  ReadCaptureOptions,
} from './capture.js';
