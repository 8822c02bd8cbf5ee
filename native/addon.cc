// SPDX-License-Identifier: GPL-2.0-only
//
// Module init (JS thread). The addon's surface is described, typed, in
// lib/native.ts; keep the two in step.
#include <napi.h>

#include "args.h"
#include "batch.h"
#include "name_codec.h"
#include "ops.h"
#include "pool.h"

namespace lkl {

namespace {

// Completers are never freed: pool threads may hold one at process exit.
void KeepCompleter(Napi::Env, Completer*) {}

}  // namespace

// One completion channel per JS environment, kept as instance data.
Completer* GetCompleter(Napi::Env env) { return env.GetInstanceData<Completer>(); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<Completer, KeepCompleter>(new Completer(env));
  InitKernel(env, exports);
  InitKmsg(env, exports);
  InitDisk(env, exports);
  InitOps(env, exports);
  InitStructOps(env, exports);
  InitFileOps(env, exports);
  InitXattrOps(env, exports);
  InitTreeOps(env, exports);
  InitConstants(env, exports);
  InitBatchScan(env, exports);
  InitBatchApply(env, exports);
  InitCopy(env, exports);
  InitBeneath(env, exports);
  InitHostOps(env, exports);
  InitNameCodec(env, exports);
  exports["poolThreads"] = Napi::Number::New(env, kPoolThreads);
  return exports;
}

}  // namespace lkl

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return lkl::Init(env, exports);
}

NODE_API_MODULE(lkl, InitModule)
