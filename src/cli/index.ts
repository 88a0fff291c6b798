#!/usr/bin/env node
// The CLI's entry point. V8's compile cache (kept in the temp dir) spares repeated runs the parsing of the
// bundle, a good part of a warm push's time; it has to be on before the bundle is imported, hence this file.
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./main.ts');
