import { defineConfig } from 'tsup';

// cli.js is the `recordkit` command; index.js is what configuration files import (`defineConfig`).
export default defineConfig({
  entry: ['src/cli.ts', 'src/index.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node22',
});
