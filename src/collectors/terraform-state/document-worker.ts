// A reader thread: parses and maps the files document-readers.ts hands it, one at a time.
import { parentPort } from 'node:worker_threads';
import { readDocumentBytes } from './read-document.js';

parentPort?.on('message', (task: { id: number; bytes: Uint8Array }) => {
  parentPort?.postMessage({ id: task.id, read: readDocumentBytes(task.bytes) });
});
