// SPDX-License-Identifier: GPL-2.0-only
//
// The members that describe the next one: pax headers ('x' for the next
// member, 'g' for all that follow) and GNU long names ('L' path, 'K' link
// target), collected until the member they describe arrives.

import { LklError } from '../errors'
import { parsePax } from './header'
import { Extensions } from './entry-from-header'

/** True for the typeflags of members that only describe the next one. */
export function isExtension (typeflag: string): boolean {
  return typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K'
}

function cString (b: Buffer): Buffer {
  const end = b.indexOf(0)
  return end < 0 ? b : b.subarray(0, end)
}

export class PendingExtensions {
  private _pax = new Map<string, Buffer>()
  private _global = new Map<string, Buffer>()
  private _longName: Buffer | null = null
  private _longLink: Buffer | null = null

  /** Take in the body of an extension member; `after` names the last entry, for errors. */
  add (typeflag: string, body: Buffer, after: string): void {
    if (typeflag === 'L') this._longName = cString(body)
    else if (typeflag === 'K') this._longLink = cString(body)
    else {
      let recs: Map<string, Buffer>
      try {
        recs = parsePax(Buffer.from(body))
      } catch (err) {
        throw LklError.tarInvalid(`Invalid pax header after the entry '${after || '(none)'}': ${(err as Error).message}`)
      }
      const into = typeflag === 'g' ? this._global : this._pax
      for (const [k, v] of recs) into.set(k, v)
    }
  }

  /** What applies to the member that comes now; the local ones are used up. */
  take (): Extensions {
    const pax = this._global.size ? new Map([...this._global, ...this._pax]) : this._pax
    const ext = { pax, longName: this._longName, longLink: this._longLink }
    this._pax = new Map()
    this._longName = null
    this._longLink = null
    return ext
  }
}
