// SPDX-License-Identifier: GPL-2.0-only
//
// Kernel lifecycle: boot, halt, and the synchronous emergency close used
// only at process exit (the kernel log is kmsg.cc).
// Entry functions run on the JS thread; the work runs on a pool thread,
// except bootSync/haltSync and emergencyClose (each on its own short-lived
// host thread while the JS thread waits, see below).
#include <lkl/asm/errno.h>
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/resource.h>
#include <lkl/linux/sysinfo.h>
#include <sys/resource.h>

#include <algorithm>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "args.h"
#include "ops.h"
#include "sys.h"
#include "sysctl.h"

namespace lkl {

void PumpCustomDiskIo(napi_env env);  // disk_custom.cc

namespace {

using Info = const Napi::CallbackInfo&;

// The kernel's fd limit, raised right after boot. Every image's fds live in
// one table: all host tasks are threads of pid 1 (CLONE_FILES |
// CLONE_THREAD, deps/arch/lkl/kernel/syscalls.c), so they share its files
// and its rlimits, and the kernel's initial RLIMIT_NOFILE (1024 soft, 4096
// hard) would cap every image together. The new limit, soft and hard: the
// host's hard limit, at least 65536, at most the kernel's nr_open (its
// default, 1 << 20: fs/file.c keeps it static, and the hard limit may not
// exceed it). The fd table grows on demand, so an unused limit costs nothing.
constexpr unsigned long kMinFiles = 65536;
constexpr unsigned long kKernelNrOpen = 1UL << 20;

unsigned long FilesLimit() {
  struct rlimit host = {};
  if (getrlimit(RLIMIT_NOFILE, &host) != 0) return kMinFiles;
  if (host.rlim_max == RLIM_INFINITY) return kKernelNrOpen;
  return std::clamp(static_cast<unsigned long>(host.rlim_max), kMinFiles, kKernelNrOpen);
}

// Pool thread (a host task, so a thread of pid 1): the limit applies to
// every host task made before or after.
long RaiseFilesLimit() {
  struct lkl_rlimit64 lim = {};
  lim.rlim_cur = lim.rlim_max = FilesLimit();
  return Sys(__lkl__NR_prlimit64, 0, LKL_RLIMIT_NOFILE, P(&lim), 0);
}

// boot(memoryBytes, logToStderr, cmdline) -> 0 | -errno
class BootJob : public Job {
 public:
  BootJob(uint64_t memory, bool log, std::string cmdline) : cmdline_(std::move(cmdline)) {
    opts_.memory = memory;
    opts_.log_to_stderr = log ? 1 : 0;
    opts_.cmdline = nullptr;
  }
  void Execute() override {
    if (!cmdline_.empty()) opts_.cmdline = cmdline_.c_str();
    result_ = lkl_host_boot(&opts_);
    // Booted: a failure here leaves the kernel's own limit, and the kernel
    // running (it cannot boot twice), so it is not the boot's failure.
    if (result_ == 0) RaiseFilesLimit();
    if (result_ == 0) result_ = SetSysctls();
  }

 private:
  struct lkl_boot_options opts_ = {};
  std::string cmdline_;
};

Napi::Value Boot(Info info) {
  return Submit(info, std::make_unique<BootJob>(static_cast<uint64_t>(ArgLong(info, 0)),
                                                info[1].ToBoolean().Value(), ArgString(info, 2)));
}

// halt() -> 0 | -errno. lib calls it only with nothing mounted and no op
// in flight.
class HaltJob : public Job {
 public:
  void Execute() override { result_ = lkl_host_halt(); }
};

Napi::Value Halt(Info info) { return Submit(info, std::make_unique<HaltJob>()); }

// bootSync(memoryBytes, logToStderr, cmdline) -> 0 | -errno, and
// haltSync() -> 0 | -errno: the same work as boot/halt for callers that must
// not return before it is done (the node-lkl 1.x API, lib/compat). The JS
// thread still never enters the kernel: it blocks while a fresh host thread
// runs the job (a pool thread may be busy in a long call), then joins it.
// lib calls haltSync only with nothing mounted or attached and no op in
// flight, so no disk callback needs the JS thread meanwhile.
long RunOnFreshThread(Job* job) {
  std::thread([job] { job->Execute(); }).join();
  return job->result_;
}

Napi::Value BootSync(Info info) {
  BootJob job(static_cast<uint64_t>(ArgLong(info, 0)), info[1].ToBoolean().Value(), ArgString(info, 2));
  return Napi::Number::New(info.Env(), static_cast<double>(RunOnFreshThread(&job)));
}

Napi::Value HaltSync(Info info) {
  HaltJob job;
  return Napi::Number::New(info.Env(), static_cast<double>(RunOnFreshThread(&job)));
}

// stats() -> { totalram, freeram, bufferram, procs } (bytes; procs: kernel
// tasks) | -errno: the kernel's sysinfo, for leak checks and debugging.
class StatsJob : public Job {
 public:
  void Execute() override {
    result_ = Sys(__lkl__NR_sysinfo, P(&si_));
  }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) return Job::Result(env);
    double unit = si_.mem_unit ? si_.mem_unit : 1;
    auto o = Napi::Object::New(env);
    o["totalram"] = Napi::Number::New(env, static_cast<double>(si_.totalram) * unit);
    o["freeram"] = Napi::Number::New(env, static_cast<double>(si_.freeram) * unit);
    o["bufferram"] = Napi::Number::New(env, static_cast<double>(si_.bufferram) * unit);
    o["procs"] = Napi::Number::New(env, si_.procs);
    return o;
  }

 private:
  struct lkl_sysinfo si_ = {};
};

Napi::Value Stats(Info info) { return Submit(info, std::make_unique<StatsJob>()); }

// emergencyClose(fds[], mounts[], timeoutMs) -> number of mounts unmounted
// (or -1 on timeout).
//
// Only for process exit ('exit' handlers must be synchronous). The JS
// thread blocks while a fresh host thread (not a pool thread: those may all
// be busy in long calls) closes the given kernel fds, syncs each mount and
// unmounts it. On timeout the thread is abandoned and the process exits
// anyway; the state it uses is shared so nothing dangles.
struct EmergencyState {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  long unmounted = 0;
  std::vector<long> fds;
  std::vector<std::string> mounts;
};

// Every kernel fd goes: the process is ending, and an op that was in flight
// on a pool thread may hold an fd JS never heard of (its result cannot be
// delivered any more), which would keep its filesystem busy.
void CloseAllFds() { Sys(__lkl__NR_close_range, 0, ~0U, 0); }

void EmergencyWork(std::shared_ptr<EmergencyState> st) {
  for (long fd : st->fds) Sys(__lkl__NR_close, fd);
  long count = 0;
  for (const std::string& mnt : st->mounts) {
    long fd = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P(mnt.c_str()), LKL_O_RDONLY | LKL_O_DIRECTORY);
    if (fd >= 0) {
      Sys(__lkl__NR_syncfs, fd);
      Sys(__lkl__NR_close, fd);
    }
    // lkl_host_umount retries a busy mount briefly itself; an op still in
    // flight may open a file meanwhile, so close everything again between
    // tries (the caller's timeout bounds the whole).
    long r;
    do {
      CloseAllFds();
      r = lkl_host_umount(mnt.c_str());
    } while (r == -LKL_EBUSY);
    if (r == 0) count++;
  }
  std::lock_guard<std::mutex> lock(st->mu);
  st->unmounted = count;
  st->done = true;
  st->cv.notify_all();
}

Napi::Value EmergencyClose(Info info) {
  auto st = std::make_shared<EmergencyState>();
  auto fds = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < fds.Length(); i++)
    st->fds.push_back(static_cast<long>(fds.Get(i).As<Napi::Number>().Int64Value()));
  auto mounts = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < mounts.Length(); i++)
    st->mounts.push_back(mounts.Get(i).As<Napi::String>().Utf8Value());
  long timeout = ArgLong(info, 2);

  std::thread(EmergencyWork, st).detach();
  // While it waits, this thread runs the callbacks of JS-backed disks
  // itself (the event loop cannot deliver them), every millisecond.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
  std::unique_lock<std::mutex> lock(st->mu);
  bool ok = st->done;
  while (!ok && std::chrono::steady_clock::now() < deadline) {
    ok = st->cv.wait_for(lock, std::chrono::milliseconds(1), [&] { return st->done; });
    if (ok) break;
    lock.unlock();
    PumpCustomDiskIo(info.Env());
    lock.lock();
  }
  return Napi::Number::New(info.Env(), ok ? static_cast<double>(st->unmounted) : -1);
}

}  // namespace

void InitKernel(Napi::Env env, Napi::Object exports) {
  exports["boot"] = Napi::Function::New(env, Boot, "boot");
  exports["halt"] = Napi::Function::New(env, Halt, "halt");
  exports["bootSync"] = Napi::Function::New(env, BootSync, "bootSync");
  exports["haltSync"] = Napi::Function::New(env, HaltSync, "haltSync");
  exports["stats"] = Napi::Function::New(env, Stats, "stats");
  exports["emergencyClose"] = Napi::Function::New(env, EmergencyClose, "emergencyClose");
}

}  // namespace lkl
