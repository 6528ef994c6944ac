/** The product version every service reports in /healthz. */
import { readFileSync } from 'node:fs';

const rootPackage = new URL('../../package.json', import.meta.url);
export const PRODUCT_VERSION: string = (JSON.parse(readFileSync(rootPackage, 'utf8')) as { version: string }).version;
