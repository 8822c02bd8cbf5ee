// SPDX-License-Identifier: GPL-2.0-only
//
// Copy fast paths between host fds and kernel fds: the host library's
// lkl_host_copy_from_host/_to_host (large chunks, sparse-aware: holes stay
// holes). Entry functions run on the JS thread; the copy runs on a pool
// thread, one job for the whole range.
#include "args.h"
#include "batch.h"

namespace lkl {

namespace {

using Info = const Napi::CallbackInfo&;

class CopyJob : public Job {
 public:
  bool in_;
  int host_, kern_;
  int64_t hoff_, koff_;
  uint64_t len_;
  void Execute() override {
    long long r;
    if (in_)
      r = lkl_host_copy_from_host(host_, hoff_, kern_, koff_, len_);
    else
      r = lkl_host_copy_to_host(kern_, koff_, host_, hoff_, len_);
    result_ = static_cast<long>(r);
  }
};

// copyIn(hostFd, hostOff, kernelFd, kernelOff, len) -> bytes | -errno
// copyOut(kernelFd, kernelOff, hostFd, hostOff, len) -> bytes | -errno
Napi::Value Copy(Info info, bool in) {
  auto job = std::make_unique<CopyJob>();
  job->in_ = in;
  int a = in ? 0 : 2, b = in ? 2 : 0;
  job->host_ = static_cast<int>(ArgLong(info, a));
  job->hoff_ = ArgLong(info, a + 1);
  job->kern_ = static_cast<int>(ArgLong(info, b));
  job->koff_ = ArgLong(info, b + 1);
  job->len_ = static_cast<uint64_t>(info[4].As<Napi::Number>().Int64Value());
  return Submit(info, std::move(job));
}
Napi::Value CopyInJs(Info info) { return Copy(info, true); }
Napi::Value CopyOutJs(Info info) { return Copy(info, false); }

}  // namespace

void InitCopy(Napi::Env env, Napi::Object exports) {
  exports["copyIn"] = Napi::Function::New(env, CopyInJs, "copyIn");
  exports["copyOut"] = Napi::Function::New(env, CopyOutJs, "copyOut");
}

}  // namespace lkl
