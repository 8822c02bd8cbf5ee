// SPDX-License-Identifier: GPL-2.0-only
//
// Argument helpers and the generic syscall job. JS thread for everything
// that reads `info`; SysJob::Execute runs on a pool thread.
//
// lib/ validates every argument before calling native; these helpers only
// convert. Buffer bounds are still checked here (cheaply) because a bad
// bound would let the kernel write outside a JS buffer.
#ifndef LKL_NATIVE_ARGS_H
#define LKL_NATIVE_ARGS_H

#include <napi.h>

#include <memory>
#include <string>

extern "C" {
#include <lkl_host.h>
}

#include "name_codec.h"
#include "pool.h"
#include "sys.h"

namespace lkl {

Completer* GetCompleter(Napi::Env env);

inline long ArgLong(const Napi::CallbackInfo& info, size_t i) {
  return static_cast<long>(info[i].As<Napi::Number>().Int64Value());
}

// Strings (paths, names): a Buffer's raw bytes, or a JS string as UTF-8
// with surrogate escapes back to their bytes (name_codec.h).
inline std::string ArgString(const Napi::CallbackInfo& info, size_t i) { return NameBytes(info[i]); }

// A plain syscall: number + up to 6 longs; up to two strings owned by the
// job (pointers into them are stable since the job lives on the heap).
class SysJob : public Job {
 public:
  explicit SysJob(long nr) : nr_(nr) {}
  // Store a string and pass a pointer to it as argument `arg`.
  void SetString(int slot, int arg, std::string s) {
    s_[slot] = std::move(s);
    a_[arg] = P(s_[slot].c_str());
  }
  // Pass a pointer into a JS Uint8Array (kept alive until completion) as
  // argument `arg`. Returns false if [off, off+len) is out of bounds.
  bool SetBuffer(int arg, Napi::Value v, long off, long len) {
    auto arr = v.As<Napi::Uint8Array>();
    if (off < 0 || len < 0 || static_cast<size_t>(off) > arr.ByteLength() ||
        static_cast<size_t>(len) > arr.ByteLength() - static_cast<size_t>(off))
      return false;
    Keep(arr);
    a_[arg] = P(arr.Data() + off);
    return true;
  }
  // Pool thread.
  void Execute() override {
    result_ = Sys(nr_, a_[0], a_[1], a_[2], a_[3], a_[4], a_[5]);
  }

  long nr_;
  long a_[6] = {0, 0, 0, 0, 0, 0};
  std::string s_[2];
};

// JS thread: queue a job, return its promise.
inline Napi::Value Submit(const Napi::CallbackInfo& info, std::unique_ptr<Job> job) {
  return GetCompleter(info.Env())->Submit(info.Env(), std::move(job));
}

}  // namespace lkl

#endif
