// SPDX-License-Identifier: GPL-2.0-only
// Batched operations (one crossing into native for many items) and the
// copy fast paths. Registration runs on the JS thread at module init.
#ifndef LKL_NATIVE_BATCH_H
#define LKL_NATIVE_BATCH_H

#include <napi.h>

namespace lkl {

void InitBatchScan(Napi::Env env, Napi::Object exports);   // batch_scan.cc
void InitBatchApply(Napi::Env env, Napi::Object exports);  // batch_apply.cc
void InitCopy(Napi::Env env, Napi::Object exports);        // copy.cc
void InitBeneath(Napi::Env env, Napi::Object exports);     // beneath.cc

}  // namespace lkl

#endif
