// SPDX-License-Identifier: GPL-2.0-only
//
// Which layers make the image asked for: an OCI layout's index.json (a tag
// by the org.opencontainers.image.ref.name annotation, a platform from a
// multi-platform index) or a docker save's manifest.json (a tag from
// RepoTags). The index, manifests and configs are small JSON files read
// whole; every one named by a digest is checked against it. JS thread.

import { createHash } from 'crypto'
import { Store } from './store'
import { LklError } from '../errors'
import type { Codec } from '../cli/compress'

/** One layer to read, lowest first. */
export interface LayerRef {
  /** The file of the layer in the source. */
  name: string
  /** The sha256 of the file as stored ('sha256:<hex>'), when the image names it. */
  digest?: string
  /** The sha256 of the uncompressed tar (a docker config's diff_id), when known. */
  diffId?: string
  /** The compression: from the media type, or null to detect it from the bytes. */
  codec: Codec | 'none' | null
}

export interface Platform { os: string, architecture: string, variant?: string }

// Parsed JSON of an untrusted source: every field is checked where it is used.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const REF_ANNOTATION = 'org.opencontainers.image.ref.name'
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'])
const DIGEST = /^sha256:[0-9a-f]{64}$/

// Node's process.arch as OCI's GOARCH names.
const ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', mips64el: 'mips64le' }

/** 'os/arch[/variant]' (default: the host's) as a Platform. */
export function parsePlatform (p?: string): Platform {
  if (p === undefined) return { os: 'linux', architecture: ARCH[process.arch] ?? process.arch }
  const [os, architecture, variant] = p.split('/')
  if (!os || !architecture) throw LklError.ociInvalid(p, "a platform is 'os/arch' or 'os/arch/variant' (linux/amd64, linux/arm64/v8)")
  return { os, architecture, variant }
}

function showPlatform (p: Partial<Platform>): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/')
}

/** The compression a layer media type says (null: not a layer type lkl knows). */
export function layerCodec (mediaType: string): Codec | 'none' | null {
  if (!/^application\/vnd\.(oci\.image\.layer\.(nondistributable\.)?v1\.tar|docker\.image\.rootfs\.(foreign\.)?diff\.tar)/.test(mediaType)) return null
  if (/[+.]gzip$/.test(mediaType)) return 'gzip'
  if (/\+zstd$/.test(mediaType)) return 'zstd'
  if (/\.tar$/.test(mediaType)) return 'none'
  return null
}

function blobName (source: string, digest: unknown): string {
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw LklError.ociInvalid(source, `'${String(digest)}' is not a sha256 digest lkl can check`)
  return `blobs/sha256/${digest.slice(7)}`
}

function parse (source: string, name: string, buf: Buffer): Json {
  try {
    return JSON.parse(buf.toString('utf8'))
  } catch (e) {
    throw LklError.ociInvalid(source, `'${name}' is not JSON: ${(e as Error).message}`)
  }
}

function sha256 (buf: Buffer): string {
  return 'sha256:' + createHash('sha256').update(buf).digest('hex')
}

/** A blob named by its digest, read whole and checked. */
async function blobJson (store: Store, digest: unknown): Promise<Json> {
  const name = blobName(store.source, digest)
  const buf = await store.read(name)
  const got = sha256(buf)
  if (got !== digest) throw LklError.ociDigest(store.source, name, String(digest), got)
  return parse(store.source, name, buf)
}

function matches (want: Platform, p: Partial<Platform> | undefined): boolean {
  if (!p) return false
  return p.os === want.os && p.architecture === want.architecture && (want.variant === undefined || p.variant === want.variant)
}

/** The layers of an OCI layout's image `ref` for `platform`. */
export async function ociImage (store: Store, ref: string | undefined, platform: Platform): Promise<LayerRef[]> {
  const src = store.source
  const index = parse(src, 'index.json', await store.read('index.json'))
  let list: Json[] = Array.isArray(index?.manifests) ? index.manifests : []
  const refs = list.map((d) => d?.annotations?.[REF_ANNOTATION]).filter((r): r is string => typeof r === 'string')
  if (ref !== undefined) {
    list = list.filter((d) => d?.annotations?.[REF_ANNOTATION] === ref)
    if (list.length === 0) throw LklError.ociNotFound(src, `tagged '${ref}'`, refs)
  }
  let desc = pick(src, list, platform, refs)
  // A multi-platform index: one of its manifests.
  while (INDEX_TYPES.has(desc.mediaType)) {
    const sub = await blobJson(store, desc.digest)
    desc = pick(src, Array.isArray(sub?.manifests) ? sub.manifests : [], platform, [])
  }
  const manifest = await blobJson(store, desc.digest)
  if (!Array.isArray(manifest?.layers)) throw LklError.ociInvalid(src, `the manifest ${String(desc.digest)} lists no layers`)
  return manifest.layers.map((l: Json) => {
    const codec = layerCodec(String(l?.mediaType))
    if (codec === null) throw LklError.ociInvalid(src, `the layer ${String(l?.digest)} has the media type '${String(l?.mediaType)}', not a tar, tar+gzip or tar+zstd layer`)
    return { name: blobName(src, l.digest), digest: l.digest, codec }
  })
}

// One descriptor of `list`: the only one, or the one for the platform.
function pick (src: string, list: Json[], platform: Platform, refs: string[]): Json {
  if (list.length === 1 && !list[0]?.platform) return list[0]
  const fit = list.filter((d) => matches(platform, d?.platform))
  if (fit.length >= 1) return fit[0]
  if (list.length === 0) throw LklError.ociNotFound(src, 'at all', [])
  const platforms = list.map((d) => d?.platform ? showPlatform(d.platform) : '').filter(Boolean)
  if (platforms.length) throw LklError.ociNotFound(src, `for ${showPlatform(platform)}`, platforms)
  throw LklError.ociNotFound(src, 'without a ref: it holds several', refs)
}

// The forms a docker tag is written in: 'busybox:1', 'docker.io/library/busybox:1'.
function tagForms (tag: string): string[] {
  const forms = [tag]
  for (const p of ['docker.io/library/', 'docker.io/', 'localhost/']) if (tag.startsWith(p)) forms.push(tag.slice(p.length))
  return forms
}

/** The layers of a docker save archive's image `ref` (a RepoTags entry). */
export async function dockerImage (store: Store, ref: string | undefined): Promise<LayerRef[]> {
  const src = store.source
  const list = parse(src, 'manifest.json', await store.read('manifest.json'))
  if (!Array.isArray(list) || list.length === 0) throw LklError.ociInvalid(src, "'manifest.json' lists no images")
  const tags = list.flatMap((m: Json) => Array.isArray(m?.RepoTags) ? m.RepoTags as string[] : [])
  let entry: Json
  if (ref !== undefined) {
    entry = list.find((m: Json) => Array.isArray(m?.RepoTags) && m.RepoTags.some((t: string) => tagForms(t).includes(ref)))
    if (!entry) throw LklError.ociNotFound(src, `tagged '${ref}'`, tags)
  } else if (list.length === 1) {
    entry = list[0]
  } else {
    throw LklError.ociNotFound(src, 'without a ref: it holds several', tags)
  }
  if (!Array.isArray(entry.Layers) || typeof entry.Config !== 'string') throw LklError.ociInvalid(src, "an image of 'manifest.json' has no Config or Layers")
  // The config is named by its digest ('<hex>.json' or 'blobs/sha256/<hex>'); its
  // rootfs.diff_ids are the digests of the uncompressed layers.
  const cbuf = await store.read(entry.Config)
  const hex = /([0-9a-f]{64})(\.json)?$/.exec(entry.Config)
  if (hex && sha256(cbuf) !== `sha256:${hex[1]}`) throw LklError.ociDigest(src, entry.Config, `sha256:${hex[1]}`, sha256(cbuf))
  const config = parse(src, entry.Config, cbuf)
  const diffIds: unknown[] = Array.isArray(config?.rootfs?.diff_ids) ? config.rootfs.diff_ids : []
  if (diffIds.length !== entry.Layers.length) throw LklError.ociInvalid(src, `the config ${entry.Config} lists ${diffIds.length} layer digests for ${entry.Layers.length} layers`)
  return entry.Layers.map((name: unknown, i: number) => {
    if (typeof name !== 'string') throw LklError.ociInvalid(src, `layer ${i + 1} of 'manifest.json' is not a file name`)
    blobName(src, diffIds[i])
    return { name, diffId: diffIds[i] as string, codec: null }
  })
}
