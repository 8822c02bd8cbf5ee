// SPDX-License-Identifier: GPL-2.0-only
//
// The CLI's entry pipelines: a source, a list of stages only known at run
// time (the --exclude/--strip/... transforms), a destination, through node's
// pipeline(). @types/node types a list of any length only with a
// NodeJS.ReadableStream first, and an object stream of Entry is not one to
// TypeScript (its for-await chunks are Entry, not string | Buffer; see
// lib/streams/node-types.ts), so this one place says that the source is a
// readable stream (it is one to node at run time). The stages and the
// destination are checked as they are.

import { pipeline } from 'stream/promises'
import type { PipelineOptions } from 'stream'
import type { ObjectReadable } from '../streams/node-types'

export type EntrySource = ObjectReadable<unknown> | NodeJS.ReadableStream

/** An entry source as the readable stream node's pipeline() takes it for. */
export function nodeReadable (source: EntrySource): NodeJS.ReadableStream {
  return source as NodeJS.ReadableStream
}

/** pipeline(source, ...stages, dest, options). */
export function runPipeline (source: EntrySource, stages: NodeJS.ReadWriteStream[], dest: NodeJS.WritableStream, options: PipelineOptions = {}): Promise<void> {
  return pipeline([nodeReadable(source), ...stages, dest], options)
}
