// SPDX-License-Identifier: GPL-2.0-only
//
// Copy fast paths between host fds and kernel fds, in C with large buffers,
// Entry functions run on the JS thread; the copy
// runs on a pool thread (one job for the whole range).
//
// The host library's lkl_host_copy_from_host/_to_host (sparse-aware) are
// used when linked in; otherwise a plain chunked pread/pwrite loop here
// (holes in a host source are still skipped with SEEK_DATA/SEEK_HOLE when
// the destination is fresh). Weak references keep the addon loadable
// against a host library that does not have them yet.
#include <errno.h>
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "args.h"
#include "batch.h"

extern "C" {
long long lkl_host_copy_from_host(int, int64_t, int, int64_t, uint64_t)
    __attribute__((weak));
long long lkl_host_copy_to_host(int, int64_t, int, int64_t, uint64_t)
    __attribute__((weak));
}

namespace lkl {

namespace {

using Info = const Napi::CallbackInfo&;
constexpr size_t kChunk = 4 << 20;

long Sys(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0) {
  return lkl_host_syscall(nr, a1, a2, a3, a4, 0, 0);
}

// Fallback host -> kernel: off -1 = current position (advanced).
long long CopyIn(int hfd, int64_t hoff, int kfd, int64_t koff, uint64_t len) {
  std::vector<char> buf(kChunk);
  uint64_t done = 0;
  while (done < len) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, len - done));
    ssize_t n = hoff < 0 ? ::read(hfd, buf.data(), want)
                         : ::pread(hfd, buf.data(), want, hoff + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) break;
    for (ssize_t w = 0; w < n;) {
      long r = koff < 0 ? Sys(__lkl__NR_write, kfd, reinterpret_cast<long>(buf.data() + w), n - w)
                        : Sys(__lkl__NR_pwrite64, kfd, reinterpret_cast<long>(buf.data() + w), n - w,
                              koff + done + w);
      if (r < 0) return r;
      if (r == 0) return -5;
      w += r;
    }
    done += n;
  }
  return static_cast<long long>(done);
}

// Fallback kernel -> host.
long long CopyOut(int kfd, int64_t koff, int hfd, int64_t hoff, uint64_t len) {
  std::vector<char> buf(kChunk);
  uint64_t done = 0;
  while (done < len) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, len - done));
    long n = koff < 0 ? Sys(__lkl__NR_read, kfd, reinterpret_cast<long>(buf.data()), want)
                      : Sys(__lkl__NR_pread64, kfd, reinterpret_cast<long>(buf.data()), want, koff + done);
    if (n < 0) return n;
    if (n == 0) break;
    for (long w = 0; w < n;) {
      ssize_t r = hoff < 0 ? ::write(hfd, buf.data() + w, n - w)
                           : ::pwrite(hfd, buf.data() + w, n - w, hoff + done + w);
      if (r < 0) {
        if (errno == EINTR) continue;
        return -errno;
      }
      w += r;
    }
    done += n;
  }
  return static_cast<long long>(done);
}

class CopyJob : public Job {
 public:
  bool in_;
  int host_, kern_;
  int64_t hoff_, koff_;
  uint64_t len_;
  void Execute() override {
    long long r;
    if (in_)
      r = lkl_host_copy_from_host ? lkl_host_copy_from_host(host_, hoff_, kern_, koff_, len_)
                                  : CopyIn(host_, hoff_, kern_, koff_, len_);
    else
      r = lkl_host_copy_to_host ? lkl_host_copy_to_host(kern_, koff_, host_, hoff_, len_)
                                : CopyOut(kern_, koff_, host_, hoff_, len_);
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
  exports["hasHostCopy"] = Napi::Boolean::New(env, lkl_host_copy_from_host != nullptr);
}

}  // namespace lkl
