// SPDX-License-Identifier: GPL-2.0-only
//
// Surrogate escapes for names that are not UTF-8 (name_codec.h says why).
// JS thread only.
#include "name_codec.h"

#include <cstdint>
#include <vector>

namespace lkl {

namespace {

// Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one.
// Strict: no overlong forms, no encoded surrogates (they would decode to
// the very escapes we make), nothing above U+10FFFF.
size_t Utf8SequenceLength(const unsigned char* s, size_t n) {
  unsigned char c = s[0];
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (n < len || s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < len; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  return len;
}

void PutUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The slow path of NameBytes: the string holds surrogates (napi's UTF-8
// replaced some with U+FFFD). Walk its UTF-16 units.
std::string FromUtf16(const std::u16string& u) {
  std::string out;
  out.reserve(u.size() * 3);
  for (size_t i = 0; i < u.size(); i++) {
    uint32_t c = u[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < u.size() && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF) {
      PutUtf8(&out, 0x10000 + ((c - 0xD800) << 10) + (u[i + 1] - 0xDC00));
      i++;
    } else if (c >= 0xDC80 && c <= 0xDCFF) {
      out.push_back(static_cast<char>(c - 0xDC00));  // an escaped byte
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      PutUtf8(&out, 0xFFFD);  // any other lone surrogate: as node's fs does
    } else {
      PutUtf8(&out, c);
    }
  }
  return out;
}

Napi::Value NameToBytes(const Napi::CallbackInfo& info) {
  std::string b = NameBytes(info[0]);
  return Napi::Buffer<char>::Copy(info.Env(), b.data(), b.size());
}

Napi::Value NameFromBytes(const Napi::CallbackInfo& info) {
  auto b = info[0].As<Napi::Uint8Array>();
  return NameString(info.Env(), reinterpret_cast<const char*>(b.Data()), b.ByteLength());
}

}  // namespace

std::string NameBytes(Napi::Value v) {
  if (v.IsBuffer()) {
    auto b = v.As<Napi::Buffer<char>>();
    return std::string(b.Data(), b.Length());
  }
  if (!v.IsString()) return std::string();
  auto s = v.As<Napi::String>();
  std::string utf8 = s.Utf8Value();
  // Fast path: no U+FFFD in the result means there was no lone surrogate.
  if (utf8.find("\xEF\xBF\xBD") == std::string::npos) return utf8;
  return FromUtf16(s.Utf16Value());
}

Napi::Value NameString(Napi::Env env, const char* data, size_t len) {
  const auto* s = reinterpret_cast<const unsigned char*>(data);
  size_t i = 0;
  for (size_t n; i < len && (n = Utf8SequenceLength(s + i, len - i)) != 0;) i += n;
  if (i == len) return Napi::String::New(env, data, len);  // valid UTF-8: as is
  std::u16string u;
  u.reserve(len);
  for (i = 0; i < len;) {
    size_t n = Utf8SequenceLength(s + i, len - i);
    if (n == 0) {
      u.push_back(static_cast<char16_t>(0xDC00 + s[i]));
      i++;
      continue;
    }
    uint32_t cp = n == 1 ? s[i] : n == 2 ? s[i] & 0x1F : n == 3 ? s[i] & 0x0F : s[i] & 0x07;
    for (size_t k = 1; k < n; k++) cp = (cp << 6) | (s[i + k] & 0x3F);
    if (cp >= 0x10000) {
      u.push_back(static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10)));
      u.push_back(static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
    } else {
      u.push_back(static_cast<char16_t>(cp));
    }
    i += n;
  }
  return Napi::String::New(env, u);
}

void InitNameCodec(Napi::Env env, Napi::Object exports) {
  exports.Set("nameToBytes", Napi::Function::New(env, NameToBytes, "nameToBytes"));
  exports.Set("nameFromBytes", Napi::Function::New(env, NameFromBytes, "nameFromBytes"));
}

}  // namespace lkl
