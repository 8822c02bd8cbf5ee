// SPDX-License-Identifier: GPL-2.0-only
//
// Kernel log records through /dev/kmsg (see kmsg.h). KmsgOpen/KmsgRead and
// the jobs' Execute() run on pool threads; entry functions and Result() on
// the JS thread.
#include "kmsg.h"

#include <lkl/asm/errno.h>
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/stat.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "args.h"
#include "ops.h"
#include "sys.h"

namespace lkl {

namespace {

// The kernel has no devtmpfs here: make the node (char 1:11) in the
// kernel's own root once; racing pool threads both succeed (EEXIST).
std::atomic<bool> node_made{false};
constexpr const char* kNode = "/dev/kmsg";

long MakeNode() {
  if (node_made.load(std::memory_order_acquire)) return 0;
  Sys(__lkl__NR_mkdirat, LKL_AT_FDCWD, P("/dev"), 0755);
  long dev = (1 << 8) | 11;  // the kernel's new_encode_dev(MKDEV(1, 11))
  long r = Sys(__lkl__NR_mknodat, LKL_AT_FDCWD, P(kNode), LKL_S_IFCHR | 0600, dev);
  if (r < 0 && r != -LKL_EEXIST) return r;
  node_made.store(true, std::memory_order_release);
  return 0;
}

}  // namespace

long KmsgOpen(bool at_end) {
  long r = MakeNode();
  if (r < 0) return r;
  long fd = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P(kNode),
                LKL_O_RDONLY | LKL_O_NONBLOCK | LKL_O_CLOEXEC, 0);
  if (fd >= 0 && at_end) Sys(__lkl__NR_lseek, fd, 0, 2 /* SEEK_END */);
  return fd;
}

void KmsgRead(long fd, int max_level, std::vector<LogLine>* out) {
  // One record per read: "prefix,seq,usec,flags;text\n" then " KEY=value"
  // lines; a record is at most 8 KiB (CONSOLE_EXT_LOG_MAX).
  std::vector<char> buf(16 * 1024);
  for (;;) {
    long n = Sys(__lkl__NR_read, fd, P(buf.data()), static_cast<long>(buf.size()));
    if (n == -LKL_EPIPE) continue;  // overwritten before we read it: go on
    if (n <= 0) return;             // -EAGAIN: nothing newer
    const char* rec = buf.data();
    const char* semi = static_cast<const char*>(std::memchr(rec, ';', n));
    if (!semi) continue;
    char* field;
    int level = static_cast<int>(std::strtol(rec, &field, 10) & 7);
    if (level > max_level) continue;
    double seq = *field == ',' ? std::strtod(field + 1, nullptr) : 0;
    const char* text = semi + 1;
    const char* end = static_cast<const char*>(std::memchr(text, '\n', rec + n - text));
    out->push_back({level, seq, std::string(text, end ? end : rec + n)});
  }
}

namespace {

using Info = const Napi::CallbackInfo&;

// kernelLog(maxLevel) -> [level, seq, text, level, seq, text, ...] |
// -errno: every record the ring still holds (oldest first), levels up to
// maxLevel.
class LogJob : public Job {
 public:
  explicit LogJob(int max_level) : max_level_(max_level) {}
  void Execute() override {
    long fd = KmsgOpen(false);
    if (fd < 0) {
      result_ = fd;
      return;
    }
    KmsgRead(fd, max_level_, &lines_);
    Sys(__lkl__NR_close, fd);
  }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) return Job::Result(env);
    Napi::Array arr = Napi::Array::New(env, lines_.size() * 3);
    for (size_t i = 0; i < lines_.size(); i++) {
      arr[i * 3] = Napi::Number::New(env, lines_[i].level);
      arr[i * 3 + 1] = Napi::Number::New(env, lines_[i].seq);
      arr[i * 3 + 2] = Napi::String::New(env, lines_[i].text);
    }
    return arr;
  }

 private:
  int max_level_;
  std::vector<LogLine> lines_;
};

Napi::Value KernelLog(Info info) {
  return Submit(info, std::make_unique<LogJob>(static_cast<int>(ArgLong(info, 0))));
}

}  // namespace

void InitKmsg(Napi::Env env, Napi::Object exports) {
  exports["kernelLog"] = Napi::Function::New(env, KernelLog, "kernelLog");
}

}  // namespace lkl
