// SPDX-License-Identifier: GPL-2.0-only
//
// Progress on stderr when it is a terminal: bytes, entries, rate, and the
// ETA when the total is known. Silent otherwise.

const INTERVAL_MS = 250

function human (n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++ }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${u[i]}`
}

function clock (s: number): string {
  s = Math.max(0, Math.round(s))
  const m = Math.floor(s / 60)
  return `${m}:${String(s % 60).padStart(2, '0')}`
}

export class Progress {
  bytes = 0
  entries = 0
  total: number | undefined
  private _start = Date.now()
  private _timer: NodeJS.Timeout | null = null
  private _out: NodeJS.WriteStream | null

  constructor (private _label: string, enabled = process.stderr.isTTY === true) {
    this._out = enabled ? process.stderr : null
    if (this._out) {
      this._timer = setInterval(() => this._draw(), INTERVAL_MS)
      this._timer.unref()
    }
  }

  get enabled (): boolean {
    return this._out !== null
  }

  add (bytes: number, entries = 0): void {
    this.bytes += bytes
    this.entries += entries
  }

  private _draw (): void {
    if (!this._out) return
    const secs = (Date.now() - this._start) / 1000
    const rate = secs > 0 ? this.bytes / secs : 0
    let line = `${this._label}: ${human(this.bytes)}`
    if (this.total) line += ` of ${human(this.total)}`
    if (this.entries) line += `, ${this.entries} entries`
    line += `, ${human(rate)}/s`
    if (this.total && rate > 0) line += `, ETA ${clock((this.total - this.bytes) / rate)}`
    this._out.write(`\r\x1b[K${line}`)
  }

  /** A new label (the layer of a container image being read); counts go on. */
  relabel (label: string): void {
    this._label = label
  }

  done (): void {
    if (this._timer) clearInterval(this._timer)
    this._timer = null
    if (this._out) {
      this._draw()
      this._out.write('\n')
      this._out = null
    }
  }
}
