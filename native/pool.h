// SPDX-License-Identifier: GPL-2.0-only
//
// The addon's thread pool and the way finished work gets back to JS.
//
// Threads:
//   - JS thread: Submit(), Completer::Drain() (through the thread-safe
//     function), Job::Result().
//   - pool threads: Job::Execute(). Each pool thread becomes a kernel "host
//     task" on its first syscall (done by the host library); it keeps that
//     task for its whole life, so the kernel sees a stable set of tasks.
//
// One thread-safe function per JS environment (not per call): pool threads
// push finished jobs onto a list and wake JS once; JS drains the whole list.
#ifndef LKL_NATIVE_POOL_H
#define LKL_NATIVE_POOL_H

#include <napi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace lkl {

class Completer;

// One unit of work. Created on the JS thread, executed on a pool thread,
// resolved and deleted on the JS thread.
class Job {
 public:
  virtual ~Job() = default;
  // Pool thread. Must not touch JS values.
  virtual void Execute() = 0;
  // JS thread. The value the promise resolves with (default: result_).
  virtual Napi::Value Result(Napi::Env env);

  // Keep a JS object (a Buffer) alive until the job is resolved. JS thread.
  void Keep(Napi::Object obj);
  // Pool thread: Execute() with root_ as the filesystem root (root.cc).
  void Run();

  long result_ = 0;
  // A kernel O_PATH directory fd to chroot into for this job; -1 = none.
  long root_ = -1;

 private:
  friend class Completer;
  napi_deferred deferred_ = nullptr;
  std::vector<Napi::ObjectReference> keep_;
};

// Per-environment completion channel. JS thread except where noted.
class Completer {
 public:
  explicit Completer(Napi::Env env);
  ~Completer();
  // JS thread: queue a job on the pool and return its promise.
  Napi::Value Submit(Napi::Env env, std::unique_ptr<Job> job);
  // Pool thread: a job has executed.
  void Done(Job* job);

 private:
  static void CallJs(napi_env env, napi_value fn, void* ctx, void* data);
  void Drain(Napi::Env env);

  napi_threadsafe_function tsfn_ = nullptr;
  napi_async_context async_ = nullptr;
  napi_ref resource_ = nullptr;
  std::mutex mu_;
  std::vector<Job*> done_;  // guarded by mu_
  bool scheduled_ = false;  // guarded by mu_
  size_t pending_ = 0;      // JS thread only
};

// The process-wide pool (the kernel is one per process). Threads start on
// first use and are never joined: at process exit they may be blocked in a
// kernel call, and the process simply ends.
class Pool {
 public:
  static Pool& Get();
  // Any thread.
  void Push(Job* job, Completer* completer);

 private:
  struct Item {
    Job* job;
    Completer* completer;
  };
  // An idle pool thread waits on its own condition variable, so Push can
  // hand work to the most recently idle thread (LIFO): a sequence of calls
  // keeps running on one thread, i.e. one kernel task, which spares the
  // kernel a task switch per call.
  struct Worker {
    std::condition_variable cv;
    Item item = {nullptr, nullptr};
    std::atomic<bool> has{false};
  };

  Pool();
  void Run(Worker* self);  // pool thread body

  std::mutex mu_;
  std::vector<Worker*> idle_;  // stack; guarded by mu_
  std::deque<Item> queue_;     // work no idle thread took; guarded by mu_
};

constexpr int kPoolThreads = 4;
// How long an idle pool thread spins before it sleeps.
constexpr std::chrono::microseconds kSpin{100};

}  // namespace lkl

#endif
