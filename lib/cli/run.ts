// SPDX-License-Identifier: GPL-2.0-only
//
// `lkl`: build, inspect and convert disk images. Exit codes: 0 ok,
// 1 the operation failed, 2 usage. Errors are one line on stderr naming the
// image and the file (the stack too with -v).

import * as fs from 'fs'
import * as path from 'path'
import { Command, parse, globals, GLOBAL_HELP, GLOBAL_OPTIONS } from './command'
import { Context } from './context'
import { UsageError, describe } from './errors'
import { COMMANDS } from './commands'
import { docsPath } from './docs'
import { checkTransformOptions } from './transforms'
import { packageRoot } from '../package-root'

function usage (): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'Usage: lkl [GLOBAL OPTIONS] COMMAND [OPTIONS] ARGS',
    '',
    'Build, inspect and convert filesystem images with the Linux kernel in-process (no root).',
    'Image paths are written IMAGE or IMAGE:/path.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    GLOBAL_HELP,
    '',
    "Run 'lkl COMMAND --help' for a command's options.",
    `Reference: ${docsPath('cli.md')} (library: ${docsPath('api.md')})`
  ].join('\n') + '\n'
}

function version (): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version
}

/** Run one command line; resolves with the exit code. */
export async function main (argv: string[]): Promise<number> {
  let pre: string[]
  try {
    pre = leadingGlobals(argv)
  } catch (err) {
    process.stderr.write(`lkl: ${(err as Error).message}\nTry 'lkl --help'.\n`)
    return 2
  }
  const [name, ...after] = argv.slice(pre.length)
  // Global options written before the command are parsed with the command's.
  const rest = [...pre, ...after]
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined
    if (topic) process.stdout.write(helpOf(topic))
    else (name === undefined ? process.stderr : process.stdout).write(usage())
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(version() + '\n')
    return 0
  }
  const cmd = COMMANDS.find((c) => c.name === name)
  if (!cmd) {
    process.stderr.write(`lkl: unknown command '${name}'\nTry 'lkl --help'.\n`)
    return 2
  }
  let ctx: Context | null = null
  let verbose = rest.includes('-v') || rest.includes('--verbose')
  try {
    const { values, args } = parse(cmd, rest)
    if (values.help) {
      process.stdout.write(helpOf(cmd))
      return 0
    }
    const g = globals(values)
    verbose = g.verbose
    checkTransformOptions(g)
    ctx = new Context(g, name)
    const status = await cmd.run(ctx, args, values)
    await ctx.close()
    await ctx.printKernelLog()
    return status ?? 0
  } catch (err) {
    if (ctx) {
      await ctx.close().catch(() => {})
      await ctx.printKernelLog().catch(() => {})
    }
    if (isEpipe(err)) return 1
    const code = (err as { code?: string } | null)?.code
    if (err instanceof UsageError || code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE' || code === 'ERR_OUT_OF_RANGE') {
      process.stderr.write(`lkl ${name}: ${(err as Error).message}\nTry 'lkl ${name} --help'.\n`)
      return 2
    }
    process.stderr.write(`lkl ${name}: ${describe(err)}\n`)
    if (verbose && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n')
    return 1
  }
}

/**
 * The global options at the start of argv, before the command (`lkl
 * --partition 2 ls disk.img`), with their values. -h and -V stay the
 * top-level help and version.
 */
function leadingGlobals (argv: string[]): string[] {
  let i = 0
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '-') {
    const a = argv[i]
    if (a === '--') throw new UsageError("'--' before the command")
    const long = a.startsWith('--')
    const key = long ? a.slice(2).split('=')[0] : a.slice(1, 2)
    const name = long ? key : Object.keys(GLOBAL_OPTIONS).find((k) => GLOBAL_OPTIONS[k].short === key)
    const def = name === undefined ? undefined : GLOBAL_OPTIONS[name]
    if (def === undefined || name === 'help') {
      if (['-h', '--help', '-V', '--version'].includes(a)) break
      throw new UsageError(`unknown global option '${a}' before the command`)
    }
    const inline = long ? a.includes('=') : a.length > 2
    i++
    if (def.type === 'string' && !inline) {
      if (i >= argv.length) throw new UsageError(`option '${a}' needs a value`)
      i++
    }
  }
  return argv.slice(0, i)
}

function helpOf (cmd: Command): string {
  return `${cmd.help.trimEnd()}\n\n${GLOBAL_HELP}\n\nReference: ${docsPath('cli.md')}\n`
}

function isEpipe (err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'EPIPE'
}
