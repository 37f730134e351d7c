// A small persistent thread pool. Workers spin for a short while after a job (decoding issues a parallel region every
// few microseconds, and waking a sleeping thread costs more than the region), then sleep on a condition variable.
// Spinning pauses for a few microseconds and then yields the core each round.
// The caller, once every task is claimed, spins briefly for workers still running a task and then sleeps until the
// last one signals: on a busy machine a worker may be preempted in the middle of a task, and a sleeping caller
// leaves its core idle so the scheduler can move the preempted worker there (a spinning or yielding caller would keep
// the core busy and wait for the worker's next time slice).
// One job at a time: a second concurrent caller (or a nested call from inside a task) runs its tasks serially.
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include "qk_internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#define QK_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define QK_PAUSE() __asm__ __volatile__("yield")
#else
#define QK_PAUSE() ((void)0)
#endif

#define QK_MAX_WORKERS 63
#define QK_SPIN_NS 300000LL          // workers: spin this long for the next job, then sleep
#define QK_CALLER_SPIN_NS 30000LL    // caller: spin this long for running workers, then sleep
#define QK_PAUSE_SPINS 512u          // pause-spins (a few microseconds) before spinning turns into sched_yield

// state = generation << 32 | CLOSED | active. A worker joins the current job only by a compare-and-swap that sees
// the job's generation, the job still open and fewer than `participants` active workers; the caller closes the job
// once every task has been claimed and then waits only for the workers that joined (a worker that was descheduled
// before it saw the job is never waited for).
#define QK_CLOSED (1ull << 31)
#define QK_ACTIVE_MASK 0xffffull

static struct {
  pthread_mutex_t mu;        // guards sleeping
  pthread_cond_t cv;
  pthread_mutex_t submit;    // one job at a time
  pthread_mutex_t done_mu;   // caller sleeping until the active workers finish
  pthread_cond_t done_cv;
  _Atomic int caller_waiting;
  _Atomic uint64_t state;
  _Atomic int sleepers;
  int nworkers;
  // The current job (written before the generation is bumped; stable while any worker is active).
  qk_task_fn fn;
  void *ctx;
  int64_t ntasks;
  uint64_t participants;
  _Atomic int64_t next;
} P = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
        PTHREAD_COND_INITIALIZER };

static _Thread_local int in_task = 0;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void run_tasks(void) {
  qk_task_fn fn = P.fn;
  void *ctx = P.ctx;
  int64_t n = P.ntasks;
  for (;;) {
    int64_t i = atomic_fetch_add_explicit(&P.next, 1, memory_order_relaxed);
    if (i >= n) break;
    fn(ctx, i);
  }
}

static void *worker_main(void *p) {
  (void)p;
  uint64_t seen = atomic_load(&P.state) >> 32;
  in_task = 1;   // nested parallel_for calls from a task run serially
  for (;;) {
    uint64_t st;
    int64_t t0 = 0;
    unsigned spins = 0;
    while (((st = atomic_load_explicit(&P.state, memory_order_acquire)) >> 32) == seen) {
      // Pause-spin briefly, then yield: when the machine is busy and this worker shares a core with the caller, a
      // yielding worker hands the core over instead of halving the caller's speed.
      if (spins < QK_PAUSE_SPINS) QK_PAUSE(); else sched_yield();
      if ((++spins & 63) == 0) {
        int64_t t = now_ns();
        if (t0 == 0) t0 = t;
        else if (t - t0 > QK_SPIN_NS) {
          pthread_mutex_lock(&P.mu);
          atomic_fetch_add(&P.sleepers, 1);
          while ((atomic_load(&P.state) >> 32) == seen) pthread_cond_wait(&P.cv, &P.mu);
          atomic_fetch_sub(&P.sleepers, 1);
          pthread_mutex_unlock(&P.mu);
          t0 = 0;
        }
      }
    }
    seen = st >> 32;
    // Join if the job is still open and has room.
    for (;;) {
      if ((st >> 32) != seen || (st & QK_CLOSED) || (st & QK_ACTIVE_MASK) >= P.participants) break;
      if (atomic_compare_exchange_weak_explicit(&P.state, &st, st + 1, memory_order_acq_rel, memory_order_acquire)) {
        run_tasks();
        uint64_t after = atomic_fetch_sub(&P.state, 1) - 1;
        if ((after & QK_ACTIVE_MASK) == 0 && (after & QK_CLOSED) && atomic_load(&P.caller_waiting)) {
          pthread_mutex_lock(&P.done_mu);
          pthread_cond_signal(&P.done_cv);
          pthread_mutex_unlock(&P.done_mu);
        }
        break;
      }
    }
  }
  return NULL;
}

static void ensure_workers(int n) {
  if (n > QK_MAX_WORKERS) n = QK_MAX_WORKERS;
  while (P.nworkers < n) {
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&th, &attr, worker_main, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) return;
    P.nworkers++;
  }
}

void qk_parallel_for(int64_t ntasks, int32_t threads, qk_task_fn fn, void *ctx) {
  if (ntasks <= 0) return;
  if (threads > ntasks) threads = (int32_t)ntasks;
  if (threads <= 1 || in_task || pthread_mutex_trylock(&P.submit) != 0) {
    for (int64_t i = 0; i < ntasks; i++) fn(ctx, i);
    return;
  }
  ensure_workers(threads - 1);
  P.fn = fn; P.ctx = ctx; P.ntasks = ntasks;
  P.participants = (uint64_t)(threads - 1 < P.nworkers ? threads - 1 : P.nworkers);
  atomic_store_explicit(&P.next, 0, memory_order_relaxed);
  // The previous job is closed with no active worker: open the next generation (seq_cst pairs with `sleepers`).
  uint64_t gen = (atomic_load(&P.state) >> 32) + 1;
  atomic_store(&P.state, gen << 32);
  if (atomic_load(&P.sleepers) > 0) {
    pthread_mutex_lock(&P.mu);
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
  }
  in_task = 1;
  run_tasks();
  in_task = 0;
  atomic_fetch_or(&P.state, QK_CLOSED);
  unsigned spins = 0;
  int64_t t0 = 0;
  while (atomic_load_explicit(&P.state, memory_order_acquire) & QK_ACTIVE_MASK) {
    if (spins < QK_PAUSE_SPINS) QK_PAUSE(); else sched_yield();
    if ((++spins & 63) == 0) {
      int64_t t = now_ns();
      if (t0 == 0) t0 = t;
      else if (t - t0 > QK_CALLER_SPIN_NS) {
        // Sleep until the last active worker signals (it checks caller_waiting after leaving; both sides use seq_cst
        // and the condition is re-checked under the mutex, so the wake-up cannot be lost).
        pthread_mutex_lock(&P.done_mu);
        atomic_store(&P.caller_waiting, 1);
        while (atomic_load(&P.state) & QK_ACTIVE_MASK) pthread_cond_wait(&P.done_cv, &P.done_mu);
        atomic_store(&P.caller_waiting, 0);
        pthread_mutex_unlock(&P.done_mu);
        break;
      }
    }
  }
  pthread_mutex_unlock(&P.submit);
}
