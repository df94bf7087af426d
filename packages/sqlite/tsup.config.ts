import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  // `node:sqlite` exists only with its prefix; tsup would strip it to a bare `sqlite` import.
  removeNodeProtocol: false,
});
