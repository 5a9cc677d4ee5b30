// Types of run-lock.mjs (plain JavaScript, so that scripts/bench-backup.mjs runs it without a build).
export declare const LOCK: string;
export declare function alive(pid: number): boolean;
export declare function readPid(file: string): number | undefined;
export declare function acquireRunLock(timeoutMs: number, say: (line: string) => void, lock?: string): Promise<() => void>;
