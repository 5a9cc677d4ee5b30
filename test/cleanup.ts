// Runs in every unit test file: the temporary folders a file made go when the file is done.
import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);
