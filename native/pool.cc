// SPDX-License-Identifier: GPL-2.0-only
// The thread pool and the completion channel; see pool.h for the threads.
#include "pool.h"

namespace lkl {

// JS thread.
Napi::Value Job::Result(Napi::Env env) {
  return Napi::Number::New(env, static_cast<double>(result_));
}

// JS thread.
void Job::Keep(Napi::Object obj) { keep_.push_back(Napi::Persistent(obj)); }

// JS thread (module init).
Completer::Completer(Napi::Env env) {
  napi_value resource = Napi::Object::New(env);
  napi_value name = Napi::String::New(env, "lkl:syscall");
  napi_create_reference(env, resource, 1, &resource_);
  napi_async_init(env, resource, name, &async_);
  napi_create_threadsafe_function(
      env, nullptr, nullptr, name, 0, 1, this,
      [](napi_env, void* data, void*) {
        // The environment is going away: pool threads must stop calling.
        auto* self = static_cast<Completer*>(data);
        std::lock_guard<std::mutex> lock(self->mu_);
        self->tsfn_ = nullptr;
      },
      this, CallJs, &tsfn_);
  // Not referenced while nothing is pending: an idle addon never keeps the
  // process alive.
  napi_unref_threadsafe_function(env, tsfn_);
  // Runs before the thread-safe function's own cleanup (hooks run in
  // reverse order of registration).
  napi_add_env_cleanup_hook(
      env,
      [](void* arg) {
        auto* self = static_cast<Completer*>(arg);
        std::lock_guard<std::mutex> lock(self->mu_);
        self->tsfn_ = nullptr;
      },
      this);
}

// Never called in practice: completers live as long as the process, since
// pool threads may still hold a pointer at exit.
Completer::~Completer() = default;

// JS thread.
Napi::Value Completer::Submit(Napi::Env env, std::unique_ptr<Job> job) {
  napi_value promise;
  napi_create_promise(env, &job->deferred_, &promise);
  if (pending_++ == 0) napi_ref_threadsafe_function(env, tsfn_);
  Pool::Get().Push(job.release(), this);
  return Napi::Value(env, promise);
}

// Pool thread. Wakes JS only if it is not already due to drain the list.
void Completer::Done(Job* job) {
  std::unique_lock<std::mutex> lock(mu_);
  if (tsfn_ == nullptr) return;  // environment gone; leak the job
  done_.push_back(job);
  if (scheduled_) return;
  scheduled_ = true;
  napi_threadsafe_function tsfn = tsfn_;
  lock.unlock();
  napi_call_threadsafe_function(tsfn, nullptr, napi_tsfn_nonblocking);
}

// JS thread (called by Node for the thread-safe function).
void Completer::CallJs(napi_env env, napi_value, void* ctx, void*) {
  auto* self = static_cast<Completer*>(ctx);
  if (env == nullptr) return;  // tearing down
  self->Drain(Napi::Env(env));
}

// JS thread: resolve every finished job. The callback scope makes Node run
// the promise reactions (microtasks) when it closes.
void Completer::Drain(Napi::Env env) {
  std::vector<Job*> jobs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs.swap(done_);
    scheduled_ = false;
  }
  napi_value resource;
  napi_get_reference_value(env, resource_, &resource);
  napi_callback_scope scope;
  napi_open_callback_scope(env, resource, async_, &scope);
  for (Job* job : jobs) {
    {
      Napi::HandleScope hs(env);
      Napi::Value value = job->Result(env);
      if (env.IsExceptionPending()) {
        Napi::Error e = env.GetAndClearPendingException();
        napi_reject_deferred(env, job->deferred_, e.Value());
      } else {
        napi_resolve_deferred(env, job->deferred_, value);
      }
    }
    delete job;
    if (--pending_ == 0) napi_unref_threadsafe_function(env, tsfn_);
  }
  napi_close_callback_scope(env, scope);
}

Pool& Pool::Get() {
  // Deliberately leaked: never destroyed at exit (threads are not joined).
  static Pool* pool = new Pool();
  return *pool;
}

Pool::Pool() {
  for (int i = 0; i < kPoolThreads; i++) {
    Worker* w = new Worker();  // lives as long as its thread: forever
    std::thread([this, w] { Run(w); }).detach();
  }
}

// Any thread (the JS thread in practice).
void Pool::Push(Job* job, Completer* completer) {
  std::unique_lock<std::mutex> lock(mu_);
  if (idle_.empty()) {
    queue_.push_back({job, completer});
    return;
  }
  Worker* w = idle_.back();
  idle_.pop_back();
  w->item = {job, completer};
  w->has.store(true, std::memory_order_release);
  lock.unlock();
  w->cv.notify_one();
}

namespace {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

// Pool thread.
void Pool::Run(Worker* self) {
  for (;;) {
    Item item;
    std::unique_lock<std::mutex> lock(mu_);
    if (!queue_.empty()) {
      item = queue_.front();
      queue_.pop_front();
    } else {
      idle_.push_back(self);
      // Spin briefly before sleeping: JS awaiting calls one after another
      // sends the next one within tens of microseconds, and a futex wake-up
      // costs about as much again on small VMs.
      lock.unlock();
      auto until = std::chrono::steady_clock::now() + kSpin;
      while (!self->has.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < until)
        for (int i = 0; i < 64; i++) CpuRelax();
      lock.lock();
      self->cv.wait(lock, [self] { return self->has.load(); });
      item = self->item;
      self->has.store(false);
    }
    lock.unlock();
    item.job->Run();
    item.completer->Done(item.job);
  }
}

}  // namespace lkl
