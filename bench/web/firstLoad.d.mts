/** Types of firstLoad.mjs (for the TypeScript test that enforces the budget). */
export declare const FIRST_LOAD_BUDGET_GZIP_BYTES: number;
export declare function gzipBytes(distDir: string, path: string): number;
export declare function firstLoadUrls(html: string): string[];
export interface FirstLoadFile {
  url: string;
  bytes: number;
  gzipBytes: number;
}
export declare function firstLoad(distDir: string): { files: FirstLoadFile[]; indexGzipBytes: number; totalGzipBytes: number };
