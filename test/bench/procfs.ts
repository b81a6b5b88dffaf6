/**
 * What the kernel knows about a process and a core, read from /proc (proc(5)).
 * CPU times there are in clock ticks; memory in kilobytes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second (sysconf(_SC_CLK_TCK)); 100 on every Linux we know of. */
export const CLOCK_TICKS_PER_SECOND = readClockTicks();

function readClockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** A whole process's CPU time (all its threads), in seconds: in its own code, and in the kernel on its behalf. */
export function processCpuTimes(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name, in parentheses, may hold spaces: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5) (utime, stime) are the 12th and 13th after the name.
  return {
    user: Number(fields[11]) / CLOCK_TICKS_PER_SECOND,
    system: Number(fields[12]) / CLOCK_TICKS_PER_SECOND,
  };
}

/** User plus system CPU time of a whole process, in seconds. */
export function processCpuSeconds(pid: number): number {
  const { user, system } = processCpuTimes(pid);
  return user + system;
}

/** CPU time of the children this process has waited for (cutime + cstime), in seconds. */
export function waitedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
}

/** Resident memory now, and its peak over the process's life (VmRSS, VmHWM), in bytes. */
export function processMemory(pid: number): { rssBytes: number; peakRssBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssBytes: kilobytes('VmRSS') * 1024, peakRssBytes: kilobytes('VmHWM') * 1024 };
}

/** One core's time so far, in seconds, split the way a noise estimate needs it. */
export interface CoreTimes {
  /** Running processes: user, nice and system. */
  readonly processes: number;
  /** Interrupts and softirqs: much of the loopback network work lands here. */
  readonly interrupts: number;
  /** Taken by the hypervisor for other guests. */
  readonly steal: number;
  readonly total: number;
}

export function coreTimes(cpu: number): CoreTimes {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((row) => row.startsWith(`cpu${cpu} `));
  if (line === undefined) throw new Error(`no cpu${cpu} in /proc/stat`);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
    line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map((value) => Number(value) / CLOCK_TICKS_PER_SECOND);
  return {
    processes: user + nice + system,
    interrupts: irq + softirq,
    steal,
    total: user + nice + system + idle + iowait + irq + softirq + steal,
  };
}

export function cpuCount(): number {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((row) => /^cpu\d+ /.test(row)).length;
}
