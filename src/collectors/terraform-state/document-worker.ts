// A reader thread: parses and maps the files document-readers.ts hands it, one at a time.
import { parentPort } from 'node:worker_threads';
import { readDocumentBytes } from './read-document.js';

parentPort?.on('message', (task: { id: number; bytes: Uint8Array }) => {
  const read = readDocumentBytes(task.bytes);
  parentPort?.postMessage({ id: task.id, read }, 'instances' in read ? [read.instances.buffer as ArrayBuffer] : []);
});
