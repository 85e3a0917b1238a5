/**
 * @module test/helpers/watchdog
 * A test's private server (PostgreSQL, Redis) that cannot outlive the test process: it runs under
 * a small `sh` that sends it a signal when the test's end of the shell's stdin closes — which the
 * kernel does when the test process ends in any way, `kill -9` included — and then removes the
 * server's temporary directory. The shell prints the server's PID first, so the test stops the
 * server itself by PID in the normal case.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * `sh -c WATCHDOG server args…`: starts the server, prints its PID, and sends it
 * `$ONESCREEN_WATCHDOG_SIGNAL` when stdin reaches its end (kept as fd 3: a background job's stdin
 * is /dev/null), then removes `$ONESCREEN_WATCHDOG_DIR`; exits when the server does, with its status.
 */
const WATCHDOG = `exec 3<&0
"$0" "$@" &
pid=$!
echo "$pid"
( read -r _ <&3; : > "$ONESCREEN_WATCHDOG_DIR/.orphaned"; kill -"$ONESCREEN_WATCHDOG_SIGNAL" "$pid" 2>/dev/null ) &
watcher=$!
wait "$pid"
code=$?
kill "$watcher" 2>/dev/null
# ended because the test process is gone: nobody else will remove the directory
if [ -e "$ONESCREEN_WATCHDOG_DIR/.orphaned" ]; then rm -rf "$ONESCREEN_WATCHDOG_DIR"; fi
exit "$code"`;

export interface Watched {
  /** the watchdog shell (its stdin is ours; `exit` when the server has exited) */
  child: ChildProcess;
  /** the server's own PID, the one to signal */
  pid: number;
  /** the server's status once it (and so the watchdog) exited */
  exited: Promise<number | null>;
  /** what the server printed after its PID (when `stdout` is piped) */
  output(): string;
}

/**
 * Starts `command args…` under the watchdog. `dir` is removed if the test process dies; `signal`
 * is what the server gets then (PostgreSQL: INT, a fast shutdown; Redis: TERM). `stderr` may be a
 * file descriptor (a log file) or 'pipe' (collected into `output()`).
 */
export async function spawnWatched(
  command: string,
  args: readonly string[],
  opts: { dir: string; signal: 'INT' | 'TERM'; stderr?: number | 'pipe'; spawn?: Pick<SpawnOptions, 'uid' | 'gid' | 'env' | 'cwd'> },
): Promise<Watched> {
  const child = spawn('/bin/sh', ['-c', WATCHDOG, command, ...args], {
    ...opts.spawn,
    env: { ...(opts.spawn?.env ?? process.env), ONESCREEN_WATCHDOG_DIR: opts.dir, ONESCREEN_WATCHDOG_SIGNAL: opts.signal },
    stdio: ['pipe', 'pipe', opts.stderr ?? 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const pid = await new Promise<number>((resolve, reject) => {
    let first = '';
    let done = false;
    child.stdout!.on('data', (d: Buffer) => {
      if (done) {
        out += d.toString();
        return;
      }
      first += d.toString();
      const nl = first.indexOf('\n');
      if (nl >= 0) {
        done = true;
        out += first.slice(nl + 1);
        resolve(Number(first.slice(0, nl).trim()));
      }
    });
    child.once('exit', () => reject(new Error(`${command} did not start: ${out}${first}`)));
  });
  return { child, pid, exited, output: () => out };
}
