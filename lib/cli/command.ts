// SPDX-License-Identifier: GPL-2.0-only
//
// What a command is, the global options every command takes, and parsing.

import { parseArgs } from 'util'
import { Context, Globals } from './context'
import { UsageError } from './errors'

export interface OptionDef {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
}

export type Values = Record<string, string | boolean | string[] | undefined>

export interface Command {
  name: string
  /** One line for `lkl --help`. */
  summary: string
  /** The usage line(s) and option help shown by `lkl CMD --help`. */
  help: string
  options: Record<string, OptionDef>
  /** Resolves with the exit status when it is not 0 without an error (cp omitting files). */
  run (ctx: Context, args: string[], v: Values): Promise<void | number>
}

export const GLOBAL_OPTIONS: Record<string, OptionDef> = {
  type: { type: 'string', short: 't' },
  partition: { type: 'string' },
  'read-only': { type: 'boolean' },
  overlay: { type: 'boolean' },
  wait: { type: 'boolean' },
  memory: { type: 'string' },
  'owner-map': { type: 'string' },
  exclude: { type: 'string', multiple: true },
  strip: { type: 'string' },
  reproducible: { type: 'boolean' },
  'skip-bad-names': { type: 'boolean' },
  log: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' }
}

export const GLOBAL_HELP = `Global options:
  -t, --type TYPE          filesystem type (default: detected)
      --partition N        partition number, label=LABEL or partlabel=LABEL
      --read-only          open images read-only
      --overlay            keep writes in memory: never modify the image file
      --wait               wait while another process has the image open
      --memory SIZE        kernel memory, e.g. 512M
      --owner-map MAP      map owners: UID:GID (all), or uFROM=TO,gFROM=TO,...
      --exclude PATTERN    skip paths matching the glob (repeatable)
      --strip N            drop N leading path components
      --reproducible       clamp times to SOURCE_DATE_EPOCH (or 0), fixed UUIDs
      --skip-bad-names     skip corrupt directory entries (with a warning) instead of failing
      --log                print the kernel's log lines of this run on stderr at the end
  -v, --verbose            show stack traces on errors
  -h, --help               this help`

export function parse (cmd: Command, argv: string[]): { values: Values, args: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...cmd.options },
      allowPositionals: true,
      strict: true
    })
    return { values: values as Values, args: positionals }
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ''))
  }
}

export function globals (v: Values): Globals {
  const s = (k: string): string | undefined => typeof v[k] === 'string' ? v[k] as string : undefined
  const strip = s('strip')
  if (strip !== undefined && !/^\d+$/.test(strip)) throw new UsageError(`--strip must be a number (got '${strip}')`)
  return {
    type: s('type'),
    partition: s('partition'),
    readOnly: v['read-only'] === true,
    overlay: v.overlay === true,
    wait: v.wait === true,
    memory: s('memory'),
    ownerMap: s('owner-map'),
    exclude: (v.exclude as string[] | undefined) ?? [],
    strip,
    reproducible: v.reproducible === true || process.env.SOURCE_DATE_EPOCH !== undefined,
    skipBadNames: v['skip-bad-names'] === true,
    log: v.log === true,
    verbose: v.verbose === true
  }
}

/** Exactly `n` positional arguments (or a range). */
export function arity (args: string[], min: number, max: number, usage: string): void {
  if (args.length < min) throw new UsageError(`missing argument: ${usage}`)
  if (args.length > max) throw new UsageError(`unexpected argument '${args[max]}': ${usage}`)
}
