// SPDX-License-Identifier: GPL-2.0-only
// Prints a set's cells (min / median / max of time and peak RSS), the ratio
// of medians lkl / anchor with its target, then the peak RSS and scale
// summaries across sets.
'use strict'

const { summary, triple, MiB } = require('./stats')

const GiB = 1024 * MiB
const verdict = (met) => met ? 'met' : 'MISSED'

// cell: { runs: [{ ms, rss }], error, errorRun, skip }
function cellStats (cell) {
  return { ms: summary(cell.runs.map((r) => r.ms)), rss: summary(cell.runs.map((r) => r.rss)) }
}

// One cell: its time and peak RSS, or only its RSS (the RSS summary).
function cellText (label, cell, rssOnly) {
  const head = '  ' + label.padEnd(46)
  if (cell.skip) return head + cell.skip
  if (cell.error) return head + `${cell.error} after ${(cell.errorMs / 1000).toFixed(1)} s (run ${cell.errorRun}; not repeated)`
  const s = cellStats(cell)
  const rss = `${triple(s.rss, MiB).padStart(15)} MiB`
  return head + (rssOnly ? rss : `${triple(s.ms).padStart(24)} ms  ${rss}`)
}

function printSet (set, cells, runs) {
  console.log(`\n${set.title}; ${runs} run${runs > 1 ? 's' : ''}, time min / median / max, peak RSS min / median / max`)
  const lkl = cells.get(set.lkl)
  console.log(cellText(set.lkl.label, lkl))
  const a = lkl.runs.length && !lkl.error ? cellStats(lkl).ms.median : null
  for (const anchor of set.anchors) {
    const cell = cells.get(anchor)
    let line = cellText(anchor.label, cell)
    if (a !== null && !cell.skip && !cell.error && cell.runs.length) {
      const b = cellStats(cell).ms.median
      line += `   lkl/this ${(a / b).toFixed(2)}x`
      if (anchor.target) {
        const t = anchor.target(a, b)
        line += `  ${t.text}  ${verdict(t.met)}`
      }
    }
    console.log(line)
  }
  if (set.check) console.log('  ' + set.check())
}

function printRss (sets, cells) {
  console.log('\npeak RSS (MiB, min / median / max; the host kernel\'s own memory is not in any process\'s RSS)')
  const medianOf = (cell) => cell && cell.runs.length && !cell.error ? cellStats(cell).rss.median : null
  const rows = []
  for (const set of sets) {
    if (set.rss) rows.push({ rss: set.rss, cell: cells.get(set.lkl) })
    for (const anchor of set.anchors) if (anchor.rss) rows.push({ rss: anchor.rss, cell: cells.get(anchor) })
  }
  for (const { rss, cell } of rows) {
    let line = cellText(rss.label, cell, true)
    const m = medianOf(cell)
    if (m !== null && rss.max) line += `   target <= ${(rss.max / MiB).toFixed(0)} MiB  ${verdict(m <= rss.max)}`
    const other = rss.notAbove && medianOf(cells.get(rss.notAbove.lkl))
    if (m !== null && other) line += `   target <= the 5x row (${(other / MiB).toFixed(0)} MiB)  ${verdict(m <= other)}`
    console.log(line)
  }
}

// Time per GiB of tar for the lkl unpack rows that have one: scale is
// linear or better when the larger tars cost no more per GiB.
function printScale (sets, cells) {
  const rows = sets.filter((s) => s.tarBytes && s.key.startsWith('unpack-ext4-'))
  const per = rows.map((s) => {
    const cell = cells.get(s.lkl)
    if (!cell.runs.length || cell.error) return null
    return { set: s, sPerGiB: cellStats(cell).ms.median / 1000 / (s.tarBytes / GiB) }
  }).filter(Boolean)
  if (per.length < 2) return
  console.log('\nscale: lkl tar -> ext4, median seconds per GiB of tar')
  const base = per[0]
  for (const p of per) {
    let line = '  ' + p.set.rss.label.padEnd(46) + `${p.sPerGiB.toFixed(2)} s/GiB`
    if (p !== base) line += `   target <= ${base.sPerGiB.toFixed(2)} (${base.set.rss.label})  ${verdict(p.sPerGiB <= base.sPerGiB)}`
    console.log(line)
  }
}

module.exports = { printSet, printRss, printScale }
