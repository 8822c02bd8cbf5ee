// SPDX-License-Identifier: GPL-2.0-only
// Registration of the addon's entry points (module init, JS thread).
#ifndef LKL_NATIVE_OPS_H
#define LKL_NATIVE_OPS_H

#include <napi.h>

namespace lkl {

void InitOps(Napi::Env env, Napi::Object exports);        // ops.cc
void InitStructOps(Napi::Env env, Napi::Object exports);  // ops_struct.cc
void InitFileOps(Napi::Env env, Napi::Object exports);    // ops_file.cc
void InitXattrOps(Napi::Env env, Napi::Object exports);   // ops_xattr.cc
void InitTreeOps(Napi::Env env, Napi::Object exports);    // ops_tree.cc
void InitKernel(Napi::Env env, Napi::Object exports);     // kernel.cc
void InitDisk(Napi::Env env, Napi::Object exports);       // disk.cc
void InitConstants(Napi::Env env, Napi::Object exports);  // constants.cc
void InitKmsg(Napi::Env env, Napi::Object exports);       // kmsg.cc
// Host syscalls node:fs lacks, one plain synchronous call each on the JS
// thread (not batched, never the kernel).
void InitHostOps(Napi::Env env, Napi::Object exports);  // host_ops.cc

}  // namespace lkl

#endif
