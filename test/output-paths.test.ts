// Writing a set of outputs: when one fails after the paths were checked, none of them is left behind.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { writeTogether } from '../src/output-paths.js';

const file = (path: string, text: string, label = `--output x=${path}`) => ({ label, path, render: () => text });

describe('writeTogether', () => {
  it('writes every file, creating missing folders, and leaves no temporary behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compline-together-'));
    writeFileSync(join(dir, 'old.txt'), 'old');
    await writeTogether([file(join(dir, 'a', 'b', 'one.txt'), '1'), file(join(dir, 'old.txt'), 'new')]);
    expect(readFileSync(join(dir, 'a', 'b', 'one.txt'), 'utf8')).toBe('1');
    expect(readFileSync(join(dir, 'old.txt'), 'utf8')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['a', 'old.txt']);
  });

  it('a failure while writing removes the temporaries and the folders made for them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compline-together-'));
    writeFileSync(join(dir, 'file'), 'x');
    const bad = join(dir, 'file', 'two.txt');
    const written = writeTogether([file(join(dir, 'new', 'one.txt'), '1'), file(bad, '2', '--output junit=two.txt')]);
    await expect(written).rejects.toThrow(UsageError);
    await expect(written).rejects.toThrow(`--output junit=two.txt: ${join(dir, 'file')} is not a folder`);
    expect(readdirSync(dir)).toEqual(['file']);
  });

  it('a failure while renaming into place takes back the files already published', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compline-together-'));
    mkdirSync(join(dir, 'taken'));
    writeFileSync(join(dir, 'taken', 'inside'), 'x');
    // The second target is a folder with something in it: its rename fails after the first was published.
    const written = writeTogether([file(join(dir, 'one.txt'), '1'), file(join(dir, 'taken'), '2', '--output sarif=taken')]);
    await expect(written).rejects.toThrow(`--output sarif=taken: ${join(dir, 'taken')} is a folder`);
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(join(dir, 'taken'))).toEqual(['inside']);
  });
});
