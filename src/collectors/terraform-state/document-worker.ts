// A reader thread: parses and maps the files document-readers.ts hands it, one at a time.
import { parentPort } from 'node:worker_threads';
import { readDocumentBytes } from './read-document.js';

parentPort?.on('message', (task: { id: number; bytes: Uint8Array }) => {
  let read: ReturnType<typeof readDocumentBytes>;
  try {
    read = readDocumentBytes(task.bytes);
  } catch {
    read = { problem: 'could not be read' };
  }
  parentPort?.postMessage({ id: task.id, read });
});
