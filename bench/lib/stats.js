// SPDX-License-Identifier: GPL-2.0-only
// Summaries of repeated runs: min / median / max of a list of numbers, and
// the few number formats the report prints.
'use strict'

function summary (values) {
  const v = [...values].sort((a, b) => a - b)
  if (!v.length) return null
  const mid = v.length >> 1
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2
  return { min: v[0], median, max: v[v.length - 1], n: v.length }
}

const MiB = 1024 * 1024

// "1234 / 1300 / 1400" with a unit-specific scale and precision.
function triple (s, scale = 1, digits = 0) {
  if (!s) return '-'
  const f = (x) => (x / scale).toFixed(digits)
  return `${f(s.min)} / ${f(s.median)} / ${f(s.max)}`
}

module.exports = { summary, triple, MiB }
