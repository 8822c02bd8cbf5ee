// SPDX-License-Identifier: GPL-2.0-only
//
// The one mapping between names as bytes (what the kernel stores) and names
// as JS strings. Linux names are bytes; most are UTF-8, some (old Latin-1
// trees, corrupt images) are not. A JS string cannot hold arbitrary bytes,
// so every byte that is not part of a valid UTF-8 sequence becomes the lone
// surrogate U+DC00 + byte (U+DC80..U+DCFF, "surrogate escapes"), and such a
// surrogate becomes that byte again on the way in. Valid UTF-8 is unchanged
// both ways, so bytes -> string -> bytes is exact for every name.
//
// JS thread only (they touch napi values). docs/api.md "File names that
// are not UTF-8" describes what users see.
#ifndef LKL_NATIVE_NAME_CODEC_H
#define LKL_NATIVE_NAME_CODEC_H

#include <napi.h>

#include <string>

namespace lkl {

// A name or path from JS: a Buffer's raw bytes, or a string with surrogate
// escapes turned back into their bytes. Anything else gives "".
std::string NameBytes(Napi::Value v);

// Bytes from the kernel (or the host) as a JS string, invalid UTF-8 escaped.
// A Napi::Value, not a Napi::String: node-addon-api turns a String assigned
// to a property into std::string and back (UTF-8), which would replace
// every escape with U+FFFD.
Napi::Value NameString(Napi::Env env, const char* data, size_t len);
inline Napi::Value NameString(Napi::Env env, const std::string& s) {
  return NameString(env, s.data(), s.size());
}

// nameToBytes(string) -> Buffer; nameFromBytes(Buffer) -> string: the same
// mapping for lib/ (lib/name-bytes.ts), where names arrive as Buffers.
void InitNameCodec(Napi::Env env, Napi::Object exports);

}  // namespace lkl

#endif
