import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

/**
 * Network namespaces joined by veth links on one bridge: each namespace is a "machine" with an address of
 * its own, and they reach each other only over those links. Names and addresses carry this process's pid,
 * so two runs at once never meet; addresses are in 198.18.0.0/15, the range set aside for network tests.
 * Everything made here is removed by `destroy()`, after a failure too, and when the test process exits.
 */
export interface Hosts {
  /** The address of a host on the link (the test process itself is `test`). */
  address(host: string): string;
  /** Starts a process inside a host's namespace. */
  spawn(host: string, argv: string[], env: NodeJS.ProcessEnv): ChildProcess;
  /** SIGKILLs every process of a host's namespace: the machine is gone at once. */
  killAll(host: string): number[];
  destroy(): void;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why namespaces cannot be made here (not root, no `ip`, a container without CAP_SYS_ADMIN), or null. */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (run the suite as root, as CI does)';
  const probe = `roster-probe-${process.pid}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return null;
  } catch (err) {
    const why = (err as { stderr?: string }).stderr?.trim() || String(err);
    return `\`ip netns add\` is not allowed here: ${why}`;
  }
}

/** Makes one namespace per host name on a /24 of its own, and a link from the test process to them. */
export function makeHosts(names: string[]): Hosts {
  const tag = String(process.pid);
  const block = process.pid % 512;
  const subnet = `198.${18 + (block >> 8)}.${block & 255}`;
  const ns = (host: string) => `roster-${tag}-${host}`;
  const hub = ns('hub');
  const addresses = new Map<string, string>();
  const made: string[] = [];
  const destroy = () => {
    for (const name of [...made].reverse()) {
      for (const pid of pidsOf(name)) killQuietly(pid);
      try {
        ip('netns', 'del', name);
      } catch {
        // already gone
      }
    }
    made.length = 0;
    // The test's own end of its link lives in this namespace; it goes with its peer, but be sure.
    try {
      ip('link', 'del', `r${tag}e${names.length}`);
    } catch {
      // gone with the hub
    }
  };
  process.once('exit', destroy);
  const add = (name: string) => {
    // A namespace left by a killed run of a process with the same pid.
    if (
      ip('netns', 'list')
        .split('\n')
        .some((l) => l.split(' ')[0] === name)
    )
      ip('netns', 'del', name);
    ip('netns', 'add', name);
    made.push(name);
  };
  try {
    add(hub);
    ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', hub, 'link', 'set', 'br0', 'up');
    const link = (i: number, inside: string | null, address: string) => {
      // Interface names have at most 15 characters.
      const end = `r${tag}e${i}`;
      const port = `r${tag}p${i}`;
      ip('link', 'add', end, 'type', 'veth', 'peer', 'name', port);
      ip('link', 'set', port, 'netns', hub);
      ip('-n', hub, 'link', 'set', port, 'master', 'br0', 'up');
      if (inside) ip('link', 'set', end, 'netns', inside);
      const where = inside ? ['-n', inside] : [];
      ip(...where, 'addr', 'add', `${address}/24`, 'dev', end);
      ip(...where, 'link', 'set', end, 'up');
    };
    names.forEach((host, i) => {
      add(ns(host));
      ip('-n', ns(host), 'link', 'set', 'lo', 'up');
      addresses.set(host, `${subnet}.${i + 2}`);
      link(i, ns(host), addresses.get(host)!);
    });
    addresses.set('test', `${subnet}.200`);
    link(names.length, null, addresses.get('test')!);
  } catch (err) {
    destroy();
    throw err;
  }
  return {
    address: (host) => addresses.get(host)!,
    spawn: (host, argv, env) =>
      spawn('ip', ['netns', 'exec', ns(host), ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    killAll: (host) => {
      const pids = pidsOf(ns(host));
      for (const pid of pids) killQuietly(pid);
      return pids;
    },
    destroy,
  };
}

function pidsOf(name: string): number[] {
  try {
    return ip('netns', 'pids', name).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
