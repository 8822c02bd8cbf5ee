// SPDX-License-Identifier: GPL-2.0-only
//
// CLI errors: usage errors (exit code 2) and the one-line report of a
// failed operation, naming the image and the file.

import { elide, boundMessage } from '../errors'

/** A wrong command line: exit code 2, with a hint to --help. */
export class UsageError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Remember which image an error came from (the first one set wins). */
export function tagImage<E> (err: E, image: string | undefined): E {
  if (image !== undefined && err !== null && typeof err === 'object' && !('lklImage' in err)) {
    Object.defineProperty(err, 'lklImage', { value: image, enumerable: false })
  }
  return err
}

// A line on stderr is at most about this long (paths are elided first).
const LINE_KEEP = 2000

/** The one-line message for a failed command: `IMAGE: message`, bounded in length. */
export function describe (err: unknown): string {
  if (!(err instanceof Error)) return elide(String(err), LINE_KEEP)
  const image = (err as { lklImage?: string }).lklImage
  let msg = elide(boundMessage(err.message.split('\n')[0]), LINE_KEEP)
  const path = (err as { path?: string }).path
  if (image !== undefined && path !== image && !msg.includes(`'${image}'`)) msg = `${image}: ${msg}`
  return msg
}
